/**
 * The coaching workflow (DOMAIN.md section 6): who may move a case on, which stage each step needs, and what each
 * step records. The store applies each change atomically with its trail entry and version check; this service decides
 * whether the change is allowed. No Express here: errors are AccountErrors the HTTP layer maps to statuses.
 *
 *   new ──assign──▶ assigned ──plan──▶ planned ──session──▶ held ──(follow-up date)──▶ review ──close──▶ closed
 *
 * A session may be recorded without a plan (a conversation that happened). Closing as improved or no change needs a
 * held session, since those outcomes rest on the before/after review, which is frozen into the case when it closes.
 */
import type { CaseSummary } from '../../shared/access.js';
import { DEFAULT_REVIEW_DAYS, type ActionStatus, type AssignBody, type CaseDetail, type CaseEventRecord, type CaseReview, type CloseBody, type PlanBody, type responseBody, type sessionBody } from '../../shared/coaching.js';
import type { z } from 'zod';
import { AccountError } from '../accounts/errors.js';
import type { AccountService } from '../accounts/account.service.js';
import { canBeAssigned, canClaimCase, canEditCase, canRespondToCase, canViewCase, type DirectoryIndex } from '../access/policies.js';
import { actorOf, type Principal } from '../access/principal.js';
import type { Clock } from '../clock.js';
import { caseRef, type CaseChange, type CaseStore } from './case.store.js';
import { computeReview, type CounterSource } from './review.js';

type SessionInput = z.output<typeof sessionBody>;

/** A session time may be a few minutes ahead of the server's clock (a coach's laptop), not more. */
const SKEW_MS = 5 * 60_000;

export class CoachingService {
  constructor(
    private readonly cases: CaseStore,
    private readonly accounts: AccountService,
    private readonly counters: CounterSource,
    private readonly dirIndex: () => Promise<DirectoryIndex>,
    private readonly clock: Clock,
  ) {}

  /** The case if the caller may see it; a missing case and a case that is not theirs are told apart. */
  async viewable(p: Principal | null, id: string): Promise<CaseDetail> {
    const c = await this.cases.detail(id);
    if (!c) throw new AccountError('not_found', `no case '${id}'`);
    if (!canViewCase(p, caseRef(c), await this.dirIndex())) throw new AccountError('forbidden', 'this case is not yours to see');
    const assigneeName = c.assignedCoachId === null ? null : await this.accounts.get(c.assignedCoachId).then((u) => u.displayName, () => null);
    return { ...c, assigneeName };
  }

  private async editable(p: Principal | null, id: string, version: number): Promise<CaseDetail> {
    const c = await this.viewable(p, id);
    if (!canEditCase(p, caseRef(c), await this.dirIndex())) throw new AccountError('forbidden', 'only the assigned coach or owner, the team leader or the manager can change this case');
    if (c.status === 'closed') throw new AccountError('conflict', 'this case is closed');
    if (c.version !== version) throw stale(c.version);
    return c;
  }

  private change(p: Principal | null, c: CaseSummary, version: number, action: string, details: Record<string, unknown>, rest: Omit<CaseChange, 'actor' | 'action' | 'atMs' | 'details'>): Promise<void> {
    return this.cases.change(c.id, version, { actor: actorOf(p), action, atMs: this.clock.now(), details, ...rest });
  }

  /** Give the case to someone, or (a coach) take an unassigned one. */
  async assign(p: Principal | null, id: string, body: AssignBody): Promise<void> {
    const c = await this.viewable(p, id);
    const dir = await this.dirIndex();
    const ref = caseRef(c);
    const claiming = p?.kind === 'user' && body.assigneeId === p.userId && canClaimCase(p, ref);
    if (!claiming && !canEditCase(p, ref, dir)) throw new AccountError('forbidden', 'only the assigned coach or owner, the team leader or the manager can reassign this case');
    if (c.status === 'closed') throw new AccountError('conflict', 'this case is closed');
    if (c.version !== body.version) throw stale(c.version);
    const assignee = await this.accounts.get(body.assigneeId).catch(() => {
      throw new AccountError('invalid', `no person with id '${body.assigneeId}'`);
    });
    if (assignee.disabledAt) throw new AccountError('invalid', `${assignee.displayName}'s account is disabled`);
    if (!canBeAssigned({ role: assignee.role, userId: assignee.id, siteId: assignee.siteId, teamIds: assignee.teamIds }, ref, dir)) {
      throw new AccountError(
        'invalid',
        c.kind === 'systemic'
          ? `${assignee.displayName} cannot own this review: systemic reviews go to the team's leader or a manager covering it`
          : `${assignee.displayName} cannot take this case: cases go to coaches, or to a team leader or manager covering the team`,
      );
    }
    if (c.assignedCoachId === assignee.id) throw new AccountError('conflict', `${assignee.displayName} already has this case`);
    await this.change(p, c, body.version, 'assigned', { from: c.assignedCoachId, to: assignee.id, toName: assignee.displayName }, { patch: { assigned_coach_id: assignee.id, stage: c.stage === 'new' ? 'assigned' : c.stage } });
  }

  async plan(p: Principal | null, id: string, body: PlanBody): Promise<void> {
    const c = await this.editable(p, id, body.version);
    if (c.assignedCoachId === null) throw new AccountError('conflict', 'assign the case before planning a session');
    if (c.stage === 'held') throw new AccountError('conflict', 'the session has been held; add actions or close the case instead');
    await this.change(p, c, body.version, 'planned', { sessionAt: body.sessionAt, plan: body.plan }, { patch: { plan: body.plan, session_at_ms: Date.parse(body.sessionAt), stage: 'planned' } });
  }

