/**
 * bench/flagging/reread: what the flagger's reading costs when late data arrives, on SQLite. The default simulated
 * centre's history (DAYS, 90 by default) is stored with holes, then two kinds of late data arrive: the surveys of
 * yesterday's contacts (a survey platform's late delivery) and a three-day backfill. After each, the counts are read
 * two ways in the same run: every day again (the baseline, how every run read before) and only the days the late
 * data touched (server/flagging/day-reader.ts). Both must give the same counts.
 *
 *   npm run bench:flagging:reread            (DAYS=30 to change the span)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { FrontlineEvent } from '../../shared/events.js';
import { scopeZones } from '../../shared/zones.js';
import { DailyCountsBuilder } from '../../server/flagging/daily.js';
import { readAllDays, readChangedDays } from '../../server/flagging/day-reader.js';
import { toRow } from '../../server/ingest/ingest.service.js';
import { creditRuleOf } from '../../server/kpi/engine.js';
import { CentreSimulator, defaultCentreDirectory } from '../../server/simulator/index.js';
import { openStore } from '../../server/store/db.js';
import { writeEvents } from '../../server/store/events.store.js';

const DAYS = Number(process.env.DAYS ?? 90);
const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 5);
const NOW = START + DAYS * DAY + 10 * 3600_000;
const load = (): string => os.loadavg().map((x) => x.toFixed(2)).join(' ');

const directory = defaultCentreDirectory();
const zones = scopeZones(directory);
const newBuilder = () => new DailyCountsBuilder(zones.centre, (a) => zones.of(`agent:${a}`), creditRuleOf(directory));
const today = newBuilder().openFrom(NOW, zones.all());

const all = new CentreSimulator({ seed: 8, startMs: START, directory, scenarios: [] }).advanceTo(START + DAYS * DAY).filter((e) => e.type !== 'agent.state');
const offered = new Map<string, number>();
for (const e of all) if (e.type === 'contact.offered') offered.set(e.contactId, Date.parse(e.occurredAt));
const dayOf = (e: FrontlineEvent): number => Math.floor(((('contactId' in e && e.contactId !== undefined ? offered.get(e.contactId) : undefined) ?? 0) - START) / DAY);
const lateSurvey = (e: FrontlineEvent) => e.type === 'survey.responded' && dayOf(e) === DAYS - 1;
const backfill = (e: FrontlineEvent) => dayOf(e) >= 40 && dayOf(e) < 43;

const dir = mkdtempSync(path.join(os.tmpdir(), 'frontline-reread-'));
const store = await openStore({ kind: 'sqlite', file: path.join(dir, 'frontline.db') });
const put = async (events: FrontlineEvent[]) => {
  for (let i = 0; i < events.length; i += 5000) await writeEvents(store, events.slice(i, i + 5000).map((e) => toRow(e, NOW)));
};

console.log(`bench/flagging/reread on ${os.cpus().length} cores, node ${process.version}, load ${load()}: ${directory.agents.length} agents, ${DAYS} days, ${all.length.toLocaleString('en-GB')} events (agent states left out), SQLite`);
await put(all.filter((e) => !lateSurvey(e) && !backfill(e)));
let held = (await readAllDays(store.db, newBuilder(), today)).days;

async function step(label: string, late: FrontlineEvent[]): Promise<void> {
  await put(late);
  const contacts = new Set(late.map((e) => ('contactId' in e ? e.contactId : undefined)).filter((c): c is string => c !== undefined));
  const times = { full: [] as number[], changed: [] as number[] };
  let fullRead: Awaited<ReturnType<typeof readAllDays>> | undefined;
  let changedRead: Awaited<ReturnType<typeof readChangedDays>> | undefined;
  // Three of each, alternated, so a noisy moment does not fall on one side only; the median is printed.
  for (let rep = 0; rep < 3; rep++) {
    let t0 = performance.now();
    fullRead = await readAllDays(store.db, newBuilder(), today);
    times.full.push(performance.now() - t0);
    const copy = structuredClone(held);
    t0 = performance.now();
    changedRead = await readChangedDays(store.db, newBuilder, zones.centre, zones.all(), copy, today, today, contacts);
    times.changed.push(performance.now() - t0);
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[1] as number;
  const same = isDeepStrictEqual(changedRead!.days, fullRead!.days);
  console.log(
    `${label.padEnd(34)} every day: ${fullRead!.events.toLocaleString('en-GB').padStart(8)} events, ${med(times.full).toFixed(0).padStart(5)} ms   ` +
      `changed days only: ${String(changedRead!.daysRead).padStart(2)} days, ${changedRead!.events.toLocaleString('en-GB').padStart(7)} events, ${med(times.changed).toFixed(0).padStart(5)} ms   ` +
      `ratio ${(med(times.full) / med(times.changed)).toFixed(1)}x   same counts: ${same ? 'yes' : 'NO'}   load ${load()}`,
  );
  if (!same) process.exitCode = 1;
  held = fullRead!.days;
}

await step(`late surveys for yesterday (${all.filter(lateSurvey).length})`, all.filter(lateSurvey));
await step(`a three-day backfill (${all.filter(backfill).length} events)`, all.filter(backfill));
await store.close();
rmSync(dir, { recursive: true, force: true });
