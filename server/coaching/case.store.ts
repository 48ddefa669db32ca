/**
 * Coaching cases in the store: what the flagger opens and the coaching workflow works on. Access is decided by the
 * predicates in server/access/policies.ts (canViewCase, canEditCase, ...), never here.
 */
import { randomBytes } from 'node:crypto';
import type { CaseKind, CaseSummary } from '../../shared/access.js';
import type { CaseRef, CoachingLinks } from '../access/policies.js';
import type { Store } from '../store/db.js';
import type { CoachingCasesTable } from '../store/schema.js';

/** What the flagger supplies: a case summary before it has an id, a status or a closing time. */
export type NewCase = Omit<CaseSummary, 'id' | 'status' | 'openedAt' | 'closedAt'> & { openedMs: number };

export class CaseStore {
  constructor(private readonly store: Store) {}

  async insert(c: NewCase): Promise<CaseSummary> {
    const row = toRow(c, null);
    await this.store.db.insertInto('coaching_cases').values(row).execute();
    return (await this.get(row.id)) as CaseSummary;
  }

  /** Inserts a case the flagger opened unless one with the same key exists; returns whether it was new. */
  async insertFlagged(c: NewCase, flagKey: string): Promise<boolean> {
    const res = await this.store.db
      .insertInto('coaching_cases')
      .values(toRow(c, flagKey))
      .onConflict((oc) => oc.column('flag_key').doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async get(id: string): Promise<CaseSummary | undefined> {
    const row = await this.store.db.selectFrom('coaching_cases').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toSummary(row) : undefined;
  }

  async list(filter: { status?: 'open' | 'closed'; kind?: CaseKind; limit: number }): Promise<CaseSummary[]> {
    let q = this.store.db.selectFrom('coaching_cases').selectAll().orderBy('opened_ms', 'desc').limit(filter.limit);
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.kind) q = q.where('kind', '=', filter.kind);
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

function toRow(c: NewCase, flagKey: string | null): CoachingCasesTable & { id: string } {
  return {
    id: `case_${randomBytes(9).toString('base64url').replace(/[^A-Za-z0-9]/g, 'x')}`,
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
  return { kind: c.kind, agentId: c.agentId, teamId: c.teamId, assignedCoachId: c.assignedCoachId };
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
  };
}
