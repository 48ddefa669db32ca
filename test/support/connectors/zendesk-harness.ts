/**
 * Running Zendesk records through the mapper the way the pipeline will (one memory per source, records in order),
 * and reading back each contact's latest revision: shared by the Zendesk unit, round-trip and integration tests.
 */
import { zendeskMapper } from '../../../server/connectors/zendesk/mapping.js';
import type { MapContext, MapOutcome, RawRecord } from '../../../server/connectors/types.js';
import { sourceMapping, type SourceMapping } from '../../../shared/sources.js';

export interface MappedRun {
  events: Record<string, unknown>[];
  outcomes: { record: RawRecord; outcome: MapOutcome }[];
  memory: Map<string, unknown>;
}

export function mapperContext(mapping: Partial<SourceMapping> = {}, memory = new Map<string, unknown>(), sourceId = 'zd-test'): MapContext {
  return {
    sourceId,
    mapping: sourceMapping.parse(mapping),
    memory: {
      get: (k) => memory.get(k),
      set: (k, v) => {
        if (v === undefined) memory.delete(k);
        else memory.set(k, v);
      },
    },
  };
}

/** Maps records in order with one memory; the events of every record that mapped. */
export function mapAll(records: readonly RawRecord[], mapping: Partial<SourceMapping> = {}, memory = new Map<string, unknown>()): MappedRun {
  const ctx = mapperContext(mapping, memory);
  const events: Record<string, unknown>[] = [];
  const outcomes: MappedRun['outcomes'] = [];
  for (const record of records) {
    // A copy, as the pipeline hands each record over from JSON: the mapper never shares memory objects with it.
    const outcome = zendeskMapper.map(structuredClone(record), ctx);
    outcomes.push({ record, outcome });
    if (outcome.ok) events.push(...outcome.events);
  }
  return { events, outcomes, memory };
}

const LIFECYCLE = new Set(['contact.offered', 'contact.answered', 'contact.transferred', 'contact.ended', 'contact.abandoned']);

export interface ContactView {
  contactId: string;
  revision: number;
  offered?: Record<string, unknown>;
  answered?: Record<string, unknown>;
  transfers: Record<string, unknown>[];
  legs: Record<string, unknown>[];
  abandoned?: Record<string, unknown>;
  surveys: Record<string, unknown>[];
  surveysOffered: number;
}

/** Each contact as the latest revision of its lifecycle leaves it, with its latest survey responses. */
export function contactsOf(events: readonly Record<string, unknown>[]): Map<string, ContactView> {
  const out = new Map<string, ContactView>();
  const view = (id: string): ContactView => {
    let v = out.get(id);
    if (!v) {
      v = { contactId: id, revision: -1, transfers: [], legs: [], surveys: [], surveysOffered: 0 };
      out.set(id, v);
    }
    return v;
  };
  for (const e of events) {
    if (!LIFECYCLE.has(e.type as string)) continue;
    const v = view(e.contactId as string);
    const r = (e.revision as number | undefined) ?? 0;
    if (r < v.revision) continue;
    if (r > v.revision) {
      v.revision = r;
      delete v.offered;
      delete v.answered;
      delete v.abandoned;
      v.transfers = [];
      v.legs = [];
    }
    switch (e.type) {
      case 'contact.offered':
        v.offered = e;
        break;
      case 'contact.answered':
        v.answered = e;
        break;
      case 'contact.transferred':
        if (!v.transfers.some((x) => x.id === e.id)) v.transfers.push(e);
        break;
      case 'contact.ended':
        if (!v.legs.some((x) => x.id === e.id)) v.legs.push(e);
        break;
      case 'contact.abandoned':
        v.abandoned = e;
        break;
    }
  }
  const responses = new Map<string, Record<string, unknown>>();
  const offers = new Set<string>();
  for (const e of events) {
    if (e.type === 'survey.offered') offers.add(e.id as string);
    if (e.type !== 'survey.responded') continue;
    const key = `${e.contactId as string}/${e.responseId as string}`;
    const held = responses.get(key);
    if (!held || (held.revision as number) <= (e.revision as number)) responses.set(key, e);
  }
  for (const e of responses.values()) view(e.contactId as string).surveys.push(e);
  for (const id of offers) view(id.replace(/:rating:.*$/, '')).surveysOffered += 1;
  for (const v of out.values()) v.legs.sort((a, b) => Date.parse(a.occurredAt as string) - Date.parse(b.occurredAt as string));
  return out;
}

export function handleOf(leg: Record<string, unknown>): number {
  return (leg.talkSeconds as number) + (leg.holdSeconds as number) + (leg.wrapSeconds as number);
}
