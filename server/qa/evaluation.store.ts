/**
 * QA evaluations and samples in the store (migration 021). Every change is one transaction with its trail entry in
 * qa_evaluation_events, guarded by the row's optimistic `version`. Access is decided by EvaluationService, never here.
 */
import { randomUUID } from 'node:crypto';
import type { Answer, MonitoringMethod } from '../../shared/qa.js';
import type { EvaluationResponse, EvaluationStatus } from '../../shared/qa-evaluations.js';
import type { Store } from '../store/db.js';
import type { Selectable } from 'kysely';
import type { QaEvaluationsTable, QaSamplesTable } from '../store/schema.js';

export interface EvaluationRow {
  id: string;
  contactId: string;
  agentId: string;
  scorecardId: string;
  scorecardVersion: number;
  evaluatorId: string;
  method: MonitoringMethod;
  status: EvaluationStatus;
  answers: Answer[];
  summary: string | null;
  score: number | null;
  criticalFail: boolean | null;
  revision: number;
  sampleId: string | null;
  createdMs: number;
  updatedMs: number;
  submittedMs: number | null;
  response: EvaluationResponse | null;
  responseComment: string | null;
  respondedMs: number | null;
  caseId: string | null;
  version: number;
}

export class EvaluationConflict extends Error {
  constructor(
    readonly code: 'not_found' | 'version_conflict',
    message: string,
  ) {
    super(message);
  }
}

type Patch = Partial<Omit<QaEvaluationsTable, 'id' | 'version' | 'revision'>> & { revision?: number };

function rowOf(r: Selectable<QaEvaluationsTable>): EvaluationRow {
  return {
    id: r.id,
    contactId: r.contact_id,
    agentId: r.agent_id,
    scorecardId: r.scorecard_id,
    scorecardVersion: Number(r.scorecard_version),
    evaluatorId: r.evaluator_id,
    method: r.method as MonitoringMethod,
    status: r.status as EvaluationStatus,
    answers: JSON.parse(r.answers) as Answer[],
    summary: r.summary,
    score: r.score === null ? null : Number(r.score),
    criticalFail: r.critical_fail === null ? null : Number(r.critical_fail) === 1,
    revision: Number(r.revision),
    sampleId: r.sample_id,
    createdMs: Number(r.created_ms),
    updatedMs: Number(r.updated_ms),
    submittedMs: r.submitted_ms === null ? null : Number(r.submitted_ms),
    response: r.agent_response as EvaluationResponse | null,
    responseComment: r.agent_comment,
    respondedMs: r.responded_ms === null ? null : Number(r.responded_ms),
    caseId: r.case_id,
    version: Number(r.version),
  };
}

export interface SampleRow {
  id: string;
  period: string;
  agentId: string;
  contactId: string;
  key: string;
  drawnMs: number;
  drawnBy: string;
  evaluationId: string | null;
}

function sampleOf(r: QaSamplesTable): SampleRow {
  return { id: r.id, period: r.period, agentId: r.agent_id, contactId: r.contact_id, key: r.sample_key, drawnMs: Number(r.drawn_ms), drawnBy: r.drawn_by, evaluationId: r.evaluation_id };
}

const seedKey = (period: string) => `qa.sample.seed:${period}`;
export const SAMPLE_SIZE_KEY = 'qa.sample.k';

export class EvaluationStore {
  constructor(private readonly store: Store) {}

  async get(id: string): Promise<EvaluationRow | undefined> {
    const r = await this.store.db.selectFrom('qa_evaluations').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? rowOf(r) : undefined;
  }

  async list(filter: { agentIds?: string[]; contactId?: string; evaluatorId?: string; caseId?: string; status?: EvaluationStatus; limit: number }): Promise<EvaluationRow[]> {
    let q = this.store.db.selectFrom('qa_evaluations').selectAll();
    if (filter.agentIds) {
      if (filter.agentIds.length === 0) return [];
      q = q.where('agent_id', 'in', filter.agentIds);
    }
    if (filter.contactId !== undefined) q = q.where('contact_id', '=', filter.contactId);
    if (filter.evaluatorId !== undefined) q = q.where('evaluator_id', '=', filter.evaluatorId);
    if (filter.caseId !== undefined) q = q.where('case_id', '=', filter.caseId);
    if (filter.status !== undefined) q = q.where('status', '=', filter.status);
    const rows = await q.orderBy('updated_ms', 'desc').limit(filter.limit).execute();
    return rows.map(rowOf);
  }