  async recordSession(p: Principal | null, id: string, body: SessionInput): Promise<void> {
    const c = await this.editable(p, id, body.version);
    if (c.assignedCoachId === null) throw new AccountError('conflict', 'assign the case before recording a session');
    if (c.stage === 'held') throw new AccountError('conflict', 'a session is already recorded for this case');
    const held = Date.parse(body.heldAt);
    if (held > this.clock.now() + SKEW_MS) throw new AccountError('invalid', 'heldAt: a session is recorded once it has happened; plan future sessions instead');
    if (held < Date.parse(c.openedAt) - 86_400_000) throw new AccountError('invalid', 'heldAt: the session cannot be before the case opened');
    await this.change(
      p,
      c,
      body.version,
      'session',
      { heldAt: body.heldAt, notes: body.notes, followUpAt: body.followUpAt, reviewDays: body.reviewDays, actions: body.actions.map((a) => a.text) },
      {
        patch: { held_ms: held, notes: body.notes, follow_up_ms: Date.parse(body.followUpAt), review_days: body.reviewDays, stage: 'held' },
        newActions: body.actions,
      },
    );
  }

  async addAction(p: Principal | null, id: string, version: number, action: SessionInput['actions'][number]): Promise<void> {
    const c = await this.editable(p, id, version);
    if (Date.parse(action.dueAt) <= this.clock.now()) throw new AccountError('invalid', 'action.dueAt: an action is due in the future');
    await this.change(p, c, version, 'action_added', { text: action.text, measure: action.measure, owner: action.owner, dueAt: action.dueAt }, { patch: {}, newActions: [action] });
  }

  /** Marking an action done or dropped: editors, or the agent for an action they own. */
  async setActionStatus(p: Principal | null, id: string, actionId: string, version: number, status: ActionStatus): Promise<void> {
    const c = await this.viewable(p, id);
    const action = c.actions.find((a) => a.id === actionId);
    if (!action) throw new AccountError('not_found', `this case has no action '${actionId}'`);
    const dir = await this.dirIndex();
    const agentsOwn = action.owner === 'agent' && canRespondToCase(p, caseRef(c)) && status !== 'dropped';
    if (!agentsOwn && !canEditCase(p, caseRef(c), dir)) throw new AccountError('forbidden', 'only editors of the case (or the agent, for their own actions) can update an action');
    if (c.status === 'closed') throw new AccountError('conflict', 'this case is closed');
    if (c.version !== version) throw stale(c.version);
    await this.change(p, c, version, 'action_status', { actionId, text: action.text, from: action.status, to: status }, { patch: {}, actionStatus: { id: actionId, status } });
  }

  /** The agent's acknowledgement or dispute, with a comment and their own reflection. */
  async respond(p: Principal | null, id: string, body: z.output<typeof responseBody>): Promise<void> {
    const c = await this.viewable(p, id);
    if (!canRespondToCase(p, caseRef(c))) throw new AccountError('forbidden', 'only the agent this case is about can respond to it');
    if (c.status === 'closed') throw new AccountError('conflict', 'this case is closed');
    if (c.version !== body.version) throw stale(c.version);
    const reflection = body.reflection ?? c.reflection;
    await this.change(p, c, body.version, 'responded', { response: body.response, comment: body.comment, reflection: body.reflection ?? null }, { patch: { response: body.response, response_comment: body.comment || null, response_ms: this.clock.now(), reflection: reflection ?? null } });
  }

  async close(p: Principal | null, id: string, body: CloseBody): Promise<void> {
    const c = await this.editable(p, id, body.version);
    if ((body.outcome === 'improved' || body.outcome === 'no_change') && c.stage !== 'held') {
      throw new AccountError('invalid', `outcome: '${body.outcome}' rests on the follow-up review, which needs a held session; close as not warranted or escalated, or record the session first`);
    }
    const review = await this.review(c);
    await this.change(p, c, body.version, 'closed', { outcome: body.outcome, reason: body.reason, review: review.summary }, { patch: { status: 'closed', stage: 'closed', outcome: body.outcome, outcome_reason: body.reason, closed_ms: this.clock.now(), review: JSON.stringify(review) } });
  }

  /** The before/after comparison: frozen at closing, computed from the KPI history while the case is open. */
  async review(c: CaseDetail): Promise<CaseReview> {
    if (c.review) return c.review;
    const pivotMs = c.heldAt ? Date.parse(c.heldAt) : Date.parse(c.openedAt);
    const dir = await this.dirIndex();
    const teamId = c.teamId ?? (c.agentId ? dir.agentTeam.get(c.agentId) : undefined) ?? null;
    return computeReview(this.counters, { scope: c.scope, teamScope: c.kind === 'systemic' || teamId === null ? null : `team:${teamId}`, kpi: c.kpi, pivotMs, days: c.reviewDays ?? DEFAULT_REVIEW_DAYS }, this.clock.now());
  }

  /** The case's trail with people's names. */
  async trail(c: CaseSummary): Promise<CaseEventRecord[]> {
    const [events, people] = await Promise.all([this.cases.events(c.id), this.accounts.list()]);
    const names = new Map(people.map((u) => [`user:${u.id}`, u.displayName]));
    names.set('system:flagger', 'Frontline flagger');
    names.set('system:scheduler', 'Frontline scheduler');
    return events.map((e) => ({ ...e, actorName: names.get(e.actor) ?? null }));
  }
}

function stale(now: number): AccountError {
  return new AccountError('conflict', `someone changed this case since you opened it (it is now at version ${now}); reload it and try again`);
}
