// Preloaded (`node --import`) into the compiled server by test/integration/deploy.test.ts: fails any import that would
// not exist in the container image, which holds the compiled build and production dependencies only. A TypeScript
// file, tsx, or a package outside FRONTLINE_PRODUCTION_PACKAGES (a file listing `npm ls --omit=dev` paths) is refused.
// Worker threads inherit the preload, so it also checks them and says which thread it guards.
import { register } from 'node:module';
import fs from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const list = process.env.FRONTLINE_PRODUCTION_PACKAGES;
if (!list) throw new Error('production-guard: FRONTLINE_PRODUCTION_PACKAGES is not set');
const allowed = fs.readFileSync(list, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
register('./production-guard-hooks.mjs', import.meta.url, { data: { allowed } });
process.stderr.write(`production-guard: active in the ${isMainThread ? 'main' : 'worker'} thread\n`);
