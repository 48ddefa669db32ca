/**
 * Worker threads running one of the server's own modules, the way the server itself runs: compiled JavaScript in
 * production (`npm start`, the container image), TypeScript through tsx in development and tests.
 */
import { Worker, workerData } from 'node:worker_threads';
import { COMPILED, moduleUrl } from '../paths.js';

/** Under tsx only: registers tsx inside the thread before importing the TypeScript entry (see boot.mjs). */
const BOOT = new URL('./boot.mjs', import.meta.url);

/**
 * A worker thread running `entry` (a module of the server, named by its `.ts` URL; the compiled build starts the `.js`
 * beside it instead), which reads `data` with `workerInput()`.
 */
export function startWorker(entry: URL, data: unknown, name: string): Worker {
  if (COMPILED) return new Worker(moduleUrl(entry.href, entry.href), { workerData: { data }, name });
  return new Worker(BOOT, { workerData: { entry: entry.href, data }, name });
}

/** Inside a worker started by startWorker: the data it was given. */
export function workerInput<T>(): T {
  return (workerData as { data: T }).data;
}
