/**
 * Coaching cases in the store: what the flagger opens and the coaching workflow works on. Access is decided by the
 * predicates in server/access/policies.ts (canViewCase, canEditCase, ...), never here.
 *
 * Every change to a case goes through `change`: one transaction that checks the version the writer read, applies the
 * change, adds any new actions, and appends the change to the case's own trail (case_events). A trail entry cannot be
 * lost without the change it records, and two people saving at once cannot overwrite each other.
 */
import { randomBytes } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { CaseKind, CaseSummary } from '../../shared/access.js';
import type { ActionInput, ActionStatus, CaseAction, CaseDetail, CaseEventRecord, CaseResponse, CaseReview } from '../../shared/coaching.js';
import { AccountError } from '../accounts/errors.js';
import type { CaseRef, CoachingLinks } from '../access/policies.js';
import type { Store } from '../store/db.js';
import type { CoachingCasesTable, Database } from '../store/schema.js';

/** What the flagger supplies: a case summary before it has an id, a status or a closing time. */
export type NewCase = Omit<CaseSummary, 'id' | 'status' | 'openedAt' | 'closedAt' | 'stage' | 'version' | 'sessionAt' | 'followUpAt' | 'response' | 'outcome'> & { openedMs: number };

/** Columns a workflow change may set. */
export type CasePatch = Partial<
  Pick<
    CoachingCasesTable,
    | 'status'
    | 'stage'
    | 'assigned_coach_id'
    | 'plan'
    | 'session_at_ms'
    | 'held_ms'
    | 'notes'
    | 'reflection'
    | 'response'
    | 'response_comment'
    | 'response_ms'
    | 'follow_up_ms'
    | 'review_days'
    | 'outcome'
    | 'outcome_reason'
    | 'review'
    | 'closed_ms'
  >
>;

export interface CaseChange {
  actor: string;
  action: string;
  atMs: number;
  details: Record<string, unknown>;
  patch: CasePatch;
  newActions?: ActionInput[];
  /** An action's new status. */
  actionStatus?: { id: string; status: ActionStatus };
}

const newId = (prefix: string) => `${prefix}_${randomBytes(9).toString('base64url').replace(/[^A-Za-z0-9]/g, 'x')}`;

/** After a change commits: which case, what happened, who did it. */
export interface CaseChanged {
  caseId: string;
  action: string;
  actor: string;
  atMs: number;
}

export class CaseStore {
  private readonly listeners = new Set<(e: CaseChanged) => void>();

  constructor(private readonly store: Store) {}

  /** Called after every committed change or newly filed case (the realtime layer notifies people from it). */
  onChanged(listener: (e: CaseChanged) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: CaseChanged): void {
    for (const l of this.listeners) l(e);
  }

  async insert(c: NewCase): Promise<CaseSummary> {
    const row = toRow(c, null);
    await this.store.db.insertInto('coaching_cases').values(row).execute();
    return (await this.get(row.id)) as CaseSummary;
  }

  /**
   * Files what the flagger found, once per flag key: a new case, unless an open case of the same kind, scope and KPI
   * exists, in which case the signal is added to that case's trail (with its rule, day, explanation and evidence
   * contacts) instead of opening another: one open case per scope and KPI. Returns 'opened', 'added' (to an open case)
   * or 'seen' (this key was filed before).
   */
  async fileFlagged(c: NewCase, flagKey: string): Promise<'opened' | 'added' | 'seen'> {
    let caseId = '';
    const outcome = await this.store.db.transaction().execute(async (trx) => {
      const seenCase = await trx.selectFrom('coaching_cases').select('id').where('flag_key', '=', flagKey).executeTakeFirst();
      const seenSignal = seenCase ? undefined : await trx.selectFrom('case_signals').select('case_id').where('flag_key', '=', flagKey).executeTakeFirst();
      if (seenCase || seenSignal) return 'seen' as const;
      const open = await trx
        .selectFrom('coaching_cases')
        .select('id')
        .where('status', '=', 'open')
        .where('kind', '=', c.kind)
        .where('scope', '=', c.scope)
        .where('kpi', '=', c.kpi)
        .orderBy('opened_ms')
        .limit(1)
        .executeTakeFirst();
      if (open) {
        caseId = open.id;
        await trx.insertInto('case_signals').values({ flag_key: flagKey, case_id: open.id, at_ms: c.openedMs }).execute();
        const f = c.figures as { explanation?: unknown; day?: unknown };
        await trx
          .insertInto('case_events')
          .values({
            case_id: open.id,
            at_ms: c.openedMs,
            actor: 'system:flagger',
            action: 'signal',
            details: JSON.stringify({ rule: c.rule, day: f.day ?? null, explanation: f.explanation ?? null, evidenceContactIds: c.evidenceContactIds }),
          })
          .execute();
        return 'added' as const;
      }
      const row = toRow(c, flagKey);
      const res = await trx
        .insertInto('coaching_cases')
        .values(row)
        .onConflict((oc) => oc.column('flag_key').doNothing())
        .executeTakeFirst();
      if (Number(res.numInsertedOrUpdatedRows ?? 0) === 0) return 'seen' as const;
      await trx.insertInto('case_events').values({ case_id: row.id, at_ms: c.openedMs, actor: 'system:flagger', action: 'flagged', details: JSON.stringify({ rule: c.rule }) }).execute();
      caseId = row.id;
      return 'opened' as const;
    });
    if (outcome === 'opened') this.emit({ caseId, action: 'flagged', actor: 'system:flagger', atMs: c.openedMs });
    if (outcome === 'added') this.emit({ caseId, action: 'signal', actor: 'system:flagger', atMs: c.openedMs });
    return outcome;
  }

