/**
 * Contact evaluations → `qa.evaluated`: the score computed from the form's weights with "not applicable" answers left
 * out (both scoring modes, worked out by hand below), automatic fails, drafts and unscored forms, an amended
 * evaluation under the same evaluation id with a later LastModifiedTime, an evaluation arriving before its contact, the
 * agent named from what the mapper learnt (or unmapped until it has), and the S3 export's own percentage.
 *
 * The form (test/support/connectors/connect.ts, `evaluation`): Greeting (weight 40): q-greet Yes 10 / Partly 5 / No 0
 * (weight 20), q-verify Yes 10 / No 0 AutomaticFail (weight 20, N/A allowed); Resolution (weight 60): q-resolve
 * Yes 10 / No 0 (weight 40), q-hold numeric 0 → 10, 1–2 → 6, 3–5 → 0 (weight 20, N/A allowed), q-notes TEXT.
 */
import { describe, expect, it } from 'vitest';
import { readEvaluation } from '../../../../server/connectors/connect/evaluation.js';
import { agentEvent, ctr, evaluation, exportedEvaluation, mappingOf, mapRecords, MemoryMap, rec, USERS, agentArn, type Mapped } from '../../../support/connectors/connect.js';

const T = Date.UTC(2026, 10, 2, 9, 0, 0);
const S = T / 1000;

function scoreOf(body: Record<string, unknown>): { score: number | null; criticalFail: boolean } {
  const r = readEvaluation(body);
  if (!r.ok) throw new Error(r.reasons.join('; '));
  return { score: r.value.score, criticalFail: r.value.criticalFail };
}

const ok = (m: Mapped | undefined) => {
  expect(m?.outcome.ok, JSON.stringify(m?.outcome)).toBe(true);
  return m?.events ?? [];
};

describe('the evaluation score', () => {
  const answers = { 'q-greet': 'partly', 'q-verify': 'N/A', 'q-resolve': 'yes', 'q-hold': 1, 'q-notes': 'Refund agreed.' } as const;

  it('weights questions, leaving out the not-applicable one (QUESTION_ONLY)', () => {
    // greet Partly 5/10 = 50 %, verify N/A (out), resolve Yes 100 %, hold 1 → 6/10 = 60 %, notes unscored:
    // (20 × 50 + 40 × 100 + 20 × 60) / (20 + 40 + 20) = 6200 / 80 = 77.5.
    expect(scoreOf(evaluation({ evaluationId: 'e1', contactId: 'c', modifiedS: S, answers }))).toEqual({ score: 77.5, criticalFail: false });
  });

  it('weights sections by the mean of their scored questions (SECTION_ONLY)', () => {
    // Greeting = mean(50) = 50 (verify N/A); Resolution = mean(100, 60) = 80: (40 × 50 + 60 × 80) / 100 = 68.
    expect(scoreOf(evaluation({ evaluationId: 'e2', contactId: 'c', modifiedS: S, answers, mode: 'SECTION_ONLY' }))).toEqual({ score: 68, criticalFail: false });
    // With the whole Greeting not applicable, Resolution alone: 80.
    expect(scoreOf(evaluation({ evaluationId: 'e3', contactId: 'c', modifiedS: S, answers: { ...answers, 'q-greet': 'N/A' }, mode: 'SECTION_ONLY' })).score).toBe(80);
  });

  it("is a critical fail when an automatic-fail option is chosen, and takes Connect's own per-question percentage", () => {
    // Identity not verified: automatic fail (Frontline's QA KPI counts the evaluation as 0).
    expect(scoreOf(evaluation({ evaluationId: 'e4', contactId: 'c', modifiedS: S, answers: { ...answers, 'q-verify': 'no' } }))).toEqual({ score: (20 * 50 + 20 * 0 + 40 * 100 + 20 * 60) / 100, criticalFail: true });
    const body = evaluation({ evaluationId: 'e5', contactId: 'c', modifiedS: S, answers });
    (body.Evaluation as { Scores: unknown }).Scores = { 'q-greet': { Percentage: 70, NotApplicable: false, AutomaticFail: false } };
    // (20 × 70 + 40 × 100 + 20 × 60) / 80 = 6600 / 80 = 82.5.
    expect(scoreOf(body).score).toBe(82.5);
  });

  it('answers malformed for an answer that names no option of its question', () => {
    const r = readEvaluation(evaluation({ evaluationId: 'e6', contactId: 'c', modifiedS: S, answers: { ...answers, 'q-resolve': 'maybe' } }));
    expect(r).toEqual({ ok: false, reasons: ['contact evaluation Evaluation.Answers.q-resolve.Value.StringValue: expected the RefId of one of the question\'s options, got "maybe"'] });
  });
});

