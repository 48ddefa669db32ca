/**
 * A segment filter in words and in its URL form (repeated query parameters). No zod here: the explore page, the
 * contacts list and the charts read and write filters in the browser; the server checks them with segmentFilterQuery
 * (segments.ts), and a unit test holds filterFromParams and that schema to the same answers.
 */
import { CHANNELS } from './channels.js';

/** At most this many values of one kind in a filter. */
export const FILTER_MAX_VALUES = 200;
/** A team, queue or reason id in a filter: 1 to this many characters. */
export const FILTER_MAX_ID_LENGTH = 128;

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

/**
 * Reads a filter back from URL parameters; a link with anything that does not parse (a hand-edited link) gives no
 * filter at all: it degrades, not breaks. The same rules as segmentFilterQuery in segments.ts, written without zod.
 */
export function filterFromParams(p: URLSearchParams): SegmentFilter {
  const ids = (key: string): string[] | null => {
    const v = p.getAll(key);
    return v.length <= FILTER_MAX_VALUES && v.every((x) => x.length >= 1 && x.length <= FILTER_MAX_ID_LENGTH) ? v : null;
  };
  const ints = (key: string, min: number, max: number): number[] | null => {
    const v = p.getAll(key).map(Number);
    return v.length <= FILTER_MAX_VALUES && v.every((n) => Number.isInteger(n) && n >= min && n <= max) ? v : null;
  };
  const channelValues = p.getAll('channels');
  const channels = channelValues.length <= FILTER_MAX_VALUES && channelValues.every((c) => (CHANNELS as readonly string[]).includes(c)) ? channelValues : null;
  const teams = ids('teams');
  const queues = ids('queues');
  const reasons = ids('reasons');
  const hours = ints('hours', 0, 23);
  const weekdays = ints('weekdays', 1, 7);
  if (!teams || !queues || !channels || !reasons || !hours || !weekdays) return EMPTY_FILTER;
  return { teams, queues, channels, reasons, hours, weekdays };
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

