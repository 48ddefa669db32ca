/** Segment filters in words, for headings, chips and the contacts page: "Teams: Billing, Tech · Hours: 08:00–10:00". */
import type { Directory } from '../../../shared/directory.js';
import { hoursText, NO_REASON, NO_TEAM, WEEKDAY_NAMES, type SegmentFilter } from '../../../shared/segment-filter.js';

export function reasonWords(id: string): string {
  if (id === NO_REASON) return 'No reason given';
  const w = id.replace(/[-_]+/g, ' ').trim();
  return w.charAt(0).toUpperCase() + w.slice(1);
}

export function teamWords(id: string, dir: Directory | undefined): string {
  return id === NO_TEAM ? 'Unanswered (no team)' : (dir?.teams.find((t) => t.id === id)?.name ?? id);
}

export function queueWords(id: string, dir: Directory | undefined): string {
  return dir?.queues.find((q) => q.id === id)?.name ?? id;
}

/** One part per filtered dimension, e.g. ["Teams: Billing, Tech", "Days: Mon, Tue"]. */
export function filterParts(f: SegmentFilter, dir: Directory | undefined): { key: keyof SegmentFilter; text: string }[] {
  const out: { key: keyof SegmentFilter; text: string }[] = [];
  if (f.teams.length) out.push({ key: 'teams', text: `Teams: ${f.teams.map((t) => teamWords(t, dir)).join(', ')}` });
  if (f.queues.length) out.push({ key: 'queues', text: `Queues: ${f.queues.map((q) => queueWords(q, dir)).join(', ')}` });
  if (f.channels.length) out.push({ key: 'channels', text: `Channels: ${f.channels.join(', ')}` });
  if (f.reasons.length) out.push({ key: 'reasons', text: `Reasons: ${f.reasons.map(reasonWords).join(', ')}` });
  if (f.hours.length) out.push({ key: 'hours', text: `Hours: ${hoursText(f.hours)}` });
  if (f.weekdays.length) out.push({ key: 'weekdays', text: `Days: ${[...f.weekdays].sort((a, b) => a - b).map((d) => WEEKDAY_NAMES[d - 1]).join(', ')}` });
  return out;
}

export function filterWords(f: SegmentFilter, dir: Directory | undefined): string {
  return filterParts(f, dir)
    .map((p) => p.text)
    .join(' · ');
}
