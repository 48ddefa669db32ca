/**
 * One open case per scope and KPI (issue 18, point 3), on SQLite and PostgreSQL: a flagger signal for a scope, KPI and
 * kind that already has an open case is added to that case's trail, with its rule, day and evidence, instead of
 * opening another; the same signal filed again adds nothing; once the case is closed, a new signal opens a new case.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseStore, type NewCase } from '../../server/coaching/case.store.js';
import { openTestStore, type TestStore } from '../support/stores.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 9, 5);

function signal(day: number, over: Partial<NewCase> = {}): NewCase {
  return {
    kind: 'systemic',
    scope: 'queue:q-billing',
    agentId: null,
    teamId: null,
    kpi: 'csat',
    rule: 'XmR: a point below the lower process limit',
    figures: { explanation: `CSAT dipped on {queue:q-billing} on day ${day}`, day: new Date(T0 + day * DAY).toISOString().slice(0, 10) },
    evidenceContactIds: [`c-${day}-1`, `c-${day}-2`],
    assignedCoachId: null,
    openedMs: T0 + day * DAY,
    ...over,
  };
}
const key = (day: number, kpi = 'csat') => `systemic|q-billing|${kpi}|day-${day}`;

describe.each(['sqlite', 'postgres'] as const)('case signals on %s', (dialect) => {
  let store: TestStore;
  let cases: CaseStore;
  beforeAll(async () => {
    store = await openTestStore(dialect);
    cases = new CaseStore(store);
  });
  afterAll(async () => {
    await store.cleanup();
  });

  it('adds a second signal for the same scope and KPI to the open case, in its trail, once', async () => {
    const heard: string[] = [];
    cases.onChanged((e) => heard.push(e.action));
    expect(await cases.fileFlagged(signal(1), key(1))).toBe('opened');
    expect(await cases.fileFlagged(signal(3), key(3))).toBe('added');
    // A later run over the same days finds both signals again: nothing new.
    expect(await cases.fileFlagged(signal(1), key(1))).toBe('seen');
    expect(await cases.fileFlagged(signal(3), key(3))).toBe('seen');
    const open = await cases.list({ limit: 100 });
    expect(open).toHaveLength(1);
    const c = open[0]!;
    expect(c).toMatchObject({ scope: 'queue:q-billing', kpi: 'csat', status: 'open', openedAt: new Date(T0 + DAY).toISOString() });
    const trail = await store.db.selectFrom('case_events').select(['action', 'actor', 'at_ms', 'details']).where('case_id', '=', c.id).orderBy('id').execute();
    expect(trail.map((e) => e.action)).toEqual(['flagged', 'signal']);
    expect(Number(trail[1]!.at_ms)).toBe(T0 + 3 * DAY);
    expect(JSON.parse(trail[1]!.details)).toMatchObject({ rule: signal(3).rule, day: signal(3).figures.day, evidenceContactIds: ['c-3-1', 'c-3-2'] });
    expect(heard).toEqual(['flagged', 'signal']);
  });

  it('keeps another KPI, another scope and another kind apart', async () => {
    expect(await cases.fileFlagged(signal(3, { kpi: 'aht' }), key(3, 'aht'))).toBe('opened');
    expect(await cases.fileFlagged(signal(4, { scope: 'queue:q-tech' }), 'systemic|q-tech|csat|day-4')).toBe('opened');
    expect(await cases.fileFlagged(signal(4, { kind: 'individual', scope: 'agent:a-1', agentId: 'a-1', teamId: 't-1' }), 'individual|a-1|csat|day-4')).toBe('opened');
    expect(await cases.list({ limit: 100 })).toHaveLength(4);
  });

  it('opens a new case for a signal that comes after the open one was closed', async () => {
    const first = (await cases.list({ limit: 100 })).find((c) => c.scope === 'queue:q-billing' && c.kpi === 'csat')!;
    await store.db.updateTable('coaching_cases').set({ status: 'closed', closed_ms: T0 + 10 * DAY }).where('id', '=', first.id).execute();
    expect(await cases.fileFlagged(signal(20), key(20))).toBe('opened');
    const billing = (await cases.list({ limit: 100 })).filter((c) => c.scope === 'queue:q-billing' && c.kpi === 'csat');
    expect(billing.map((c) => c.status).sort()).toEqual(['closed', 'open']);
  });
});
