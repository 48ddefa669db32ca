/**
 * bench/connectors: platform records mapped and stored per second on SQLite, per platform, beside v2-native ingest of
 * the same simulated centre in the same run (issue 16).
 *
 * The simulated days are turned into each platform's own records (server/connectors/<platform>/simulate.ts) and
 * delivered in-process to a source through the connectors' pipeline (mapper, mapper memory, ingest with its masking
 * and group commit, dead letters, counters), in the batch each platform's transport hands over: Amazon Connect a
 * Firehose request of 500 records, Genesys Cloud a details page of 100 conversations, Zendesk an incremental-export
 * page of 1,000, Twilio Flex one TaskRouter callback per request. The baseline is the simulator's own events through
 * ingest as contract v2 in batches of 1,000 (POST /api/v2/events without HTTP), measured before and after the platforms.
 *
 *   npm run bench:connectors             (DAYS=2 to change the volume)
 *
 * Prints records/s and stored events/s per platform, and each platform's events/s as a ratio of the baseline's, with
 * the machine's load average beside every figure.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FrontlineEvent } from '../../shared/events.js';
import { sourceMapping, type Platform, type SourceMapping } from '../../shared/sources.js';
import { systemClock } from '../../server/clock.js';
import { CONNECT_SIM_MAPPING, connectSimRecords } from '../../server/connectors/connect/simulate.js';
import { genesysConversations, genesysEvaluations, genesysSimMapping } from '../../server/connectors/genesys/simulate.js';
import { SourcePipeline } from '../../server/connectors/pipeline.js';
import { CONNECTORS } from '../../server/connectors/registry.js';
import { SecretBox } from '../../server/connectors/secrets.js';
import { SourceStore } from '../../server/connectors/sources.store.js';
import { formParams } from '../../server/connectors/twilio/signature.js';
import { twilioTaskRouterRequests } from '../../server/connectors/twilio/simulate.js';
import type { RawRecord } from '../../server/connectors/types.js';
import { ZENDESK_SIMULATOR_MAPPING, zendeskRawRecords, zendeskRecords } from '../../server/connectors/zendesk/simulate.js';
import { IngestService } from '../../server/ingest/ingest.service.js';
import { silentLogger } from '../../server/logger.js';
import { CentreSimulator } from '../../server/simulator/index.js';
import { openStore, type Store } from '../../server/store/db.js';

const DAYS = Number(process.env.DAYS ?? 2);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'frontline-bench-connectors-'));
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
const fmt = (n: number) => Math.round(n).toLocaleString('en-GB');

function simulated(): { events: FrontlineEvent[]; sim: CentreSimulator } {
  // A weekday-led stretch: 2 December 2026 is a Wednesday.
  const start = Date.UTC(2026, 11, 2, 0, 0, 0);
  const sim = new CentreSimulator({ seed: 16, startMs: start, scenarioWindowDays: DAYS });
  const events: FrontlineEvent[] = [];
  for (let d = 1; d <= DAYS; d++) events.push(...sim.advanceTo(start + d * 86_400_000));
  return { events, sim };
}

async function freshStore(label: string): Promise<Store> {
  return openStore({ kind: 'sqlite', file: path.join(work, `${label}.sqlite`) });
}

async function storedEvents(store: Store): Promise<number> {
  return Number((await store.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
}

async function baseline(events: FrontlineEvent[], label: string): Promise<{ eventsPerSecond: number; load: string }> {
  const store = await freshStore(label);
  const ingest = new IngestService({ store, clock: systemClock, logger: silentLogger, maxClockSkewMs: 1e12 });
  const t0 = performance.now();
  for (let i = 0; i < events.length; i += 1000) await ingest.ingest(events.slice(i, i + 1000), 2, 'bench');
  const s = (performance.now() - t0) / 1000;
  const n = await storedEvents(store);
  await store.close();
  return { eventsPerSecond: n / s, load: load() };
}

interface PlatformRun {
  platform: Platform;
  label: string;
  records: RawRecord[];
  batch: number;
  /** Deliveries in flight at once (a platform pushing requests in parallel). */
  concurrency: number;
  mapping: SourceMapping;
}

