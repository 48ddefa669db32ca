/**
 * Improvement initiatives: opened from a saved review's recommendation, a systemic coaching case, or by hand; planned
 * (root cause, actions with owners, resources and dates, success criteria, stakeholders); signed off by every
 * stakeholder; the change recorded with its date; then measured before and after (server/improvement/comparison.ts,
 * on read) and closed with an outcome. Who may do what is decided by the predicates in server/access/policies.ts.
 */
import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import { formatScope, scopeText, type Scope } from '../../shared/access.js';
import { DEFAULT_WINDOW_DAYS, type EditInitiativeBody, type Initiative, type InitiativeOrigin, type InitiativeResults, type InitiativeStatus, type InitiativeStatusBody, type InitiativeSummary, type ChangeBody } from '../../shared/initiatives.js';
import { AccountError } from '../accounts/errors.js';
import type { AccountService } from '../accounts/account.service.js';
import { canEditInitiative, canEditInitiativeScope, canSignOffInitiative, canViewCase, canViewInitiative, canViewScope, type DirectoryIndex, type InitiativeRef } from '../access/policies.js';
import { actorOf, type Principal } from '../access/principal.js';
import type { Clock } from '../clock.js';
import { caseRef, type CaseStore } from '../coaching/case.store.js';
import type { DirectoryService } from '../directory/directory.service.js';
import type { KpiService } from '../kpi/kpi.service.js';
import type { ReviewService } from '../review/review.service.js';
import { filterForScope, type VocService } from '../voc/voc.service.js';
import { computeResults } from './comparison.js';
import { gatherEvidence } from './evidence.js';
import { newActionId, type InitiativeRecord, type InitiativeStore, type StoredAction } from './initiative.store.js';

export interface InitiativeDeps {
  store: InitiativeStore;
  kpis: KpiService;
  voc: VocService;
  reviews: ReviewService;
  cases: CaseStore;
  accounts: AccountService;
  directory: DirectoryService;
  dirIndex: () => Promise<DirectoryIndex>;
  clock: Clock;
}

const parseScope = (s: string): Scope => {
  const r = scopeText.safeParse(s);
  if (!r.success) throw new AccountError('invalid', `'${s}' is not a scope`);
  return r.data;
};

const refOf = (i: InitiativeRecord): InitiativeRef => ({ scope: parseScope(i.scope), stakeholders: i.stakeholders, createdBy: i.createdBy });

export class InitiativeService {
  constructor(private readonly d: InitiativeDeps) {}

  /** Opens an initiative in draft, with the evidence for its scope frozen now. Returns its id. */
  async open(p: Principal | null, body: { title: string; problem: string; origin: { kind: 'review'; reviewId: string; index: number } | { kind: 'case'; caseId: string } | { kind: 'manual'; scope: string } }): Promise<string> {
    const dir = await this.d.dirIndex();
    let scope: string;
    let origin: InitiativeOrigin;
    if (body.origin.kind === 'review') {
      const r = await this.d.reviews.get(body.origin.reviewId, new Map());
      if (!r || !canViewScope(p, parseScope(r.scope), dir)) throw new AccountError('not_found', `no review '${body.origin.reviewId}'`);
      const rec = r.snapshot.recommendations[body.origin.index];
      if (!rec) throw new AccountError('invalid', `the review has no recommendation ${body.origin.index + 1}`);
      scope = r.scope;
      origin = { kind: 'review', reviewId: r.id, index: body.origin.index, text: rec.text, because: rec.because };
    } else if (body.origin.kind === 'case') {
      const c = await this.d.cases.get(body.origin.caseId);
      if (!c || !canViewCase(p, caseRef(c), dir)) throw new AccountError('not_found', `no case '${body.origin.caseId}'`);
      if (c.kind !== 'systemic') throw new AccountError('invalid', 'initiatives come from systemic reviews (team, queue or channel), not cases about one agent');
      scope = c.scope;
      origin = { kind: 'case', caseId: c.id, text: `Systemic review of ${c.kpi} on ${c.scope}` };
    } else {
      scope = formatScope(parseScope(body.origin.scope));
      origin = { kind: 'manual' };
    }
    const s = parseScope(scope);
    if (!canEditInitiativeScope(p, s, dir)) throw new AccountError('forbidden', `you may not open initiatives for ${scope}`);
    const now = this.d.clock.now();
    const evidence = await gatherEvidence(this.d.kpis, this.d.voc, s, scope, await this.d.directory.get(), now);
    return this.d.store.create({ title: body.title, scope, origin, problem: body.problem, evidence, windowDays: DEFAULT_WINDOW_DAYS, createdBy: actorOf(p), createdMs: now });
  }

