/**
 * Segments: a scope narrowed by multi-select filters (teams, queues, channels, contact reasons, hours of the day and
 * days of the week, in the centre's time zone), its KPIs against the period before, a breakdown by one dimension (the
 * bars a manager compares peers with) and a trend, each point and bar leading to its contacts. Shared by server and
 * client so URLs, labels and validation agree.
 */
import { z } from 'zod';
import { CHANNELS } from './channels.js';
import { KPI_NAMES, type KpiName, type KpiSet, type Target, type TargetStatus } from './kpis.js';
import { FILTER_MAX_ID_LENGTH, FILTER_MAX_VALUES, SEGMENT_DIMENSIONS, type SegmentDimension, type SegmentFilter } from './segment-filter.js';

// The filter's words and its URL form live in a zod-free module (client pages import it without zod); the schema
// below is what the server checks a query with, and test/unit/segment-filter.test.ts holds both to the same answers.
export {
  DIMENSION_WORDS,
  EMPTY_FILTER,
  filterFromParams,
  filterParams,
  hoursText,
  isFiltered,
  NO_REASON,
  NO_TEAM,
  SEGMENT_DIMENSIONS,
  WEEKDAY_NAMES,
  type SegmentDimension,
  type SegmentFilter,
} from './segment-filter.js';

/** A repeated query parameter (?teams=a&teams=b) or a single one: always a list. */
const many = <T extends z.ZodType>(item: T, what: string) =>
  z.preprocess((v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? (v as unknown[]) : [v]), z.array(item).max(FILTER_MAX_VALUES, `at most ${FILTER_MAX_VALUES} ${what}`));
const idItem = z.string().min(1, 'must not be empty').max(FILTER_MAX_ID_LENGTH, `must be at most ${FILTER_MAX_ID_LENGTH} characters`);

export const segmentFilterQuery = z.object({
  teams: many(idItem, 'teams'),
  queues: many(idItem, 'queues'),
  channels: many(z.enum(CHANNELS, { message: `must be one of ${CHANNELS.join(', ')}` }), 'channels'),
  reasons: many(idItem, 'reasons'),
  hours: many(z.coerce.number().int('must be a whole hour').min(0, 'hours run 0-23').max(23, 'hours run 0-23'), 'hours'),
  weekdays: many(z.coerce.number().int('must be a weekday number').min(1, 'weekdays run 1 (Monday) to 7 (Sunday)').max(7, 'weekdays run 1 (Monday) to 7 (Sunday)'), 'weekdays'),
});

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