async function throughSource(run: PlatformRun): Promise<{ recordsPerSecond: number; eventsPerSecond: number; events: number; rejected: number; load: string }> {
  const store = await freshStore(run.label.replace(/\W+/g, '-'));
  const ingest = new IngestService({ store, clock: systemClock, logger: silentLogger, maxClockSkewMs: 1e12 });
  const sources = new SourceStore(store);
  const box = new SecretBox({ keyBase64: Buffer.alloc(32, 7).toString('base64'), keyFile: path.join(work, 'unused.key'), cluster: false });
  const pipeline = new SourcePipeline({ sources, ingest, clock: systemClock, logger: silentLogger, pseudonymizer: (id) => box.pseudonymizer(id) });
  const id = `src_bench_${run.platform}`;
  await sources.create({ id, platform: run.platform, name: run.platform, mapping: run.mapping, settings: {}, sealedSecrets: null, pollSeconds: null, backfillDays: 1, nowMs: Date.now(), createdBy: 'bench' });
  const mapper = CONNECTORS[run.platform]?.mapper;
  if (!mapper) throw new Error(`no connector for ${run.platform}`);
  const source = await sources.get(id);
  if (!source) throw new Error('source not created');
  let rejected = 0;
  let next = 0;
  const t0 = performance.now();
  // `concurrency` senders, each taking the next batch in order when its last one is answered.
  await Promise.all(
    Array.from({ length: run.concurrency }, async () => {
      for (;;) {
        const i = next;
        next += run.batch;
        if (i >= run.records.length) return;
        const out = await pipeline.deliver(source, mapper, run.records.slice(i, i + run.batch));
        rejected += out.rejected;
      }
    }),
  );
  const s = (performance.now() - t0) / 1000;
  const events = await storedEvents(store);
  await store.close();
  return { recordsPerSecond: run.records.length / s, eventsPerSecond: events / s, events, rejected, load: load() };
}

async function main(): Promise<void> {
  const { events, sim } = simulated();
  process.stdout.write(`bench/connectors: ${DAYS} simulated day(s), ${fmt(events.length)} events, ${os.cpus().length} cores, node ${process.version}, load ${load()}\n`);
  const twilioUrl = 'https://frontline.example/api/v1/sources/src_bench_twilio/push/taskrouter';
  const twilioRecords = twilioTaskRouterRequests(events, { authToken: 'x'.repeat(32), url: twilioUrl, accountSid: 'AC' + '0'.repeat(32) }).map((r) => ({ kind: 'taskrouter', body: flat(formParams(r.body)) }));
  const runs: PlatformRun[] = [
    {
      platform: 'connect',
      label: 'connect',
      concurrency: 1,
      records: connectSimRecords(events).map((r) => ({ kind: r.kind, body: r.doc })),
      batch: 500,
      mapping: sourceMapping.parse(CONNECT_SIM_MAPPING),
    },
    {
      platform: 'genesys',
      label: 'genesys',
      concurrency: 1,
      records: [...genesysConversations(events).map((c) => ({ kind: 'conversation', body: c })), ...genesysEvaluations(events).map((e) => ({ kind: 'evaluation', body: e }))],
      batch: 100,
      mapping: genesysSimMapping(sim.directory),
    },
    {
      platform: 'zendesk',
      label: 'zendesk',
      concurrency: 1,
      records: zendeskRawRecords(zendeskRecords(events, sim.directory)),
      batch: 1000,
      mapping: sourceMapping.parse(ZENDESK_SIMULATOR_MAPPING),
    },
    // Twilio posts one callback per request: one at a time, and 16 in flight (its callbacks arrive in parallel; the
    // source merges those queued behind a running delivery into one transaction).
    { platform: 'twilio', label: 'twilio ×1', concurrency: 1, records: twilioRecords, batch: 1, mapping: sourceMapping.parse({}) },
    { platform: 'twilio', label: 'twilio ×16', concurrency: 16, records: twilioRecords, batch: 1, mapping: sourceMapping.parse({}) },
  ];
  const before = await baseline(events, 'baseline-before');
  process.stdout.write(`\nv2-native ingest (baseline, batches of 1,000): ${fmt(before.eventsPerSecond)} events/s   [load ${before.load}]\n\n`);
  const rows: string[] = [];
  const results: { label: string; r: Awaited<ReturnType<typeof throughSource>>; n: number; batch: number }[] = [];
  for (const run of runs) {
    const r = await throughSource(run);
    results.push({ label: run.label, r, n: run.records.length, batch: run.batch });
  }
  const after = await baseline(events, 'baseline-after');
  const base = (before.eventsPerSecond + after.eventsPerSecond) / 2;
  rows.push('platform     batch   records   records/s   events stored   events/s   × baseline   rejected   load');
  for (const { label, r, n, batch } of results) {
    rows.push(
      `${label.padEnd(11)} ${String(batch).padStart(6)} ${fmt(n).padStart(9)} ${fmt(r.recordsPerSecond).padStart(11)} ${fmt(r.events).padStart(15)} ${fmt(r.eventsPerSecond).padStart(10)} ${(r.eventsPerSecond / base).toFixed(2).padStart(12)} ${String(r.rejected).padStart(10)}   ${r.load}`,
    );
  }
  process.stdout.write(`${rows.join('\n')}\n\nv2-native ingest again: ${fmt(after.eventsPerSecond)} events/s   [load ${after.load}]; the ratios are against the mean of both runs (${fmt(base)} events/s)\n`);
  fs.rmSync(work, { recursive: true, force: true });
}

/** Form parameters as one string each (a TaskRouter callback repeats no parameter). */
function flat(params: Record<string, string | string[]>): Record<string, string> {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? (v[0] ?? '') : v]));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
