// `npm start`: build the client and the server where missing or older than their sources, then run the compiled
// server (plain Node: no TypeScript loader at run time, in its worker threads either).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { buildStale, root } from './build.mjs';

buildStale();
const child = spawn(process.execPath, [path.join(root, 'dist', 'node', 'server', 'main.js')], { cwd: root, stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
