/**
 * QA evaluations (issue 19): who may evaluate and see an evaluation, its states, and how a submitted score reaches the
 * QA KPI: as a `qa.evaluated` event ingested in stored form, exactly as an incoming one would be, under the
 * evaluation's id with a rising revision (an amendment replaces the earlier score, it never adds a second one).
 *
 *   draft ──submit──▶ submitted ──amend (evaluator, manager, admin; reason)──▶ submitted (revision + 1)
 *                        └── agent: acknowledge / dispute (again after an amendment)
 *
 * Rules:
 * - evaluate: a person (not an agent) who may view the agent: admin; manager for their site; team leader for their
 *   teams; a coach while a case about the agent is assigned to them (policies.ts canViewAgent);
 * - see: a draft only its evaluator; a submitted one its evaluator, the evaluated agent (never another agent), and the
 *   people who may view the agent as above (the case rules' confidentiality: an agent never sees a colleague's);
 * - attach to a coaching case: someone who may edit that case (canEditCase), about the same agent.
 * No Express here: errors are AccountErrors the HTTP layer maps to statuses.
 */
import { MAX_TEXT_LENGTH, type FrontlineEvent } from '../../shared/events.js';
import { scoreEvaluation, type Answer, type MonitoringMethod } from '../../shared/qa.js';
import type { EvaluationEventView, EvaluationResponse, EvaluationView } from '../../shared/qa-evaluations.js';
import type { Directory } from '../../shared/directory.js';
import { AccountError } from '../accounts/errors.js';
import type { AccountService } from '../accounts/account.service.js';
import { canEditCase, canViewAgent, type CoachingLinks, type DirectoryIndex } from '../access/policies.js';
import { actorOf, type Principal, type UserPrincipal } from '../access/principal.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Clock } from '../clock.js';
import { caseRef, type CaseStore } from '../coaching/case.store.js';
import type { DirectoryService } from '../directory/directory.service.js';
import type { ContactsService } from '../drilldown/contacts.service.js';
import type { IngestService } from '../ingest/ingest.service.js';
import { EvaluationConflict, type EvaluationRow, type EvaluationStore } from './evaluation.store.js';
import type { ScorecardStore } from './scorecard.store.js';

export const EVENT_SOURCE = 'frontline-qa';

/** The stored event id of an evaluation's revision: `frontline-qa:<id>` for the first, `...:r<n>` after that. */
export function qaEventId(evaluationId: string, revision: number): string {
  return revision <= 1 ? `${EVENT_SOURCE}:${evaluationId}` : `${EVENT_SOURCE}:${evaluationId}:r${revision}`;
}