  private async load(p: Principal | null, id: string): Promise<InitiativeRecord> {
    const i = await this.d.store.get(id);
    // The same answer for "missing" and "not yours": ids of other people's initiatives are not confirmed.
    if (!i || !canViewInitiative(p, refOf(i), await this.d.dirIndex())) throw new AccountError('not_found', `no initiative '${id}'`);
    return i;
  }

  private async editable(p: Principal | null, id: string, version: number): Promise<InitiativeRecord> {
    const i = await this.load(p, id);
    if (!canEditInitiative(p, refOf(i), await this.d.dirIndex())) throw new AccountError('forbidden', 'you may view this initiative but not change it');
    if (i.status === 'closed') throw new AccountError('conflict', 'this initiative is closed');
    if (i.version !== version) throw new AccountError('conflict', `someone changed this initiative since you opened it (it is now at version ${i.version}); reload it and try again`);
    return i;
  }

  private async people(): Promise<Map<string, { name: string; role: string; active: boolean }>> {
    return new Map((await this.d.accounts.list()).map((u) => [u.id, { name: u.displayName, role: u.role, active: !u.disabledAt }]));
  }

  /** People who may own actions or be stakeholders: everyone signed up who is not an agent. */
  async candidates(): Promise<{ id: string; name: string; role: string }[]> {
    return [...(await this.people()).entries()].filter(([, u]) => u.active && u.role !== 'agent').map(([id, u]) => ({ id, name: u.name, role: u.role }));
  }

  async list(p: Principal | null, filter: { status?: InitiativeStatus; scope?: string }, withResults: boolean): Promise<InitiativeSummary[]> {
    const dir = await this.d.dirIndex();
    const visible = (await this.d.store.list(filter)).filter((i) => canViewInitiative(p, refOf(i), dir));
    return Promise.all(
      visible.map(async (i) => {
        const base: InitiativeSummary = { id: i.id, title: i.title, scope: i.scope, status: i.status, outcome: i.outcome, changeDate: i.changeDay, createdAt: new Date(i.createdMs).toISOString() };
        if (!withResults) return base;
        const r = await this.resultsOf(i);
        return { ...base, headline: r ? { verdict: r.headline, text: r.summary } : null };
      }),
    );
  }

  async view(p: Principal | null, id: string): Promise<Initiative> {
    const i = await this.load(p, id);
    const [people, comments, trail, dir] = await Promise.all([this.people(), this.d.store.comments(id), this.d.store.trail(id), this.d.dirIndex()]);
    const name = (actor: string) => people.get(actor.replace(/^user:/, ''))?.name ?? null;
    const ref = refOf(i);
    return {
      id: i.id,
      title: i.title,
      scope: i.scope,
      status: i.status,
      outcome: i.outcome,
      changeDate: i.changeDay,
      createdAt: new Date(i.createdMs).toISOString(),
      version: i.version,
      origin: i.origin,
      problem: i.problem,
      rootCause: i.rootCause,
      evidence: i.evidence,
      actions: i.actions.map((a) => ({ ...a, ownerName: name(a.owner) })),
      criteria: i.criteria,
      stakeholders: i.stakeholders.map((u) => {
        const s = i.signoffs.find((x) => x.userId === u);
        return { userId: u, name: name(u), signedOffAt: s ? new Date(s.atMs).toISOString() : null };
      }),
      change: i.changeDay ? { date: i.changeDay, description: i.changeText ?? '' } : null,
      windowDays: i.windowDays,
      outcomeReason: i.outcomeReason,
      createdBy: i.createdBy,
      createdByName: name(i.createdBy),
      updatedAt: new Date(i.updatedMs).toISOString(),
      closedAt: i.closedMs === null ? null : new Date(i.closedMs).toISOString(),
      comments: comments.map((c) => ({ id: c.id, at: new Date(c.atMs).toISOString(), author: c.author, authorName: name(c.author), text: c.text })),
      trail: trail.map((t) => ({ id: t.id, at: new Date(t.atMs).toISOString(), actor: t.actor, actorName: name(t.actor), action: t.action, details: t.details })),
      can: {
        edit: i.status !== 'closed' && canEditInitiative(p, ref, dir),
        signOff: i.status === 'planned' && canSignOffInitiative(p, ref) && p?.kind === 'user' && !i.signoffs.some((s) => s.userId === p.userId),
        comment: true,
      },
    };
  }

