/**
 * The flagger's worker thread. Its CUSUM calibration simulates thousands of in-control runs (seconds of CPU), and a
 * run over a long history adds more; on the main thread that would stall every live socket and ingest call on the
 * node. The main thread builds the daily counts from the store and posts them here; the cases come back.
 */
import { parentPort } from 'node:worker_threads';
import { workerInput } from '../threads/worker.js';
import { runFlaggerForWorker, type FlaggerJob } from './flagger-job.js';

if (!parentPort) throw new Error('flagger.worker.ts runs as a worker thread');
// Modules loaded: from here on, an error is the flagger's own, not the thread's failing to start.
parentPort.postMessage({ ready: true });
parentPort.postMessage(runFlaggerForWorker(workerInput<FlaggerJob>()));