export interface EvaluationDeps {
  evaluations: EvaluationStore;
  scorecards: ScorecardStore;
  cases: CaseStore;
  contacts: ContactsService;
  directory: DirectoryService;
  dirIndex: () => Promise<DirectoryIndex>;
  ingest: IngestService;
  accounts: AccountService;
  audit: AuditService;
  clock: Clock;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export class EvaluationService {
  constructor(private readonly d: EvaluationDeps) {}

  /** A coach's links to agents (their assigned cases); others need none. */
  async linksFor(p: Principal | null): Promise<CoachingLinks | undefined> {
    return p?.kind === 'user' && p.role === 'coach' ? this.d.cases.linksFor(p.userId) : undefined;
  }

  /** May this person evaluate this agent? */
  async canEvaluate(p: Principal | null, agentId: string, links?: CoachingLinks): Promise<boolean> {
    if (p?.kind !== 'user' || p.role === 'agent') return false;
    return canViewAgent(p, agentId, await this.d.dirIndex(), links ?? (await this.linksFor(p)));
  }

  /** May this caller see this evaluation? (see the rules above) */
  async canSee(p: Principal | null, e: EvaluationRow, links?: CoachingLinks): Promise<boolean> {
    if (p?.kind !== 'user') return false;
    if (e.evaluatorId === p.userId) return true;
    if (e.status !== 'submitted') return false;
    if (p.role === 'agent') return p.agentId !== null && p.agentId === e.agentId;
    return canViewAgent(p, e.agentId, await this.d.dirIndex(), links ?? (await this.linksFor(p)));
  }

  /** The evaluation if the caller may see it: 404 for a missing one, 403 for one that is not theirs to see. */
  async viewable(p: Principal | null, id: string): Promise<EvaluationRow> {
    const e = await this.d.evaluations.get(id);
    if (!e) throw new AccountError('not_found', `no evaluation '${id}'`);
    if (!(await this.canSee(p, e))) throw new AccountError('forbidden', 'this evaluation is not yours to see');
    return e;
  }

  async start(p: Principal | null, body: { contactId: string; agentId?: string | undefined; scorecardId: string; method: MonitoringMethod }): Promise<EvaluationRow> {
    const me = person(p);
    const dir = await this.d.directory.get();
    const rec = await this.d.contacts.record(body.contactId, dir);
    if (!rec) throw new AccountError('not_found', `no contact '${body.contactId}'`);
    const handlers = agentsOf(rec.contact);
    const agentId = body.agentId ?? rec.contact.agentId ?? undefined;
    if (agentId === undefined) throw new AccountError('invalid', 'agentId: this contact has no handling agent; say which agent is evaluated');
    if (!handlers.includes(agentId)) throw new AccountError('invalid', `agentId: '${agentId}' did not handle this contact`);
    if (!(await this.canEvaluate(me, agentId))) throw new AccountError('forbidden', 'you may evaluate only agents you look after');
    const card = await this.d.scorecards.scorecard(body.scorecardId);
    if (!card || card.retiredAt !== null) throw new AccountError('invalid', `scorecardId: no scorecard '${body.scorecardId}' in use`);
    const sample = await this.d.evaluations.openSample(agentId, body.contactId);
    const e = await this.d.evaluations.insert(
      { contactId: body.contactId, agentId, scorecardId: card.id, scorecardVersion: card.currentVersion, evaluatorId: me.userId, method: body.method, sampleId: sample?.id ?? null },
      actorOf(me),
      this.d.clock.now(),
    );
    await this.d.audit.record({ actor: actorOf(me), action: 'qa.evaluation.start', target: `qa-evaluation:${e.id}`, details: { contactId: e.contactId, agentId } });
    return e;
  }

  private async ownDraft(p: Principal | null, id: string, version: number): Promise<{ me: UserPrincipal; e: EvaluationRow }> {
    const me = person(p);
    const e = await this.viewable(me, id);
    if (e.evaluatorId !== me.userId) throw new AccountError('forbidden', 'only the evaluator can change a draft');
    if (e.status !== 'draft') throw new AccountError('conflict', 'this evaluation is submitted already; amend it instead');
    if (e.version !== version) throw stale(e.version);
    return { me, e };
  }

  async save(p: Principal | null, id: string, body: { version: number; answers: Answer[]; summary?: string | undefined; method?: MonitoringMethod | undefined }): Promise<EvaluationRow> {
    const { me, e } = await this.ownDraft(p, id, body.version);
    const def = await this.definition(e);
    const keys = new Set(def.sections.flatMap((s) => s.criteria.map((c) => c.key)));
    const unknown = body.answers.find((a) => !keys.has(a.key));
    if (unknown) throw new AccountError('invalid', `answers: no criterion '${unknown.key}' on this scorecard version`);
    const after = await this.change(me, e, body.version, 'saved', { answers: body.answers.length }, { answers: JSON.stringify(body.answers), summary: body.summary ?? e.summary, method: body.method ?? e.method });
    await this.d.audit.record({ actor: actorOf(me), action: 'qa.evaluation.save', target: `qa-evaluation:${id}` });
    return after;
  }

  /** Scores the answers, stores the result and sends the score to the KPI engine as revision 1. */
  async submit(p: Principal | null, id: string, body: { version: number; answers: Answer[]; summary?: string | undefined; method?: MonitoringMethod | undefined }): Promise<EvaluationRow> {
    const { me, e } = await this.ownDraft(p, id, body.version);
    const scored = scoreEvaluation(await this.definition(e), body.answers);
    if (!scored.ok) throw new AccountError('invalid', `answers: ${scored.issues.map((i) => (i.key ? `${i.key}: ${i.reason}` : i.reason)).join('; ')}`);
    const now = this.d.clock.now();
    const summary = body.summary ?? e.summary;
    const after = await this.change(me, e, body.version, 'submitted', { score: scored.score, criticalFail: scored.criticalFail, revision: 1 }, {
      answers: JSON.stringify(body.answers),
      summary,
      method: body.method ?? e.method,
      status: 'submitted',
      score: scored.score,
      critical_fail: scored.criticalFail ? 1 : 0,
      submitted_ms: now,
      revision: 1,
    });
    await this.send(after, me.userId, now);
    await this.d.audit.record({ actor: actorOf(me), action: 'qa.evaluation.submit', target: `qa-evaluation:${id}`, details: { score: scored.score, criticalFail: scored.criticalFail } });
    return after;
  }

  /** A new revision of a submitted evaluation (after a dispute, say): the evaluator, or a manager or admin over the agent. */
  async amend(p: Principal | null, id: string, body: { version: number; answers: Answer[]; summary?: string | undefined; reason: string }): Promise<EvaluationRow> {
    const me = person(p);
    const e = await this.viewable(me, id);
    if (e.status !== 'submitted') throw new AccountError('conflict', 'a draft is saved or submitted, not amended');
    const senior = (me.role === 'admin' || me.role === 'manager') && (await this.canEvaluate(me, e.agentId));
    if (e.evaluatorId !== me.userId && !senior) throw new AccountError('forbidden', 'only the evaluator, or a manager or admin over the agent, can amend an evaluation');
    if (e.version !== body.version) throw stale(e.version);
    const scored = scoreEvaluation(await this.definition(e), body.answers);
    if (!scored.ok) throw new AccountError('invalid', `answers: ${scored.issues.map((i) => (i.key ? `${i.key}: ${i.reason}` : i.reason)).join('; ')}`);
    const now = this.d.clock.now();
    const revision = e.revision + 1;
    const after = await this.change(
      me,
      e,
      body.version,
      'amended',
      { reason: body.reason, revision, from: { score: e.score, criticalFail: e.criticalFail }, to: { score: scored.score, criticalFail: scored.criticalFail } },
      // The agent answers the amended evaluation afresh.
      { answers: JSON.stringify(body.answers), summary: body.summary ?? e.summary, score: scored.score, critical_fail: scored.criticalFail ? 1 : 0, revision, agent_response: null, agent_comment: null, responded_ms: null },
    );
    await this.send(after, e.evaluatorId, now);
    await this.d.audit.record({ actor: actorOf(me), action: 'qa.evaluation.amend', target: `qa-evaluation:${id}`, details: { reason: body.reason, revision, score: scored.score } });
    return after;
  }

  /** The evaluated agent acknowledges or disputes a submitted evaluation. */
  async respond(p: Principal | null, id: string, body: { version: number; response: EvaluationResponse; comment: string }): Promise<EvaluationRow> {
    const me = person(p);
    const e = await this.viewable(me, id);
    if (me.role !== 'agent' || me.agentId !== e.agentId) throw new AccountError('forbidden', 'only the agent evaluated can respond to an evaluation');
    if (e.version !== body.version) throw stale(e.version);
    const after = await this.change(me, e, body.version, body.response, { comment: body.comment || null, revision: e.revision }, { agent_response: body.response, agent_comment: body.comment || null, responded_ms: this.d.clock.now() });
    await this.d.audit.record({ actor: actorOf(me), action: `qa.evaluation.${body.response}`, target: `qa-evaluation:${id}` });
    return after;
  }

  /** Attaches a submitted evaluation to a coaching case about the same agent, as evidence. */
  async attach(p: Principal | null, id: string, body: { version: number; caseId: string }): Promise<EvaluationRow> {
    const me = person(p);
    const e = await this.viewable(me, id);
    if (e.status !== 'submitted') throw new AccountError('conflict', 'submit the evaluation before attaching it to a case');
    const c = await this.d.cases.get(body.caseId);
    if (!c) throw new AccountError('invalid', `caseId: no case '${body.caseId}'`);
    if (!canEditCase(me, caseRef(c), await this.d.dirIndex())) throw new AccountError('forbidden', 'only someone who may change that case can attach evidence to it');
    if (c.agentId !== e.agentId) throw new AccountError('invalid', 'caseId: that case is not about the agent evaluated');
    if (c.status === 'closed') throw new AccountError('conflict', 'that case is closed');
    if (e.version !== body.version) throw stale(e.version);
    const after = await this.change(me, e, body.version, 'attached', { caseId: c.id, previous: e.caseId }, { case_id: c.id });
    await this.d.audit.record({ actor: actorOf(me), action: 'qa.evaluation.attach', target: `qa-evaluation:${id}`, details: { caseId: c.id } });
    return after;
  }

  /** Evaluations the caller may see among these rows. */
  async visible(p: Principal | null, rows: EvaluationRow[]): Promise<EvaluationRow[]> {
    const links = await this.linksFor(p);
    const out: EvaluationRow[] = [];
    for (const r of rows) if (await this.canSee(p, r, links)) out.push(r);
    return out;
  }

  async views(rows: EvaluationRow[], withDefinition = false): Promise<EvaluationView[]> {
    const [dir, people] = await Promise.all([this.d.directory.get(), this.d.accounts.list()]);
    const names = new Map(people.map((u) => [u.id, u.displayName]));
    const cards = new Map<string, string | null>();
    const out: EvaluationView[] = [];
    for (const r of rows) {
      if (!cards.has(r.scorecardId)) cards.set(r.scorecardId, (await this.d.scorecards.scorecard(r.scorecardId))?.name ?? null);
      out.push(viewOf(r, dir, names, cards.get(r.scorecardId) ?? null, withDefinition ? ((await this.d.scorecards.version(r.scorecardId, r.scorecardVersion))?.definition ?? null) : null));
    }
    return out;
  }

  async trail(e: EvaluationRow): Promise<EvaluationEventView[]> {
    const [events, people] = await Promise.all([this.d.evaluations.events(e.id), this.d.accounts.list()]);
    const names = new Map(people.map((u) => [`user:${u.id}`, u.displayName]));
    return events.map((x) => ({ at: new Date(x.atMs).toISOString(), actor: x.actor, actorName: names.get(x.actor) ?? null, action: x.action, details: x.details }));
  }

  private async definition(e: EvaluationRow) {
    const v = await this.d.scorecards.version(e.scorecardId, e.scorecardVersion);
    if (!v) throw new AccountError('conflict', `the scorecard version this evaluation uses (${e.scorecardId} v${e.scorecardVersion}) is missing`);
    return v.definition;
  }

  private async change(me: UserPrincipal, e: EvaluationRow, version: number, action: string, details: Record<string, unknown>, patch: Parameters<EvaluationStore['change']>[2]): Promise<EvaluationRow> {
    try {
      return await this.d.evaluations.change(e.id, version, patch, { actor: actorOf(me), action, atMs: this.d.clock.now(), details });
    } catch (err) {
      if (err instanceof EvaluationConflict) throw new AccountError(err.code === 'not_found' ? 'not_found' : 'conflict', err.message);
      throw err;
    }
  }

  /** Ingests the evaluation's current revision as a stored `qa.evaluated` event: the KPI moves as for any incoming one. */
  private async send(e: EvaluationRow, evaluatorId: string, nowMs: number): Promise<void> {
    const event: FrontlineEvent = {
      id: qaEventId(e.id, e.revision),
      type: 'qa.evaluated',
      occurredAt: new Date(nowMs).toISOString(),
      source: EVENT_SOURCE,
      contactId: e.contactId,
      agentId: e.agentId,
      evaluatorId,
      score: e.score ?? 0,
      criticalFail: e.criticalFail ?? false,
      ...(e.summary ? { notes: e.summary.slice(0, MAX_TEXT_LENGTH) } : {}),
      evaluationId: e.id,
      revision: e.revision,
    };
    const out = await this.d.ingest.ingest([event], 'stored', EVENT_SOURCE);
    const r = out.results[0];
    if (r?.status === 'rejected') throw new Error(`the QA event for evaluation ${e.id} was refused: ${JSON.stringify(r.errors ?? [])}`);
  }
}

function person(p: Principal | null): UserPrincipal {
  if (p?.kind !== 'user') throw new AccountError('forbidden', 'only a signed-in person can do this');
  return p;
}

function stale(now: number): AccountError {
  return new AccountError('conflict', `someone changed this evaluation since you opened it (it is now at version ${now}); reload it and try again`);
}

/** The agents who handled a contact: the credited one first, then each leg's. */
export function agentsOf(c: { agentId: string | null; answeredBy: string | null; legs: { agentId: string }[] }): string[] {
  return [...new Set([c.agentId, c.answeredBy, ...c.legs.map((l) => l.agentId)].filter((a): a is string => a !== null))];
}

function viewOf(r: EvaluationRow, dir: Directory, names: Map<string, string>, scorecardName: string | null, definition: EvaluationView['definition']): EvaluationView {
  return {
    id: r.id,
    contactId: r.contactId,
    agentId: r.agentId,
    agentName: dir.agents.find((a) => a.id === r.agentId)?.name ?? null,
    scorecardId: r.scorecardId,
    scorecardName,
    scorecardVersion: r.scorecardVersion,
    definition,
    evaluatorId: r.evaluatorId,
    evaluatorName: names.get(r.evaluatorId) ?? null,
    method: r.method,
    status: r.status,
    answers: r.answers,
    summary: r.summary,
    score: r.score,
    criticalFail: r.criticalFail,
    revision: r.revision,
    sampleId: r.sampleId,
    createdAt: iso(r.createdMs) as string,
    updatedAt: iso(r.updatedMs) as string,
    submittedAt: iso(r.submittedMs),
    response: r.response,
    responseComment: r.responseComment,
    respondedAt: iso(r.respondedMs),
    caseId: r.caseId,
    version: r.version,
  };
}
