/** Shared helpers for the simulator tests: run a simulation and index its events by contact. */
import { assertNever, type EventOf, type FrontlineEvent } from '../../../shared/events.js';
import { CentreSimulator, type SimulatorOptions } from '../../../server/simulator/index.js';

export const DAY_MS = 86_400_000;
/** Monday 2 March 2026, 00:00 in London (GMT, before the clocks change). */
export const MONDAY = Date.UTC(2026, 2, 2, 0, 0, 0);

export function simulate(days: number, options: Partial<SimulatorOptions> = {}): { sim: CentreSimulator; events: FrontlineEvent[] } {
  const startMs = options.startMs ?? MONDAY;
  const sim = new CentreSimulator({ seed: 7, ...options, startMs });
  const events: FrontlineEvent[] = [];
  for (let d = 1; d <= days; d++) for (const e of sim.advanceTo(startMs + d * DAY_MS)) events.push(e);
  return { sim, events };
}

export interface ContactRecord {
  offered: EventOf<'contact.offered'>;
  offeredMs: number;
  answeredMs?: number;
  abandonedMs?: number;
  ended?: EventOf<'contact.ended'>;
  endedMs?: number;
  surveys: EventOf<'survey.responded'>[];
  transferred: number;
}

export function byContact(events: readonly FrontlineEvent[]): Map<string, ContactRecord> {
  const out = new Map<string, ContactRecord>();
  const get = (id: string) => {
    const c = out.get(id);
    if (!c) throw new Error(`event for unknown contact ${id}`);
    return c;
  };
  for (const e of events) {
    const t = Date.parse(e.occurredAt);
    switch (e.type) {
      case 'contact.offered':
        out.set(e.contactId, { offered: e, offeredMs: t, surveys: [], transferred: 0 });
        break;
      case 'contact.answered': {
        const c = get(e.contactId);
        c.answeredMs ??= t;
        break;
      }
      case 'contact.abandoned':
        get(e.contactId).abandonedMs = t;
        break;
      case 'contact.ended': {
        const c = get(e.contactId);
        c.ended = e;
        c.endedMs = t;
        break;
      }
      case 'contact.transferred':
        get(e.contactId).transferred++;
        break;
      case 'survey.responded':
        get(e.contactId).surveys.push(e);
        break;
      case 'qa.evaluated':
      case 'complaint.logged':
      case 'agent.state':
      case 'survey.offered':
        break;
      default:
        assertNever(e);
    }
  }
  return out;
}

export const aht = (e: EventOf<'contact.ended'>): number => e.talkSeconds + e.holdSeconds + e.wrapSeconds;

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

export const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

export function ofType<T extends FrontlineEvent['type']>(events: readonly FrontlineEvent[], type: T): EventOf<T>[] {
  return events.filter((e): e is EventOf<T> => e.type === type);
}

/** Local hour and weekday in London. */
const london = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hourCycle: 'h23', hour: 'numeric', minute: 'numeric', weekday: 'short' });

const londonCache = new Map<number, { hour: number; minute: number; weekday: string }>();

export function londonTime(ms: number): { hour: number; minute: number; weekday: string } {
  const minute = Math.floor(ms / 60_000);
  const cached = londonCache.get(minute);
  if (cached) return cached;
  const parts = london.formatToParts(new Date(minute * 60_000));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const out = { hour: Number(get('hour')), minute: Number(get('minute')), weekday: get('weekday').toLowerCase() };
  londonCache.set(minute, out);
  return out;
}
