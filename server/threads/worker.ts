/** Worker threads running TypeScript modules, the way the server itself runs (through tsx). */
import { Worker, workerData } from 'node:worker_threads';

const BOOT = new URL('./boot.mjs', import.meta.url);

/** A worker thread running `entry` (a .ts module URL), which reads `data` with `workerInput()`. */
export function startTsWorker(entry: URL, data: unknown, name: string): Worker {
  return new Worker(BOOT, { workerData: { entry: entry.href, data }, name });
}

/** Inside a worker started by startTsWorker: the data it was given. */
export function workerInput<T>(): T {
  return (workerData as { data: T }).data;
}
