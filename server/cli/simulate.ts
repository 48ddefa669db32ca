/**
 * `npm run simulate -- --days 90 --seed 7 [--end ISO] [--url http://host:3000 --key fl_...] [--truth FILE]`
 *
 * Backfills simulated history ending at --end (default now): straight into the store (default), or through a
 * running server's ingest API with --url and --key. Writes the scenarios' ground truth to --truth.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { IngestReply } from '../../shared/api.js';
import type { FrontlineEvent } from '../../shared/events.js';
import { ingestAll } from '../bootstrap/simulation.js';
import { systemClock } from '../clock.js';
import { loadConfig } from '../config.js';
import { DirectoryService } from '../directory/directory.service.js';
import { IngestService } from '../ingest/ingest.service.js';
import { createLogger } from '../logger.js';
import { CentreSimulator } from '../simulator/index.js';
import { openStore } from '../store/db.js';

const DAY_MS = 86_400_000;
const HTTP_BATCH = 5_000;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      days: { type: 'string', default: '21' },
      seed: { type: 'string', default: '7' },
      end: { type: 'string' },
      url: { type: 'string' },
      key: { type: 'string' },
      truth: { type: 'string' },
    },
  });
  const days = Number(values.days);
  const seed = Number(values.seed);
  if (!Number.isInteger(days) || days < 1 || days > 400) throw new Error('--days must be a whole number from 1 to 400');
  if (!Number.isInteger(seed)) throw new Error('--seed must be a whole number');
  const endMs = values.end ? Date.parse(values.end) : Date.now();
  if (Number.isNaN(endMs)) throw new Error('--end must be an ISO date-time');
  const startMs = endMs - days * DAY_MS;
  const config = loadConfig();
  const truthFile = path.resolve(values.truth ?? config.simulator.groundTruthFile);
  const simulator = new CentreSimulator({ seed, startMs, scenarioWindowDays: days });
  const t0 = Date.now();
  let sent = 0;
  let accepted = 0;
  let duplicate = 0;
  let rejected = 0;

  let sink: (events: FrontlineEvent[]) => Promise<void>;
  let close = (): Promise<void> => Promise.resolve();
  if (values.url) {
    if (!values.key) throw new Error('--url needs --key (an API key with the ingest scope)');
    const url = new URL('/api/v1/events', values.url).toString();
    const key = values.key;
    sink = async (events) => {
      for (let i = 0; i < events.length; i += HTTP_BATCH) {
        const body = await postWithRetry(url, key, JSON.stringify(events.slice(i, i + HTTP_BATCH)));
        accepted += body.accepted;
        duplicate += body.duplicate;
        rejected += body.rejected;
      }
    };
  } else {
    const store = await openStore(config.database);
    const directory = new DirectoryService(store);
    if (await directory.isEmpty()) await directory.replace(simulator.directory);
    const ingest = new IngestService({ store, clock: systemClock, logger: createLogger('warn'), maxClockSkewMs: config.ingestMaxClockSkewMs });
    sink = async (events) => {
      const out = await ingestAll(ingest, events);
      accepted += out.accepted;
      duplicate += out.duplicate;
      rejected += out.rejected;
    };
    close = () => store.close();
    process.stdout.write(`into ${store.description}\n`);
  }

  for (let day = 1; day <= days; day++) {
    const events = simulator.advanceTo(Math.min(startMs + day * DAY_MS, endMs));
    await sink(events);
    sent += events.length;
    process.stdout.write(`\rday ${day}/${days}: ${sent.toLocaleString('en-GB')} events`);
  }
  await close();
  await fs.mkdir(path.dirname(truthFile), { recursive: true });
  await fs.writeFile(truthFile, JSON.stringify(simulator.groundTruth(), null, 2));
  const secs = (Date.now() - t0) / 1000;
  process.stdout.write(
    `\n${sent.toLocaleString('en-GB')} events in ${secs.toFixed(1)} s (${Math.round(sent / secs).toLocaleString('en-GB')}/s): ` +
      `${accepted} accepted, ${duplicate} duplicate, ${rejected} rejected\nground truth: ${truthFile}\n`,
  );
  if (rejected > 0) process.exitCode = 1;
}

/** Retries network errors and 5xx (the server may be restarting); a 4xx is final. */
async function postWithRetry(url: string, key: string, body: string): Promise<IngestReply> {
  for (let attempt = 1; ; attempt++) {
    let res: Response | undefined;
    try {
      res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body });
    } catch (err) {
      if (attempt >= 5) throw err;
    }
    if (res?.ok) return (await res.json()) as IngestReply;
    if (res && (res.status < 500 || attempt >= 5)) throw new Error(`ingest answered ${res.status}: ${(await res.text()).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`simulate: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