  /** fileFlagged, answering whether a new case was opened. */
  async insertFlagged(c: NewCase, flagKey: string): Promise<boolean> {
    return (await this.fileFlagged(c, flagKey)) === 'opened';
  }

  /**
   * Files "follow-up review due" on every held case whose follow-up date has passed, once per case: the claim is a
   * conditional update, so two schedulers racing (two nodes, a leader change mid-run) still file it once. Returns the
   * cases filed.
   */
  async markFollowUpsDue(nowMs: number): Promise<string[]> {
    const due = await this.store.db
      .selectFrom('coaching_cases')
      .select(['id', 'follow_up_ms'])
      .where('status', '=', 'open')
      .where('stage', '=', 'held')
      .where('follow_up_ms', '<=', nowMs)
      .where('follow_up_due_ms', 'is', null)
      .orderBy('follow_up_ms')
      .limit(500)
      .execute();
    const filed: string[] = [];
    for (const c of due) {
      const claimed = await this.store.db.transaction().execute(async (trx) => {
        const res = await trx.updateTable('coaching_cases').set({ follow_up_due_ms: nowMs }).where('id', '=', c.id).where('follow_up_due_ms', 'is', null).executeTakeFirst();
        if (Number(res.numUpdatedRows) === 0) return false;
        const followUpAt = new Date(Number(c.follow_up_ms)).toISOString();
        await trx.insertInto('case_events').values({ case_id: c.id, at_ms: nowMs, actor: 'system:scheduler', action: 'follow_up_due', details: JSON.stringify({ followUpAt }) }).execute();
        return true;
      });
      if (!claimed) continue;
      filed.push(c.id);
      this.emit({ caseId: c.id, action: 'follow_up_due', actor: 'system:scheduler', atMs: nowMs });
    }
    return filed;
  }

  /** The case with its workflow fields and actions, for the case page. */
  async detail(id: string): Promise<Omit<CaseDetail, 'assigneeName'> | undefined> {
    const row = await this.store.db.selectFrom('coaching_cases').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const actions = await this.store.db.selectFrom('case_actions').selectAll().where('case_id', '=', id).orderBy('created_ms').orderBy('id').execute();
    const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString());
    return {
      ...toSummary(row),
      plan: row.plan ?? null,
      heldAt: iso(row.held_ms),
      notes: row.notes ?? null,
      reflection: row.reflection ?? null,
      responseComment: row.response_comment ?? null,
      respondedAt: iso(row.response_ms),
      reviewDays: row.review_days === null || row.review_days === undefined ? null : Number(row.review_days),
      outcomeReason: row.outcome_reason ?? null,
      review: row.review ? (JSON.parse(row.review) as CaseReview) : null,
      updatedAt: iso(row.updated_ms),
      actions: actions.map(
        (a): CaseAction => ({
          id: a.id,
          text: a.text,
          measure: a.measure,
          owner: a.owner,
          dueAt: new Date(Number(a.due_ms)).toISOString(),
          status: a.status as ActionStatus,
          createdAt: new Date(Number(a.created_ms)).toISOString(),
          createdBy: a.created_by,
          doneAt: iso(a.done_ms),
        }),
      ),
    };
  }

  /**
   * Applies one workflow change if the case is still at `expectedVersion`: the patch, new actions, an action's
   * status, and the trail entry, in one transaction. Refused with a conflict when someone changed the case since.
   */
  async change(id: string, expectedVersion: number, change: CaseChange): Promise<void> {
    await this.store.db.transaction().execute(async (trx) => {
      const res = await trx
        .updateTable('coaching_cases')
        .set({ ...change.patch, version: expectedVersion + 1, updated_ms: change.atMs })
        .where('id', '=', id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) await refuse(trx, id);
      for (const a of change.newActions ?? []) {
        await trx
          .insertInto('case_actions')
          .values({ id: newId('act'), case_id: id, text: a.text, measure: a.measure, owner: a.owner, due_ms: Date.parse(a.dueAt), status: 'open', created_ms: change.atMs, created_by: change.actor, done_ms: null })
          .execute();
      }
      if (change.actionStatus) {
        const { id: actionId, status } = change.actionStatus;
        const r = await trx
          .updateTable('case_actions')
          .set({ status, done_ms: status === 'open' ? null : change.atMs })
          .where('id', '=', actionId)
          .where('case_id', '=', id)
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) === 0) throw new AccountError('not_found', `this case has no action '${actionId}'`);
      }
      await trx.insertInto('case_events').values({ case_id: id, at_ms: change.atMs, actor: change.actor, action: change.action, details: JSON.stringify(change.details) }).execute();
    });
    this.emit({ caseId: id, action: change.action, actor: change.actor, atMs: change.atMs });
  }

  /** The case's trail, oldest first. */
  async events(id: string): Promise<Omit<CaseEventRecord, 'actorName'>[]> {
    const rows = await this.store.db.selectFrom('case_events').selectAll().where('case_id', '=', id).orderBy('id').execute();
    return rows.map((r) => ({ id: Number(r.id), at: new Date(Number(r.at_ms)).toISOString(), actor: r.actor, action: r.action, details: JSON.parse(r.details) as Record<string, unknown> }));
  }

  async get(id: string): Promise<CaseSummary | undefined> {
    const row = await this.store.db.selectFrom('coaching_cases').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toSummary(row) : undefined;
  }

  async list(filter: { status?: 'open' | 'closed'; kind?: CaseKind; assignee?: string | null; limit: number }): Promise<CaseSummary[]> {
    let q = this.store.db.selectFrom('coaching_cases').selectAll().orderBy('opened_ms', 'desc').orderBy('id').limit(filter.limit);
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.kind) q = q.where('kind', '=', filter.kind);
    if (filter.assignee === null) q = q.where('assigned_coach_id', 'is', null);
    else if (filter.assignee !== undefined) q = q.where('assigned_coach_id', '=', filter.assignee);
    return (await q.execute()).map(toSummary);
  }

  /** The agents a coach currently has an open case about (a coach may see those agents' figures). */
  async linksFor(coachUserId: string): Promise<CoachingLinks> {
    const rows = await this.store.db
      .selectFrom('coaching_cases')
      .select('agent_id')
      .where('assigned_coach_id', '=', coachUserId)
      .where('status', '=', 'open')
      .where('agent_id', 'is not', null)
      .execute();
    const agents = new Set(rows.map((r) => r.agent_id as string));
    return { coachHasCaseFor: (coach, agent) => coach === coachUserId && agents.has(agent) };
  }
}

