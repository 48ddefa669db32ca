// Starts a TypeScript module on a worker thread. Node 20 does not apply a parent's `--import tsx` to a worker's
// entry, so the worker registers tsx itself, then imports the module named in workerData.entry.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