  async edit(p: Principal | null, id: string, b: EditInitiativeBody): Promise<void> {
    const i = await this.editable(p, id, b.version);
    const people = await this.people();
    const person = (uid: string, what: string) => {
      const u = people.get(uid);
      if (!u || !u.active || u.role === 'agent') throw new AccountError('invalid', `${what} must be a current member of staff who is not an agent`);
    };
    for (const s of b.stakeholders ?? []) person(s, 'each stakeholder');
    for (const a of b.actions ?? []) person(a.owner, 'each action owner');
    const planFields = b.rootCause !== undefined || b.criteria !== undefined || b.stakeholders !== undefined || b.windowDays !== undefined;
    if (i.status === 'implemented' && planFields) throw new AccountError('conflict', 'the change has been made: its root cause, criteria, stakeholders and windows are fixed now (actions can still be updated)');
    const actions: StoredAction[] | undefined = b.actions?.map((a) => ({ id: a.id && i.actions.some((x) => x.id === a.id) ? a.id : newActionId(), text: a.text, owner: a.owner, resources: a.resources ?? '', dueDate: a.dueDate, status: a.status ?? 'open' }));
    // Changing what was signed off (anything but an action's status) withdraws the sign-offs: they signed another plan.
    const strip = (xs: StoredAction[]) => JSON.stringify(xs.map((x) => ({ ...x, status: undefined })));
    const planChanged = planFields || (actions !== undefined && strip(actions) !== strip(i.actions));
    const withdraw = planChanged && (i.status === 'signed_off' || (i.status === 'planned' && i.signoffs.length > 0));
    const details: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(b)) if (k !== 'version' && v !== undefined) details[k] = v;
    if (withdraw) details.signOffsWithdrawn = i.signoffs.length;
    await this.d.store.change(id, i.version, {
      actor: actorOf(p),
      action: 'edited',
      atMs: this.d.clock.now(),
      details,
      patch: {
        ...(b.title !== undefined ? { title: b.title } : {}),
        ...(b.problem !== undefined ? { problem: b.problem } : {}),
        ...(b.rootCause !== undefined ? { rootCause: b.rootCause } : {}),
        ...(b.criteria !== undefined ? { criteria: b.criteria } : {}),
        ...(b.stakeholders !== undefined ? { stakeholders: [...new Set(b.stakeholders)] } : {}),
        ...(b.windowDays !== undefined ? { windowDays: b.windowDays } : {}),
        ...(actions !== undefined ? { actions } : {}),
        ...(withdraw ? { signoffs: [], status: 'planned' as const } : {}),
      },
    });
  }

  async setStatus(p: Principal | null, id: string, b: InitiativeStatusBody): Promise<void> {
    const i = await this.editable(p, id, b.version);
    const now = this.d.clock.now();
    if (b.to === 'planned') {
      if (i.status !== 'draft') throw new AccountError('conflict', 'only a draft is put forward as a plan');
      const missing = [!i.rootCause.trim() && 'a root cause', i.actions.length === 0 && 'at least one action', i.criteria.length === 0 && 'at least one success criterion', i.stakeholders.length === 0 && 'at least one stakeholder'].filter(Boolean);
      if (missing.length > 0) throw new AccountError('invalid', `a plan needs ${missing.join(', ')}`);
      await this.d.store.change(id, i.version, { actor: actorOf(p), action: 'planned', atMs: now, details: {}, patch: { status: 'planned' } });
      return;
    }
    if (b.outcome !== 'abandoned' && i.status !== 'implemented') throw new AccountError('conflict', 'an initiative closes with a result only after its change has been made; before that it can only be abandoned');
    await this.d.store.change(id, i.version, { actor: actorOf(p), action: 'closed', atMs: now, details: { outcome: b.outcome, reason: b.reason }, patch: { status: 'closed', outcome: b.outcome, outcomeReason: b.reason, closedMs: now } });
  }

  async signOff(p: Principal | null, id: string, version: number): Promise<void> {
    const i = await this.load(p, id);
    if (!canSignOffInitiative(p, refOf(i)) || p?.kind !== 'user') throw new AccountError('forbidden', 'only a stakeholder signs the plan off');
    if (i.status !== 'planned') throw new AccountError('conflict', i.status === 'draft' ? 'there is no plan to sign off yet' : 'the plan is past sign-off');
    if (i.version !== version) throw new AccountError('conflict', `someone changed this initiative since you opened it (it is now at version ${i.version}); reload it and try again`);
    if (i.signoffs.some((s) => s.userId === p.userId)) throw new AccountError('conflict', 'you have already signed this plan off');
    const now = this.d.clock.now();
    const signoffs = [...i.signoffs, { userId: p.userId, atMs: now }];
    const all = i.stakeholders.every((u) => signoffs.some((s) => s.userId === u));
    await this.d.store.change(id, i.version, { actor: actorOf(p), action: 'signed_off', atMs: now, details: { allSigned: all }, patch: { signoffs, ...(all ? { status: 'signed_off' as const } : {}) } });
  }

  async recordChange(p: Principal | null, id: string, b: ChangeBody): Promise<void> {
    const i = await this.editable(p, id, b.version);
    if (i.status !== 'signed_off') throw new AccountError('conflict', i.status === 'implemented' ? 'the change has already been recorded' : 'every stakeholder signs the plan off before the change is made');
    const now = this.d.clock.now();
    const today = format(new TZDate(now, this.d.kpis.zoneOf(i.scope)), 'yyyy-MM-dd');
    if (b.date > today) throw new AccountError('invalid', 'the change date is the day the change was made: not in the future');
    await this.d.store.change(id, i.version, { actor: actorOf(p), action: 'change_made', atMs: now, details: { date: b.date, description: b.description }, patch: { status: 'implemented', changeDay: b.date, changeText: b.description } });
  }

  async comment(p: Principal | null, id: string, text: string): Promise<void> {
    await this.load(p, id);
    await this.d.store.comment(id, actorOf(p), text, this.d.clock.now());
  }

  /** The before/after comparison, null until the change has been made. */
  async results(p: Principal | null, id: string): Promise<InitiativeResults | null> {
    return this.resultsOf(await this.load(p, id));
  }

  private async resultsOf(i: InitiativeRecord): Promise<InitiativeResults | null> {
    if (!i.changeDay) return null;
    const scope = parseScope(i.scope);
    const dir = await this.d.directory.get();
    const filter = filterForScope(scope, dir);
    return computeResults(this.d.kpis, {
      scope: i.scope,
      timeZone: this.d.kpis.zoneOf(i.scope),
      changeDate: i.changeDay,
      days: i.windowDays,
      criteria: i.criteria,
      nowMs: this.d.clock.now(),
      themes: async (from, to) => {
        const t = await this.d.voc.themes(i.scope, filter, from, to);
        return { comments: t.comments, themes: t.themes.map((x) => ({ id: x.id, label: x.label, count: x.count })) };
      },
    });
  }
}