/** A version mismatch or a missing case, told apart for the writer. */
async function refuse(trx: Transaction<Database>, id: string): Promise<never> {
  const row = await trx.selectFrom('coaching_cases').select(['version']).where('id', '=', id).executeTakeFirst();
  if (!row) throw new AccountError('not_found', `no case '${id}'`);
  throw new AccountError('conflict', `someone changed this case since you opened it (it is now at version ${row.version ?? '?'}); reload it and try again`);
}

function toRow(c: NewCase, flagKey: string | null): CoachingCasesTable & { id: string } {
  return {
    id: newId('case'),
    stage: c.assignedCoachId ? 'assigned' : 'new',
    version: 1,
    kind: c.kind,
    status: 'open',
    scope: c.scope,
    agent_id: c.agentId,
    team_id: c.teamId,
    kpi: c.kpi,
    rule: c.rule,
    figures: JSON.stringify(c.figures),
    evidence_contact_ids: JSON.stringify(c.evidenceContactIds),
    assigned_coach_id: c.assignedCoachId,
    opened_ms: c.openedMs,
    closed_ms: null,
    flag_key: flagKey,
  };
}

export function caseRef(c: CaseSummary): CaseRef {
  const queueId = c.scope.startsWith('queue:') ? c.scope.slice('queue:'.length) : null;
  const touched = c.figures.touchedTeams;
  const touchedTeamIds = Array.isArray(touched) ? touched.filter((t): t is string => typeof t === 'string') : [];
  return { kind: c.kind, agentId: c.agentId, teamId: c.teamId, queueId, touchedTeamIds, assignedCoachId: c.assignedCoachId };
}

function toSummary(r: CoachingCasesTable): CaseSummary {
  return {
    id: r.id,
    kind: r.kind as CaseKind,
    status: r.status as 'open' | 'closed',
    scope: r.scope,
    agentId: r.agent_id,
    teamId: r.team_id,
    kpi: r.kpi,
    rule: r.rule,
    figures: JSON.parse(r.figures) as Record<string, unknown>,
    evidenceContactIds: JSON.parse(r.evidence_contact_ids) as string[],
    assignedCoachId: r.assigned_coach_id,
    openedAt: new Date(Number(r.opened_ms)).toISOString(),
    closedAt: r.closed_ms === null ? null : new Date(Number(r.closed_ms)).toISOString(),
    stage: (r.stage ?? 'new') as CaseSummary['stage'],
    version: Number(r.version ?? 1),
    sessionAt: r.session_at_ms === null || r.session_at_ms === undefined ? null : new Date(Number(r.session_at_ms)).toISOString(),
    followUpAt: r.follow_up_ms === null || r.follow_up_ms === undefined ? null : new Date(Number(r.follow_up_ms)).toISOString(),
    response: (r.response ?? null) as CaseResponse | null,
    outcome: (r.outcome ?? null) as CaseSummary['outcome'],
  };
}
