/** Builds the client with the project's own Vite config into a folder of the test's, so tests never touch dist/. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './child-server.js';

export interface ClientBuild {
  /** What the server serves (index.html, assets/). */
  clientDir: string;
  /** Where the build leaves the source maps, beside clientDir and never inside it. */
  mapsDir: string;
  remove(): void;
}

export function buildClient(opts: { manifest?: boolean } = {}): ClientBuild {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'frontline-client-'));
  const clientDir = path.join(root, 'client');
  const args = [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--outDir', clientDir, '--emptyOutDir', '--logLevel', 'error', ...(opts.manifest ? ['--manifest'] : [])];
  // Vitest sets NODE_ENV=test, which a child Vite would inherit and build React's development code with: build what
  // ships.
  execFileSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
  return { clientDir, mapsDir: path.join(root, 'sourcemaps'), remove: () => fs.rmSync(root, { recursive: true, force: true }) };
}
