/**
 * One flagger run over closed days, as plain data in and out, so it can run on a worker thread
 * (`flagger.worker.ts`) or, where no worker can start, on the calling thread.
 */
import { startWorker } from '../threads/worker.js';
import type { AgentQueueDay } from './daily.js';
import { calibrationEntries, Flagger, seedCalibration, type FlagCase, type FlaggerDirectory, type FlaggerSettings } from './flagger.js';

export interface FlaggerJob {
  directory: FlaggerDirectory;
  /** Closed local days in any order: [day start ms, agent → queue → counts]. */
  days: [number, Map<string, Map<string, AgentQueueDay>>][];
  settings?: Partial<FlaggerSettings>;
  /** Calibrations from earlier runs (flagger.ts `calibrationEntries`): the same h, without simulating again. */
  calibration?: [string, number][];
}

/** Feeds the days in order and returns every case the flagger opened. */
export function runFlagger(job: FlaggerJob): FlagCase[] {
  if (job.calibration) seedCalibration(job.calibration);
  const flagger = new Flagger(job.directory, job.settings);
  return flagger.run(new Map(job.days));
}

/** runFlagger, with the calibrations the thread holds afterwards (to seed the next run's thread with). */
export function runFlaggerForWorker(job: FlaggerJob): { cases: FlagCase[]; calibration: [string, number][] } {
  const cases = runFlagger(job);
  return { cases, calibration: calibrationEntries() };
}

const WORKER = new URL('./flagger.worker.ts', import.meta.url);

/** The worker thread could not start (its modules did not load): the caller may run the job on its own thread. */
export class FlaggerWorkerStartError extends Error {
  constructor(cause: unknown) {
    super(`the flagger's worker thread did not start: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'FlaggerWorkerStartError';
  }
}

/**
 * Runs the job on a worker thread (one per run: a run is rare, once a day or after late data, and its memory goes with
 * the thread; its calibrations go to `learned`, to seed the next run with).
 * Rejects with FlaggerWorkerStartError when the
 * thread fails before its modules load, and with the flagger's own error otherwise.
 */
export function runFlaggerOffThread(job: FlaggerJob, signal?: AbortSignal, learned?: (calibration: [string, number][]) => void): Promise<FlagCase[]> {
  return new Promise((resolve, reject) => {
    const stopped = () => (signal?.reason instanceof Error ? signal.reason : new Error('the flagger run was stopped'));
    if (signal?.aborted) {
      reject(stopped());
      return;
    }
    const worker = startWorker(WORKER, job, 'frontline-flagger');
    let ready = false;
    let settled = false;
    worker.on('message', (m: { ready: true } | { cases: FlagCase[]; calibration: [string, number][] }) => {
      if ('ready' in m) {
        ready = true;
        return;
      }
      settled = true;
      learned?.(m.calibration);
      resolve(m.cases);
      void worker.terminate();
    });
    worker.once('error', (err) => {
      settled = true;
      reject(ready ? err : new FlaggerWorkerStartError(err));
    });
    const abort = () => {
      if (settled) return;
      settled = true;
      reject(stopped());
      void worker.terminate();
    };
    signal?.addEventListener('abort', abort, { once: true });
    worker.once('exit', (code) => {
      signal?.removeEventListener('abort', abort);
      if (!settled) reject(new Error(`the flagger's worker thread exited with code ${code} before answering`));
    });
  });
}
