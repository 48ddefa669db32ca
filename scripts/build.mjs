// `npm run build`: the client (Vite, into dist/client) and the server (tsc, into dist/node), from scratch.
// `npm start` imports `buildStale` to rebuild only what is missing or older than its sources.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (pkg, file) => path.join(root, 'node_modules', pkg, file);

const PARTS = {
  client: {
    output: path.join(root, 'dist', 'client', 'index.html'),
    sources: ['client', 'shared', 'vite.config.ts'],
    clean: path.join(root, 'dist', 'client'),
    command: [bin('vite', 'bin/vite.js'), 'build', '--logLevel', 'warn'],
  },
  server: {
    output: path.join(root, 'dist', 'node', 'server', 'main.js'),
    sources: ['server', 'shared', 'tsconfig.json', 'tsconfig.build.json', 'package.json'],
    // A module deleted from the sources must not linger in the build.
    clean: path.join(root, 'dist', 'node'),
    command: [bin('typescript', 'bin/tsc'), '-p', 'tsconfig.build.json'],
  },
};

function newestMtime(p) {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const entry of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

function isStale(part) {
  if (!fs.existsSync(part.output)) return true;
  const sources = Math.max(...part.sources.map((s) => path.join(root, s)).filter((s) => fs.existsSync(s)).map(newestMtime));
  return fs.statSync(part.output).mtimeMs < sources;
}

function build(name) {
  const part = PARTS[name];
  fs.rmSync(part.clean, { recursive: true, force: true });
  const started = Date.now();
  const r = spawnSync(process.execPath, part.command, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`Building the ${name} failed.`);
    process.exit(r.status ?? 1);
  }
  console.log(`Built the ${name} in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}

/** Builds each part whose output is missing or older than its sources (`npm start`). */
export function buildStale() {
  for (const name of Object.keys(PARTS)) {
    if (!isStale(PARTS[name])) continue;
    console.log(`Building the ${name}…`);
    build(name);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const name of Object.keys(PARTS)) build(name);
}