describe('an evaluation as a qa.evaluated event', () => {
  it('counts before its contact arrives (the store holds it as an orphan), under the agent learnt from the agent stream', () => {
    const memory = new MemoryMap();
    // Ann logged in this morning: her user id → username is known; the evaluation comes before the contact record.
    mapRecords([rec('agent-event', agentEvent({ user: 'ann', at: T - 3_600_000, status: 'Available', eventId: 'login' }))], { memory });
    const [m] = mapRecords([rec('evaluation', evaluation({ evaluationId: 'ev-1', contactId: 'c-qa', agent: 'ann', modifiedS: S + 7200, answers: { 'q-greet': 'yes', 'q-verify': 'yes', 'q-resolve': 'yes', 'q-hold': 0 }, notes: { 'q-resolve': 'Great call; customer on 07700 900456.' }, connectScore: 100 }))], { memory });
    const [e] = ok(m);
    expect(e).toMatchObject({
      id: `connect:evaluation:ev-1@r${(S + 7200) * 1000}`,
      type: 'qa.evaluated',
      contactId: 'c-qa',
      agentId: 'ann',
      evaluatorId: USERS.lee,
      score: 100,
      criticalFail: false,
      evaluationId: 'ev-1',
      revision: (S + 7200) * 1000,
      ext: { form: 'Voice quality', formVersion: 3, connectScore: 100 },
    });
    expect((e as { notes?: string }).notes).toContain('Great call');
    expect((e as { notes?: string }).notes).not.toContain('900456');
  });

  it('names the contact of a transferred leg by its chain, and the agent from the leg when the agent stream has not', () => {
    const memory = new MemoryMap();
    mapRecords([
      rec('ctr', ctr({ contactId: 'c-t1', at: T, queue: 'Billing', agent: 'ann', talkS: 60, nextContactId: 'c-t2' })),
      rec('ctr', ctr({ contactId: 'c-t2', at: T + 70_000, method: 'TRANSFER', initialContactId: 'c-t1', previousContactId: 'c-t1', queue: 'Tech', agent: 'bob', talkS: 90 })),
    ], { memory });
    const body = evaluation({ evaluationId: 'ev-2', contactId: 'c-t2', modifiedS: S + 9000, answers: { 'q-greet': 'yes', 'q-resolve': 'no', 'q-verify': 'yes', 'q-hold': 'N/A' } });
    const [m] = mapRecords([rec('evaluation', body)], { memory });
    // (20 × 100 + 20 × 100 + 40 × 0) / 80 = 50; no ContactAgentId on this evaluation: the leg's agent, Bob.
    expect(ok(m)[0]).toMatchObject({ contactId: 'c-t1', agentId: 'bob', score: 50 });
  });

  it('replaces an amended evaluation (same id, later LastModifiedTime), and leaves drafts out', () => {
    const memory = new MemoryMap();
    mapRecords([rec('agent-event', agentEvent({ user: 'cat', at: T, status: 'Available', eventId: 'x' }))], { memory });
    const first = evaluation({ evaluationId: 'ev-3', contactId: 'c-am', agent: 'cat', modifiedS: S + 100, answers: { 'q-greet': 'no', 'q-verify': 'yes', 'q-resolve': 'yes', 'q-hold': 4 } });
    const amended = evaluation({ evaluationId: 'ev-3', contactId: 'c-am', agent: 'cat', modifiedS: S + 5000, answers: { 'q-greet': 'yes', 'q-verify': 'yes', 'q-resolve': 'yes', 'q-hold': 4 } });
    const draft = evaluation({ evaluationId: 'ev-4', contactId: 'c-am', agent: 'cat', modifiedS: S + 100, status: 'DRAFT', answers: { 'q-greet': 'yes' } });
    const [a, b, d] = mapRecords([rec('evaluation', first), rec('evaluation', amended), rec('evaluation', draft)], { memory });
    // First: (20 × 0 + 20 × 100 + 40 × 100 + 20 × 0) / 100 = 60; amended: (20 × 100 + 20 × 100 + 40 × 100 + 0) / 100 = 80.
    expect(ok(a)[0]).toMatchObject({ score: 60, evaluationId: 'ev-3', revision: (S + 100) * 1000 });
    expect(ok(b)[0]).toMatchObject({ score: 80, evaluationId: 'ev-3', revision: (S + 5000) * 1000 });
    expect(ok(d)).toEqual([]);
    expect(d?.outcome.ok && d.outcome.warnings?.[0]).toContain('draft');
  });

  it('answers unmapped while the agent is known by user id only, and maps once the ARN is on the source', () => {
    const body = evaluation({ evaluationId: 'ev-5', contactId: 'c-new', agent: 'bob', modifiedS: S, answers: { 'q-greet': 'yes', 'q-resolve': 'yes' } });
    const [m] = mapRecords([rec('evaluation', body)]);
    expect(m?.outcome).toMatchObject({ ok: false, reason: 'unmapped' });
    expect(m?.outcome.ok === false && m.outcome.reasons[0]).toContain(`agent user ${USERS.bob} is not known yet`);
    const [mapped] = mapRecords([rec('evaluation', body)], { mapping: mappingOf({ agents: { [agentArn('bob')]: 'bob' } }) });
    expect(ok(mapped)[0]).toMatchObject({ agentId: 'bob', score: 100 });
  });

  it("reads the S3 export, with Connect's overall percentage and automatic fail", () => {
    const memory = new MemoryMap();
    mapRecords([rec('agent-event', agentEvent({ user: 'ann', at: T, status: 'Available', eventId: 'y' }))], { memory });
    const [m, fail] = mapRecords([
      rec('evaluation', exportedEvaluation({ evaluationId: 'fb90de35', contactId: 'c-x', agent: 'ann', submittedAt: T + 3_600_000, percentage: 92 })),
      rec('evaluation', exportedEvaluation({ evaluationId: 'fb90de36', contactId: 'c-x', agent: 'ann', submittedAt: T + 3_600_000, percentage: 85, automaticFail: true })),
    ], { memory });
    expect(ok(m)[0]).toMatchObject({ contactId: 'c-x', agentId: 'ann', evaluatorId: 'jane', score: 92, criticalFail: false, revision: T + 3_600_000, notes: 'Section note\nAdd more information here' });
    expect(ok(fail)[0]).toMatchObject({ criticalFail: true });
  });
});
