/**
 * Improvement initiatives in the store. Every change goes through `change`: one transaction that checks the version
 * the writer read, applies the change and appends it to the initiative's trail (initiative_events), as coaching cases
 * do (server/coaching/case.store.ts): a trail entry cannot be lost without its change, and two people saving at once
 * cannot overwrite each other.
 */
import { randomBytes } from 'node:crypto';
import type { Criterion, InitiativeEvidence, InitiativeOrigin, InitiativeOutcome, InitiativeStatus, PlanActionStatus } from '../../shared/initiatives.js';
import { AccountError } from '../accounts/errors.js';
import type { Store } from '../store/db.js';
import type { InitiativesTable } from '../store/schema.js';

export interface StoredAction {
  id: string;
  text: string;
  owner: string;
  resources: string;
  dueDate: string;
  status: PlanActionStatus;
}

/** An initiative as stored, JSON columns parsed. */
export interface InitiativeRecord {
  id: string;
  title: string;
  scope: string;
  status: InitiativeStatus;
  outcome: InitiativeOutcome | null;
  outcomeReason: string | null;
  version: number;
  origin: InitiativeOrigin;
  problem: string;
  rootCause: string;
  evidence: InitiativeEvidence;
  actions: StoredAction[];
  criteria: Criterion[];
  stakeholders: string[];
  signoffs: { userId: string; atMs: number }[];
  windowDays: number;
  changeDay: string | null;
  changeText: string | null;
  createdMs: number;
  createdBy: string;
  updatedMs: number;
  closedMs: number | null;
}

export type InitiativePatch = Partial<Omit<InitiativeRecord, 'id' | 'version' | 'createdMs' | 'createdBy' | 'updatedMs' | 'origin' | 'evidence' | 'scope'>>;

export const newInitiativeId = () => `ini_${randomBytes(9).toString('base64url').replace(/[^A-Za-z0-9]/g, 'x')}`;
export const newActionId = () => `pa_${randomBytes(6).toString('base64url').replace(/[^A-Za-z0-9]/g, 'x')}`;

function toRow(p: InitiativePatch): Partial<InitiativesTable> {
  const row: Partial<InitiativesTable> = {};
  if (p.title !== undefined) row.title = p.title;
  if (p.status !== undefined) row.status = p.status;
  if (p.outcome !== undefined) row.outcome = p.outcome;
  if (p.outcomeReason !== undefined) row.outcome_reason = p.outcomeReason;
  if (p.problem !== undefined) row.problem = p.problem;
  if (p.rootCause !== undefined) row.root_cause = p.rootCause;
  if (p.actions !== undefined) row.actions = JSON.stringify(p.actions);
  if (p.criteria !== undefined) row.criteria = JSON.stringify(p.criteria);
  if (p.stakeholders !== undefined) row.stakeholders = JSON.stringify(p.stakeholders);
  if (p.signoffs !== undefined) row.signoffs = JSON.stringify(p.signoffs);
  if (p.windowDays !== undefined) row.window_days = p.windowDays;
  if (p.changeDay !== undefined) row.change_day = p.changeDay;
  if (p.changeText !== undefined) row.change_text = p.changeText;
  if (p.closedMs !== undefined) row.closed_ms = p.closedMs;
  return row;
}

function fromRow(r: InitiativesTable): InitiativeRecord {
  return {
    id: r.id,
    title: r.title,
    scope: r.scope,
    status: r.status as InitiativeStatus,
    outcome: r.outcome as InitiativeOutcome | null,
    outcomeReason: r.outcome_reason,
    version: Number(r.version),
    origin: JSON.parse(r.origin) as InitiativeOrigin,
    problem: r.problem,
    rootCause: r.root_cause,
    evidence: JSON.parse(r.evidence) as InitiativeEvidence,
    actions: JSON.parse(r.actions) as StoredAction[],
    criteria: JSON.parse(r.criteria) as Criterion[],
    stakeholders: JSON.parse(r.stakeholders) as string[],
    signoffs: JSON.parse(r.signoffs) as { userId: string; atMs: number }[],
    windowDays: Number(r.window_days),
    changeDay: r.change_day,
    changeText: r.change_text,
    createdMs: Number(r.created_ms),
    createdBy: r.created_by,
    updatedMs: Number(r.updated_ms),
    closedMs: r.closed_ms === null ? null : Number(r.closed_ms),
  };
}

