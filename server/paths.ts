/**
 * Where things are on disk, whether the server runs from its TypeScript sources (`server/…`, under tsx in
 * development and tests) or compiled (`dist/node/server/…`, `npm start` and the container image).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** True when this module is the compiled JavaScript build (dist/node), false under tsx. */
export const COMPILED = import.meta.url.endsWith('.js');

/** The project root: the nearest folder above this module holding Frontline's package.json. */
export function projectRoot(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'frontline') return dir;
    if (path.dirname(dir) === dir) throw new Error(`Frontline's package.json was not found above ${from}`);
  }
}

/** A sibling module's URL as this build names it: `./x.ts` under tsx, `./x.js` compiled. */
export function moduleUrl(relative: string, base: string): URL {
  return new URL(COMPILED ? relative.replace(/\.ts$/, '.js') : relative, base);
}
