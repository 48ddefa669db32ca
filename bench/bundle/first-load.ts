/**
 * What a page fetches on its first load, read from Vite's build manifest: the entry chunk and its static imports
 * (with their CSS), plus, for a route split into chunks, each of its dynamic chunks and their static imports. Dynamic
 * imports are not followed: they load later, when the page asks for them.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

/** One entry of Vite's .vite/manifest.json. */
export interface ManifestChunk {
  file: string;
  src?: string;
  isEntry?: boolean;
  isDynamicEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
  name?: string;
}
export type Manifest = Record<string, ManifestChunk>;

export interface FirstLoad {
  /** Output files (assets/...), JS and CSS, in the order they were reached. */
  files: string[];
  /** Route modules found as chunks of their own; the others are inside the entry (an unsplit build). */
  split: string[];
  inEntry: string[];
}

export function readManifest(outDir: string): Manifest {
  const file = path.join(outDir, '.vite', 'manifest.json');
  if (!fs.existsSync(file)) throw new Error(`no build manifest at ${file} (build with --manifest)`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
}

export function entryKey(manifest: Manifest): string {
  const entries = Object.entries(manifest).filter(([, c]) => c.isEntry);
  if (entries.length !== 1) throw new Error(`expected one entry chunk in the manifest, found ${entries.length}`);
  return entries[0]![0];
}

/** Follows static imports from `keys`, collecting each chunk's file and its CSS once. */
function walk(manifest: Manifest, keys: string[], seen: Set<string>, files: string[]): void {
  for (const key of keys) {
    if (seen.has(key)) continue;
    seen.add(key);
    const chunk = manifest[key];
    if (!chunk) throw new Error(`the manifest names ${key} as an import but has no entry for it`);
    walk(manifest, chunk.imports ?? [], seen, files);
    for (const f of [chunk.file, ...(chunk.css ?? [])]) if (!files.includes(f)) files.push(f);
  }
}

/**
 * The first load of a route whose code is in `routeModules` (source paths relative to the client root, as the
 * manifest keys them). A module that is not a chunk of its own is part of the entry, as in a build without splitting.
 */
export function firstLoad(manifest: Manifest, routeModules: readonly string[]): FirstLoad {
  const files: string[] = [];
  const seen = new Set<string>();
  walk(manifest, [entryKey(manifest)], seen, files);
  const keys = routeModules.map((m) => [m, chunkKeyOf(manifest, m)] as const);
  walk(manifest, keys.flatMap(([, k]) => (k ? [k] : [])), seen, files);
  return { files, split: keys.filter(([, k]) => k).map(([m]) => m), inEntry: keys.filter(([, k]) => !k).map(([m]) => m) };
}

/**
 * The manifest key of the chunk a dynamically imported module loads as: its own key when the chunk is its facade, or
 * (when the bundler merged it into a chunk other pages import statically too) the chunk named after it that some
 * chunk imports dynamically. Undefined when the module is no chunk of its own.
 */
export function chunkKeyOf(manifest: Manifest, module: string): string | undefined {
  if (manifest[module]) return module;
  const name = path.basename(module).replace(/\.[^.]+$/, '');
  const dynamic = new Set(Object.values(manifest).flatMap((c) => c.dynamicImports ?? []));
  return Object.entries(manifest).find(([k, c]) => dynamic.has(k) && c.name === name)?.[0];
}

export interface Sized {
  file: string;
  kind: 'js' | 'css';
  raw: number;
  gzip: number;
}

/** Raw bytes and gzip -9 bytes (node:zlib) of each file. */
export function sizeFiles(outDir: string, files: readonly string[]): Sized[] {
  return files.map((file) => {
    const body = fs.readFileSync(path.join(outDir, file));
    return { file, kind: file.endsWith('.css') ? 'css' : 'js', raw: body.length, gzip: gzipSize(body) };
  });
}

export function gzipSize(body: Buffer): number {
  return zlib.gzipSync(body, { level: 9 }).length;
}
