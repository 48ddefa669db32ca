/**
 * `npm run simulate -- --days 90 --seed 7 [--end ISO] [--url http://host:3000 --key fl_...] [--truth FILE]`
 *   [--centre default|medium|large] [--agents N] [--sites leeds:Europe/London,manila:Asia/Manila:extended*2]
 *   [--team-size 15] [--shifts standard|extended|always]
 *
 * Backfills simulated history ending at --end (default now): straight into the store (default), or through a
 * running server's ingest API with --url and --key. Writes the scenarios' ground truth to --truth.
 *
 * `npm run simulate -- --as connect|genesys|zendesk|twilio [...]` emits the centre in a platform's own shapes
 * instead (server/connectors/simulate-as.ts):
 *   --as connect --url http://host:3000 --source SOURCE_ID --access-key KEY        Firehose deliveries to the source
 *   --as twilio  --url http://host:3000 --source SOURCE_ID --auth-token T --account-sid AC...   signed callbacks
 *   --as genesys [--port 4010]   a stand-in Genesys Cloud API to point a source at (prints its credentials)
 *   --as zendesk [--port 4011]   a stand-in Zendesk API to point a source at (prints its credentials)
 * with --days (default 1 here) of history, and --live to keep the centre running in real time (--every 10 seconds).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { IngestReply } from '../../shared/api.js';
import type { FrontlineEvent } from '../../shared/events.js';
import { ingestAll } from '../bootstrap/simulation.js';
import { PLATFORMS, type Platform } from '../../shared/sources.js';
import { simulateAs, type SimulateAsOptions } from '../connectors/simulate-as.js';
import { systemClock } from '../clock.js';
import { loadConfig } from '../config.js';
import { DirectoryService } from '../directory/directory.service.js';
import { IngestService } from '../ingest/ingest.service.js';
import { createLogger } from '../logger.js';
import { CENTRE_PRESET_NAMES, CentreSimulator, centreDirectory, parseSites, SHIFT_PATTERNS, type CentreOptions, type CentrePreset, type ShiftPattern } from '../simulator/index.js';
import type { Directory } from '../../shared/directory.js';
import { openStore } from '../store/db.js';

const DAY_MS = 86_400_000;
const HTTP_BATCH = 5_000;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      days: { type: 'string' },
      seed: { type: 'string', default: '7' },
      end: { type: 'string' },
      url: { type: 'string' },
      key: { type: 'string' },
      truth: { type: 'string' },
      as: { type: 'string' },
      source: { type: 'string' },
      'access-key': { type: 'string' },
      'auth-token': { type: 'string' },
      'account-sid': { type: 'string' },
      port: { type: 'string' },
      live: { type: 'boolean', default: false },
      every: { type: 'string', default: '10' },
      centre: { type: 'string' },
      agents: { type: 'string' },
      sites: { type: 'string' },
      'team-size': { type: 'string' },
      shifts: { type: 'string' },
    },
  });
  if (values.as !== undefined) return runAs(values);
  const days = Number(values.days ?? '21');
  const seed = Number(values.seed);
  if (!Number.isInteger(days) || days < 1 || days > 400) throw new Error('--days must be a whole number from 1 to 400');
  if (!Number.isInteger(seed)) throw new Error('--seed must be a whole number');
  const endMs = values.end ? Date.parse(values.end) : Date.now();
  if (Number.isNaN(endMs)) throw new Error('--end must be an ISO date-time');
  const startMs = endMs - days * DAY_MS;
  const config = loadConfig();
  const truthFile = path.resolve(values.truth ?? config.simulator.groundTruthFile);
  const centre = centreOptions(values);
  const t0 = Date.now();
  let sent = 0;
  let accepted = 0;
  let duplicate = 0;
  let rejected = 0;

  let simulatorDirectory: Directory | undefined;
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
    // A store that already has a directory keeps it (the centre it already simulates); an empty one gets the centre asked for.
    if (await directory.isEmpty()) await directory.replace(centreDirectory(centre));
    simulatorDirectory = await directory.get();
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

  const simulator = new CentreSimulator({ seed, startMs, scenarioWindowDays: days, directory: simulatorDirectory ?? centreDirectory(centre) });
  process.stdout.write(`a centre of ${simulator.directory.agents.length.toLocaleString('en-GB')} agents, ${simulator.directory.sites.length} sites\n`);
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

async function runAs(values: Record<string, string | boolean | undefined>): Promise<void> {
  const platform = values.as as string;
  if (!(PLATFORMS as readonly string[]).includes(platform)) throw new Error(`--as must be one of ${PLATFORMS.join(', ')}`);
  const str = (k: string) => (typeof values[k] === 'string' ? values[k] : undefined);
  const days = Number(str('days') ?? '1');
  if (!Number.isInteger(days) || days < 1 || days > 60) throw new Error('--days must be a whole number from 1 to 60 with --as');
  const endMs = str('end') ? Date.parse(str('end') as string) : Date.now();
  if (Number.isNaN(endMs)) throw new Error('--end must be an ISO date-time');
  const port = str('port');
  const opts: SimulateAsOptions = {
    platform: platform as Platform,
    seed: Number(str('seed') ?? 7),
    days,
    endMs,
    live: values.live === true,
    everySeconds: Math.max(1, Number(str('every') ?? 10)),
    log: (line) => process.stdout.write(`${line}\n`),
  };
  const pick: [keyof SimulateAsOptions, string][] = [['url', 'url'], ['sourceId', 'source'], ['accessKey', 'access-key'], ['authToken', 'auth-token'], ['accountSid', 'account-sid']];
  for (const [k, flag] of pick) if (str(flag) !== undefined) (opts as unknown as Record<string, unknown>)[k] = str(flag);
  if (port !== undefined) opts.port = Number(port);
  const out = await simulateAs(opts);
  if (out.standIn) {
    process.stdout.write(`the stand-in keeps serving at ${out.standIn.baseUrl} until you stop this command (Ctrl-C)\n`);
    await new Promise<void>(() => undefined);
  }
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

/** --centre, --agents, --sites, --team-size and --shifts as centre options, each checked with a plain message. */
function centreOptions(v: { centre?: string; agents?: string; sites?: string; 'team-size'?: string; shifts?: string }): CentreOptions {
  const o: CentreOptions = {};
  if (v.centre !== undefined) {
    if (!(CENTRE_PRESET_NAMES as string[]).includes(v.centre)) throw new Error(`--centre must be one of ${CENTRE_PRESET_NAMES.join(', ')}`);
    o.preset = v.centre as CentrePreset;
  }
  if (v.agents !== undefined) {
    const n = Number(v.agents);
    if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new Error('--agents must be a whole number from 1 to 100000');
    o.agents = n;
  }
  if (v.sites !== undefined) o.sites = parseSites(v.sites);
  if (v['team-size'] !== undefined) {
    const n = Number(v['team-size']);
    if (!Number.isInteger(n) || n < 2 || n > 100) throw new Error('--team-size must be a whole number from 2 to 100');
    o.teamSize = n;
  }
  if (v.shifts !== undefined) {
    if (!(SHIFT_PATTERNS as readonly string[]).includes(v.shifts)) throw new Error(`--shifts must be one of ${SHIFT_PATTERNS.join(', ')}`);
    o.pattern = v.shifts as ShiftPattern;
  }
  return o;
}
