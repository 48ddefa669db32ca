/**
 * bench/drilldown: 90 days of the default simulated centre in SQLite. p50 and p95 of each drill-down query, beside the
 * same answer computed from the raw events in the same run (read from the store and worked out plainly), with the
 * ratio and a check that both give the same answer:
 * - the contacts behind a day on a CSAT chart, for the centre, a team and an agent;
 * - one contact's record;
 * - 30 days of comment themes for the centre and for a team.
 * - building a 30-day service quality review for the centre (checked on its CSAT figures against the raw events);
 * - segments: the centre narrowed by multi-select filters over 90 and 30 days (checked on CSAT against the raw events).
 *
 *   npm run bench:drilldown            (DAYS=90 to change the span)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Scope } from '../../shared/access.js';
import { contactIdOf, type FrontlineEvent } from '../../shared/events.js';
import { systemClock } from '../../server/clock.js';
import { DirectoryService } from '../../server/directory/directory.service.js';
import { ContactsService } from '../../server/drilldown/contacts.service.js';
import { IngestService } from '../../server/ingest/ingest.service.js';
import { silentLogger } from '../../server/logger.js';
import { CentreSimulator, defaultCentreDirectory, Rng } from '../../server/simulator/index.js';
import { openStore } from '../../server/store/db.js';
import { scanEvents } from '../../server/store/events.store.js';
import { compileThemes, DEFAULT_THEMES, tagThemes } from '../../server/voc/themes.js';
import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import { DirectoryIndex } from '../../server/access/policies.js';
import { AuditService } from '../../server/audit/audit.service.js';
import { CaseStore } from '../../server/coaching/case.store.js';
import { KpiService } from '../../server/kpi/kpi.service.js';
import { ReviewService } from '../../server/review/review.service.js';
import { TargetService } from '../../server/targets/target.service.js';
import { buildOracle } from '../../test/support/kpi-oracle.js';
import { filterForScope, VocService } from '../../server/voc/voc.service.js';
import { SegmentsService } from '../../server/segments/segments.service.js';
import { EMPTY_FILTER, type SegmentDimension, type SegmentFilter } from '../../shared/segments.js';

const DAYS = Number(process.env.DAYS ?? 90);
const DAY = 86_400_000;
const REPEAT = 30;
const RAW_REPEAT = 3;

function pct(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
}

async function timed<T>(n: number, run: (i: number) => Promise<T>): Promise<{ ms: number[]; last: T }> {
  const ms: number[] = [];
  let last: T | undefined;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    last = await run(i);
    ms.push(performance.now() - t0);
  }
  return { ms, last: last as T };
}

const f = (ms: number) => (ms < 1 ? ms.toFixed(2) : ms.toFixed(1)).padStart(7);

function line(name: string, fast: number[], raw: number[], same: boolean): void {
  console.log(
    `${name.padEnd(44)} p50 ${f(pct(fast, 0.5))} ms  p95 ${f(pct(fast, 0.95))} ms   | from raw events p50 ${pct(raw, 0.5).toFixed(0).padStart(6)} ms  (${(pct(raw, 0.5) / Math.max(0.01, pct(fast, 0.5))).toFixed(0)}x)   same answer: ${same ? 'yes' : 'NO'}`,
  );
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'frontline-bench-drill-'));
  const store = await openStore({ kind: 'sqlite', file: path.join(work, 'd.sqlite') });
  const directory = defaultCentreDirectory();
  const dirs = new DirectoryService(store);
  await dirs.replace(directory);
  const voc = new VocService(store, systemClock, silentLogger);
  await voc.start();
  const end = Math.floor(Date.now() / DAY) * DAY;
  const start = end - DAYS * DAY;
  const sim = new CentreSimulator({ seed: 7, startMs: start, directory, scenarioWindowDays: DAYS });
  const ingest = new IngestService({ store, clock: systemClock, logger: silentLogger, maxClockSkewMs: 1e12, onStored: (e) => voc.onStored(e) });
  let events = 0;
  for (let d = 1; d <= DAYS; d++) {
    const batch = sim.advanceTo(start + d * DAY).filter((e) => e.type !== 'agent.state');
    for (let i = 0; i < batch.length; i += 5000) await ingest.ingest(batch.slice(i, i + 5000));
    events += batch.length;
  }
  await voc.settle();
  console.log(`bench/drilldown on ${os.cpus().length} cores, node ${process.version}: ${events.toLocaleString('en-GB')} events over ${DAYS} days (SQLite)`);
  const contacts = new ContactsService(store);
  const rng = new Rng(3);
  const team = directory.teams[0]!.id;
  const agent = directory.agents[3]!.id;
  const scopes: { name: string; scope: Scope }[] = [
    { name: 'centre', scope: { kind: 'centre' } },
    { name: `team:${team}`, scope: { kind: 'team', id: team } },
    { name: `agent:${agent}`, scope: { kind: 'agent', id: agent } },
  ];

  /** Raw baseline: every stored event read and worked out plainly. */
  async function rawContactsBehind(scope: Scope, fromMs: number, toMs: number): Promise<{ total: number; against: number }> {
    const byContact = new Map<string, FrontlineEvent[]>();
    await scanEvents(store.db, (q) => q, (e) => {
      const cid = contactIdOf(e);
      if (cid !== undefined) byContact.set(cid, [...(byContact.get(cid) ?? []), e]);
    });
    let total = 0;
    let against = 0;
    for (const evs of byContact.values()) {
      const offered = evs.filter((e) => e.type === 'contact.offered').sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt))[0];
      if (!offered || Date.parse(offered.occurredAt) < fromMs || Date.parse(offered.occurredAt) >= toMs) continue;
      const answered = evs.filter((e) => e.type === 'contact.answered').sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt))[0];
      const agentId = answered?.type === 'contact.answered' ? answered.agentId : null;
      const teamOf = directory.agents.find((a) => a.id === agentId)?.teamId;
      if (scope.kind === 'team' && teamOf !== scope.id) continue;
      if (scope.kind === 'agent' && agentId !== scope.id) continue;
      let csat: number | undefined;
      for (const e of evs) if (e.type === 'survey.responded' && e.csat !== undefined) csat = e.csat;
      if (csat === undefined) continue;
      total++;
      if (csat <= 3) against++;
    }
    return { total, against };
  }

  for (const s of scopes) {
    const days = Array.from({ length: REPEAT }, () => end - rng.int(1, DAYS - 1) * DAY);
    const fast = await timed(REPEAT, (i) => contacts.behind(s.scope, s.name, directory, days[i]!, days[i]! + DAY, 'csat', 500));
    const raw = await timed(RAW_REPEAT, () => rawContactsBehind(s.scope, days[REPEAT - 1]!, days[REPEAT - 1]! + DAY));
    line(`contacts behind a CSAT day, ${s.name}`, fast.ms, raw.ms, fast.last.total === raw.last.total && fast.last.against === raw.last.against);
  }

  const ids = (await store.db.selectFrom('events').select('contact_id').where('type', '=', 'contact.offered').execute()).map((r) => r.contact_id!);
  const picks = Array.from({ length: REPEAT }, () => rng.pick(ids));
  const fastRec = await timed(REPEAT, (i) => contacts.record(picks[i]!, directory));
  const rawRec = await timed(RAW_REPEAT, async () => {
    const mine: FrontlineEvent[] = [];
    await scanEvents(store.db, (q) => q, (e) => {
      if (contactIdOf(e) === picks[REPEAT - 1]) mine.push(e);
    });
    return mine;
  });
  line('one contact record', fastRec.ms, rawRec.ms, fastRec.last?.timeline.length === rawRec.last.length);

  const themes = compileThemes(DEFAULT_THEMES);
  for (const s of scopes.slice(0, 2)) {
    const filter = filterForScope(s.scope, directory);
    const fast = await timed(REPEAT, () => voc.themes(s.name, filter, end - 30 * DAY, end));
    const raw = await timed(RAW_REPEAT, async () => {
      const answeredBy = new Map<string, { agentId: string; at: number }>();
      const comments: { contactId: string | undefined; agentId: string | undefined; text: string; at: number }[] = [];
      await scanEvents(store.db, (q) => q, (e) => {
        if (e.type === 'contact.answered' && !(Date.parse(e.occurredAt) >= (answeredBy.get(e.contactId)?.at ?? Infinity))) answeredBy.set(e.contactId, { agentId: e.agentId, at: Date.parse(e.occurredAt) });
        const text = e.type === 'survey.responded' ? e.comment : e.type === 'complaint.logged' ? e.summary : undefined;
        if (text) comments.push({ contactId: contactIdOf(e), agentId: e.type === 'complaint.logged' ? e.agentId : undefined, text, at: Date.parse(e.occurredAt) });
      });
      const counts = new Map<string, number>();
      const agents = filter.agentIds ? new Set(filter.agentIds) : null;
      for (const c of comments) {
        if (c.at < end - 30 * DAY || c.at >= end) continue;
        const who = c.agentId ?? (c.contactId ? answeredBy.get(c.contactId)?.agentId : undefined);
        if (agents && (!who || !agents.has(who))) continue;
        for (const t of tagThemes(c.text, themes)) counts.set(t, (counts.get(t) ?? 0) + 1);
      }
      return counts;
    });
    const same = fast.last.themes.every((t) => t.count === (raw.last.get(t.id) ?? 0));
    line(`30 days of comment themes, ${s.name}`, fast.ms, raw.ms, same);
  }
  // The service quality review for the centre over the last 30 whole days, beside its CSAT figures (the period's
  // value and each day's) worked out from the raw events with the test oracle.
  const kpis = new KpiService(store, dirs, systemClock, silentLogger);
  await kpis.start();
  const targets = new TargetService(store, systemClock, new AuditService(store, systemClock, silentLogger), kpis);
  const reviews = new ReviewService({ store, kpis, targets, cases: new CaseStore(store), voc, clock: systemClock });
  const dayOf = (ms: number) => format(new TZDate(ms, kpis.timeZone), 'yyyy-MM-dd');
  const toDay = dayOf(kpis.today().fromMs - DAY);
  const fromDay = dayOf(kpis.today().fromMs - 30 * DAY);
  const dirIndex = new DirectoryIndex(directory);
  const fastReview = await timed(10, () => reviews.build({ kind: 'centre' }, fromDay, toDay, directory, dirIndex));
  const rawReview = await timed(RAW_REPEAT, async () => {
    const r = fastReview.last;
    const rows = await store.db.selectFrom('events').select('payload').where('occurred_ms', '>=', Date.parse(r.fromAt) - 31 * DAY).where('occurred_ms', '<', Date.parse(r.toAt) + 8 * DAY).execute();
    const oracle = buildOracle(rows.map((x) => JSON.parse(x.payload) as FrontlineEvent), directory);
    const rate = (o: ReturnType<typeof oracle>) => (o.csat.length === 0 ? null : o.csat.filter(([sat]) => sat).length / o.csat.length);
    const days: number[] = [];
    for (let d = Date.parse(r.fromAt); d < Date.parse(r.toAt); d += DAY) {
      const v = rate(oracle('centre', d, d + DAY));
      if (v !== null) days.push(v);
    }
    return { value: rate(oracle('centre', Date.parse(r.fromAt), Date.parse(r.toAt))), days };
  });
  const close = (a: number | null | undefined, b: number | null) => (a === null || a === undefined ? b === null : b !== null && Math.abs(a - b) < 1e-9);
  // Segments: multi-select filters over the history, from the engine's segment cells, beside the same CSAT worked out
  // from every raw event of the period with the test oracle.
  const segments = new SegmentsService(kpis);
  const periodEnd = kpis.today().fromMs;
  const segmentCases: { name: string; days: number; filter: SegmentFilter; by: SegmentDimension }[] = [
    { name: 'no filter, by team', days: DAYS, filter: EMPTY_FILTER, by: 'team' },
    { name: '2 queues + 3 reasons + weekdays, by reason', days: DAYS, filter: { ...EMPTY_FILTER, queues: ['voice-billing', 'email-support'], reasons: ['refund', 'bill-dispute', 'billing-query'], weekdays: [1, 2, 3, 4, 5] }, by: 'reason' },
    { name: 'hours 09-12 + voice, by hour', days: DAYS, filter: { ...EMPTY_FILTER, hours: [9, 10, 11], channels: ['voice'] }, by: 'hour' },
    { name: '1 team, 30 days, by queue', days: 30, filter: { ...EMPTY_FILTER, teams: [team] }, by: 'queue' },
  ];
  for (const c of segmentCases) {
    const fromMs = kpis.dayStart(periodEnd - c.days * DAY + 12 * 3600_000);
    const req = { scope: { kind: 'centre' } as Scope, scopeText: 'centre', filter: c.filter, fromMs, toMs: periodEnd, kpi: 'csat' as const, by: c.by, canSeeTeam: () => true };
    const fast = await timed(REPEAT, () => segments.build(req, directory));
    const raw = await timed(RAW_REPEAT, async () => {
      const rows = await store.db.selectFrom('events').select('payload').where('occurred_ms', '>=', fromMs - DAY).where('occurred_ms', '<', periodEnd + 8 * DAY).execute();
      const oracle = buildOracle(rows.map((x) => JSON.parse(x.payload) as FrontlineEvent), directory);
      return oracle((x) => {
        const local = new TZDate(x.atMs, kpis.timeZone);
        const wd = local.getDay() === 0 ? 7 : local.getDay();
        const f = c.filter;
        return (f.teams.length === 0 || f.teams.includes(x.team ?? '(unanswered)')) && (f.queues.length === 0 || f.queues.includes(x.queue ?? '')) && (f.channels.length === 0 || f.channels.includes(x.channel ?? '')) && (f.reasons.length === 0 || f.reasons.includes(x.reason ?? '(none)')) && (f.hours.length === 0 || f.hours.includes(local.getHours())) && (f.weekdays.length === 0 || f.weekdays.includes(wd));
      }, fromMs, periodEnd);
    });
    const got = fast.last.kpis.csat;
    const o = raw.last.csat;
    line(`segments ${c.days} d: ${c.name}`, fast.ms, raw.ms, got.n === o.length && close(got.value, o.length === 0 ? null : o.filter(([sat]) => sat).length / o.length));
  }
  console.log('  (segments also build the previous period, all 11 KPIs, the breakdown and the daily trend; the raw side works out CSAT for the period only)');

  const csat = fastReview.last.results.find((x) => x.kpi === 'csat');
  line(`service quality review, centre, 30 days`, fastReview.ms, rawReview.ms, close(csat?.value, rawReview.last.value) && csat?.points.length === rawReview.last.days.length && (csat?.points ?? []).every((p, i) => close(p.value, rawReview.last.days[i] ?? null)));
  console.log('  (the raw side works out CSAT only, the period and each day; the review also builds four other KPIs, segments, themes and coaching)');
  await kpis.stop();
  await store.close();
  fs.rmSync(work, { recursive: true, force: true });
}

await main();