  async insert(e: { contactId: string; agentId: string; scorecardId: string; scorecardVersion: number; evaluatorId: string; method: MonitoringMethod; sampleId: string | null }, actor: string, nowMs: number): Promise<EvaluationRow> {
    const id = randomUUID();
    await this.store.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('qa_evaluations')
        .values({
          id,
          contact_id: e.contactId,
          agent_id: e.agentId,
          scorecard_id: e.scorecardId,
          scorecard_version: e.scorecardVersion,
          evaluator_id: e.evaluatorId,
          method: e.method,
          status: 'draft',
          answers: '[]',
          summary: null,
          score: null,
          critical_fail: null,
          sample_id: e.sampleId,
          created_ms: nowMs,
          updated_ms: nowMs,
          submitted_ms: null,
          agent_response: null,
          agent_comment: null,
          responded_ms: null,
          case_id: null,
        })
        .execute();
      if (e.sampleId !== null) await trx.updateTable('qa_samples').set({ evaluation_id: id }).where('id', '=', e.sampleId).where('evaluation_id', 'is', null).execute();
      await trx.insertInto('qa_evaluation_events').values({ evaluation_id: id, at_ms: nowMs, actor, action: 'created', details: JSON.stringify({ contactId: e.contactId, agentId: e.agentId, scorecardId: e.scorecardId, scorecardVersion: e.scorecardVersion, method: e.method }) }).execute();
    });
    return (await this.get(id)) as EvaluationRow;
  }

  /** Applies a change if the evaluation is still at `expected`, with its trail entry. */
  async change(id: string, expected: number, patch: Patch, trail: { actor: string; action: string; atMs: number; details: Record<string, unknown> }): Promise<EvaluationRow> {
    await this.store.db.transaction().execute(async (trx) => {
      const done = await trx
        .updateTable('qa_evaluations')
        .set((eb) => ({ ...patch, updated_ms: trail.atMs, version: eb('version', '+', 1) }))
        .where('id', '=', id)
        .where('version', '=', expected)
        .executeTakeFirst();
      if (Number(done.numUpdatedRows) === 0) {
        const now = await trx.selectFrom('qa_evaluations').select('version').where('id', '=', id).executeTakeFirst();
        if (!now) throw new EvaluationConflict('not_found', 'no such evaluation');
        throw new EvaluationConflict('version_conflict', `someone changed this evaluation since you opened it (it is now at version ${Number(now.version)}); reload it and try again`);
      }
      await trx.insertInto('qa_evaluation_events').values({ evaluation_id: id, at_ms: trail.atMs, actor: trail.actor, action: trail.action, details: JSON.stringify(trail.details) }).execute();
    });
    return (await this.get(id)) as EvaluationRow;
  }

  async events(id: string): Promise<{ atMs: number; actor: string; action: string; details: Record<string, unknown> | null }[]> {
    const rows = await this.store.db.selectFrom('qa_evaluation_events').selectAll().where('evaluation_id', '=', id).orderBy('id').execute();
    return rows.map((r) => ({ atMs: Number(r.at_ms), actor: r.actor, action: r.action, details: r.details === null ? null : (JSON.parse(r.details) as Record<string, unknown>) }));
  }

  // ---- samples ----

  /** The period's seed, created (and stored) on first use; reused for every later draw of the period. */
  async seedFor(period: string, fresh: () => string): Promise<string> {
    const key = seedKey(period);
    const had = await this.store.db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
    if (had) return had.value;
    await this.store.db.insertInto('meta').values({ key, value: fresh() }).onConflict((oc) => oc.column('key').doNothing()).execute();
    return (await this.store.db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirstOrThrow()).value;
  }

  async hasSeed(period: string): Promise<boolean> {
    return (await this.store.db.selectFrom('meta').select('key').where('key', '=', seedKey(period)).executeTakeFirst()) !== undefined;
  }

  async sampleSize(): Promise<number | undefined> {
    const r = await this.store.db.selectFrom('meta').select('value').where('key', '=', SAMPLE_SIZE_KEY).executeTakeFirst();
    return r ? Number(r.value) : undefined;
  }

  async setSampleSize(k: number): Promise<void> {
    await this.store.db
      .insertInto('meta')
      .values({ key: SAMPLE_SIZE_KEY, value: String(k) })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: String(k) }))
      .execute();
  }

  /** Each agent's distinct contacts ended in [from, to) (any revision; erased events left out). */
  async handledIn(agentIds: string[], fromMs: number, toMs: number): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>(agentIds.map((a) => [a, []]));
    if (agentIds.length === 0) return out;
    const rows = await this.store.db
      .selectFrom('events')
      .select(['agent_id', 'contact_id'])
      .distinct()
      .where('type', '=', 'contact.ended')
      .where('agent_id', 'in', agentIds)
      .where('occurred_ms', '>=', fromMs)
      .where('occurred_ms', '<', toMs)
      .where('expired_ms', 'is', null)
      .execute();
    for (const r of rows) if (r.agent_id !== null && r.contact_id !== null) out.get(r.agent_id)?.push(r.contact_id);
    return out;
  }

  async samples(period: string, agentIds?: string[]): Promise<SampleRow[]> {
    let q = this.store.db.selectFrom('qa_samples').selectAll().where('period', '=', period);
    if (agentIds) {
      if (agentIds.length === 0) return [];
      q = q.where('agent_id', 'in', agentIds);
    }
    return (await q.orderBy('agent_id').orderBy('sample_key').execute()).map(sampleOf);
  }

  /** Inserts the rows not drawn already (the unique (period, agent, contact) makes a second draw add nothing). */
  async addSamples(rows: Omit<SampleRow, 'id' | 'evaluationId'>[]): Promise<number> {
    let added = 0;
    for (const r of rows) {
      const res = await this.store.db
        .insertInto('qa_samples')
        .values({ id: randomUUID(), period: r.period, agent_id: r.agentId, contact_id: r.contactId, sample_key: r.key, drawn_ms: r.drawnMs, drawn_by: r.drawnBy, evaluation_id: null })
        .onConflict((oc) => oc.columns(['period', 'agent_id', 'contact_id']).doNothing())
        .executeTakeFirst();
      added += Number(res.numInsertedOrUpdatedRows ?? 0n);
    }
    return added;
  }

  /** The open sample row for this agent's contact, if the contact was drawn and is not being evaluated yet. */
  async openSample(agentId: string, contactId: string): Promise<SampleRow | undefined> {
    const r = await this.store.db.selectFrom('qa_samples').selectAll().where('agent_id', '=', agentId).where('contact_id', '=', contactId).where('evaluation_id', 'is', null).executeTakeFirst();
    return r ? sampleOf(r) : undefined;
  }

  async byIds(ids: string[]): Promise<Map<string, EvaluationRow>> {
    if (ids.length === 0) return new Map();
    const rows = await this.store.db.selectFrom('qa_evaluations').selectAll().where('id', 'in', ids).execute();
    return new Map(rows.map((r) => [r.id, rowOf(r)]));
  }
}