export class InitiativeStore {
  constructor(private readonly store: Store) {}

  async create(i: Pick<InitiativeRecord, 'title' | 'scope' | 'origin' | 'problem' | 'evidence' | 'windowDays' | 'createdBy' | 'createdMs'>): Promise<string> {
    const id = newInitiativeId();
    await this.store.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('initiatives')
        .values({
          id,
          title: i.title,
          scope: i.scope,
          status: 'draft',
          outcome: null,
          outcome_reason: null,
          version: 1,
          origin: JSON.stringify(i.origin),
          problem: i.problem,
          root_cause: '',
          evidence: JSON.stringify(i.evidence),
          actions: '[]',
          criteria: '[]',
          stakeholders: '[]',
          signoffs: '[]',
          window_days: i.windowDays,
          change_day: null,
          change_text: null,
          created_ms: i.createdMs,
          created_by: i.createdBy,
          updated_ms: i.createdMs,
          closed_ms: null,
        })
        .execute();
      await trx.insertInto('initiative_events').values({ initiative_id: id, at_ms: i.createdMs, actor: i.createdBy, action: 'opened', details: JSON.stringify({ origin: i.origin, title: i.title, scope: i.scope }) }).execute();
    });
    return id;
  }

  async get(id: string): Promise<InitiativeRecord | undefined> {
    const r = await this.store.db.selectFrom('initiatives').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? fromRow(r) : undefined;
  }

  async list(filter: { status?: InitiativeStatus; scope?: string }): Promise<InitiativeRecord[]> {
    let q = this.store.db.selectFrom('initiatives').selectAll().orderBy('created_ms', 'desc').orderBy('id').limit(1000);
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.scope) q = q.where('scope', '=', filter.scope);
    return (await q.execute()).map(fromRow);
  }

  /** Applies a change if the initiative is still at `expectedVersion`, with its trail entry, in one transaction. */
  async change(id: string, expectedVersion: number, c: { actor: string; action: string; atMs: number; details: Record<string, unknown>; patch: InitiativePatch }): Promise<void> {
    await this.store.db.transaction().execute(async (trx) => {
      const res = await trx
        .updateTable('initiatives')
        .set({ ...toRow(c.patch), version: expectedVersion + 1, updated_ms: c.atMs })
        .where('id', '=', id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) {
        const row = await trx.selectFrom('initiatives').select('version').where('id', '=', id).executeTakeFirst();
        if (!row) throw new AccountError('not_found', `no initiative '${id}'`);
        throw new AccountError('conflict', `someone changed this initiative since you opened it (it is now at version ${Number(row.version)}); reload it and try again`);
      }
      await trx.insertInto('initiative_events').values({ initiative_id: id, at_ms: c.atMs, actor: c.actor, action: c.action, details: JSON.stringify(c.details) }).execute();
    });
  }

  async comment(id: string, author: string, text: string, atMs: number): Promise<void> {
    await this.store.db.transaction().execute(async (trx) => {
      await trx.insertInto('initiative_comments').values({ initiative_id: id, at_ms: atMs, author, text }).execute();
      await trx.insertInto('initiative_events').values({ initiative_id: id, at_ms: atMs, actor: author, action: 'commented', details: JSON.stringify({ length: text.length }) }).execute();
    });
  }

  async comments(id: string): Promise<{ id: number; atMs: number; author: string; text: string }[]> {
    const rows = await this.store.db.selectFrom('initiative_comments').selectAll().where('initiative_id', '=', id).orderBy('id').execute();
    return rows.map((r) => ({ id: Number(r.id), atMs: Number(r.at_ms), author: r.author, text: r.text }));
  }

  async trail(id: string): Promise<{ id: number; atMs: number; actor: string; action: string; details: Record<string, unknown> }[]> {
    const rows = await this.store.db.selectFrom('initiative_events').selectAll().where('initiative_id', '=', id).orderBy('id').execute();
    return rows.map((r) => ({ id: Number(r.id), atMs: Number(r.at_ms), actor: r.actor, action: r.action, details: JSON.parse(r.details) as Record<string, unknown> }));
  }
}
