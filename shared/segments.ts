/**
 * Segments: a scope narrowed by multi-select filters (teams, queues, channels, contact reasons, hours of the day and
 * days of the week, in the centre's time zone), its KPIs against the period before, a breakdown by one dimension (the
 * bars a manager compares peers with) and a trend, each point and bar leading to its contacts. Shared by server and
 * client so URLs, labels and validation agree.
 */
import { z } from 'zod';
import { CHANNELS } from './events.js';
import { KPI_NAMES, type KpiName, type KpiSet, type Target, type TargetStatus } from './kpis.js';

export const SEGMENT_DIMENSIONS = ['team', 'queue', 'channel', 'reason', 'hour', 'weekday'] as const;
export type SegmentDimension = (typeof SEGMENT_DIMENSIONS)[number];

export const DIMENSION_WORDS: Record<SegmentDimension, { label: string; plural: string }> = {
  team: { label: 'Team', plural: 'Teams' },
  queue: { label: 'Queue', plural: 'Queues' },
  channel: { label: 'Channel', plural: 'Channels' },
  reason: { label: 'Contact reason', plural: 'Contact reasons' },
  hour: { label: 'Hour of day', plural: 'Hours of day' },
  weekday: { label: 'Day of week', plural: 'Days of week' },
};

/** ISO weekdays, 1 = Monday. */
export const WEEKDAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

/** Where a contact's reason is not known (the event carried none) its key is this. */
export const NO_REASON = '(none)';
/** The team of a contact nobody answered. */
export const NO_TEAM = '(unanswered)';

export interface SegmentFilter {
  teams: string[];
  queues: string[];
  channels: string[];
  reasons: string[];
  /** Local hours 0-23. */
  hours: number[];
  /** ISO weekdays 1-7. */
  weekdays: number[];
}

export const EMPTY_FILTER: SegmentFilter = { teams: [], queues: [], channels: [], reasons: [], hours: [], weekdays: [] };

const MAX_VALUES = 200;
/** A repeated query parameter (?teams=a&teams=b) or a single one: always a list. */
const many = <T extends z.ZodType>(item: T, what: string) =>
  z.preprocess((v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? (v as unknown[]) : [v]), z.array(item).max(MAX_VALUES, `at most ${MAX_VALUES} ${what}`));
const idItem = z.string().min(1, 'must not be empty').max(128, 'must be at most 128 characters');

export const segmentFilterQuery = z.object({
  teams: many(idItem, 'teams'),
  queues: many(idItem, 'queues'),
  channels: many(z.enum(CHANNELS, { message: `must be one of ${CHANNELS.join(', ')}` }), 'channels'),
  reasons: many(idItem, 'reasons'),
  hours: many(z.coerce.number().int('must be a whole hour').min(0, 'hours run 0-23').max(23, 'hours run 0-23'), 'hours'),
  weekdays: many(z.coerce.number().int('must be a weekday number').min(1, 'weekdays run 1 (Monday) to 7 (Sunday)').max(7, 'weekdays run 1 (Monday) to 7 (Sunday)'), 'weekdays'),
});

export function isFiltered(f: SegmentFilter): boolean {
  return f.teams.length + f.queues.length + f.channels.length + f.reasons.length + f.hours.length + f.weekdays.length > 0;
}

/** The filter as repeated query parameters, in a stable order (so equal filters give equal URLs and cache keys). */
export function filterParams(f: SegmentFilter, into = new URLSearchParams()): URLSearchParams {
  for (const t of [...f.teams].sort()) into.append('teams', t);
  for (const q of [...f.queues].sort()) into.append('queues', q);
  for (const c of [...f.channels].sort()) into.append('channels', c);
  for (const r of [...f.reasons].sort()) into.append('reasons', r);
  for (const h of [...f.hours].sort((a, b) => a - b)) into.append('hours', String(h));
  for (const w of [...f.weekdays].sort((a, b) => a - b)) into.append('weekdays', String(w));
  return into;
}

/** Reads a filter back from URL parameters, dropping what does not parse (a hand-edited link degrades, not breaks). */
export function filterFromParams(p: URLSearchParams): SegmentFilter {
  const r = segmentFilterQuery.safeParse({ teams: p.getAll('teams'), queues: p.getAll('queues'), channels: p.getAll('channels'), reasons: p.getAll('reasons'), hours: p.getAll('hours'), weekdays: p.getAll('weekdays') });
  return r.success ? r.data : EMPTY_FILTER;
}

/** "8–10, 14" for a set of hours: consecutive runs shown as ranges of clock hours. */
export function hoursText(hours: number[]): string {
  const s = [...new Set(hours)].sort((a, b) => a - b);
  const runs: string[] = [];
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j + 1 < s.length && (s[j + 1] as number) === (s[j] as number) + 1) j++;
    const a = s[i] as number;
    const b = (s[j] as number) + 1;
    runs.push(`${String(a).padStart(2, '0')}:00–${String(b % 24).padStart(2, '0')}:00`);
    i = j + 1;
  }
  return runs.join(', ');
}

export const segmentQuery = segmentFilterQuery.extend({
  kpi: z.enum(KPI_NAMES).default('csat'),
  by: z.enum(SEGMENT_DIMENSIONS).default('team'),
  format: z.enum(['json', 'csv']).default('json'),
});

export interface SegmentOption {
  id: string;
  label: string;
}

export interface SegmentBar {
  /** The dimension's value: an id, a channel, a reason, an hour (as text) or a weekday number (as text). */
  key: string;
  label: string;
  value: number | null;
  n: number;
  /** The same bar in the previous period, for "+x vs previous period". */
  previous: number | null;
}

export interface SegmentTrendPoint {
  start: string;
  end: string;
  value: number | null;
  n: number;
}

export interface SegmentReply {
  scope: string;
  from: string;
  to: string;
  previousFrom: string;
  previousTo: string;
  timeZone: string;
  filter: SegmentFilter;
  kpi: KpiName;
  kpis: KpiSet;
  previous: KpiSet;
  targets: Partial<Record<KpiName, Target | null>>;
  status: Partial<Record<KpiName, TargetStatus>>;
  by: SegmentDimension;
  bars: SegmentBar[];
  /** Bars left out because they are teams the caller may not see (a team leader sees only their own teams). */
  hiddenBars: number;
  /** One point per local day. */
  trend: SegmentTrendPoint[];
  /** What each filter can choose from within the scope (seen in the data or in the directory). */
  options: Record<'teams' | 'queues' | 'channels' | 'reasons', SegmentOption[]>;
}
