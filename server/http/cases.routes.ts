/**
 * The cases API: the read API (list, one case, its evidence, its follow-up review and trail) and the coaching
 * workflow's writes (assign, plan, record a session, actions, the agent's response, close). Who sees which case is
 * decided by canViewCase; who changes it by canEditCase / canClaimCase / canRespondToCase, inside CoachingService.
 * Opening a case is written to the security audit log; every change is written to the case's own trail.
 * Read keys (exports, integrations) list cases without their notes.
 */
import express, { type Router } from 'express';
import { maskPersonalData } from '../../shared/mask.js';
import type { Directory } from '../../shared/directory.js';
import type { DirectoryService } from '../directory/directory.service.js';
import type { ContactsService } from '../drilldown/contacts.service.js';
import { z } from 'zod';
import { CASE_KINDS, type CaseSummary, type EvidenceContact } from '../../shared/access.js';
import { actionStatusBody, addActionBody, assignBody, closeBody, INBOX_VIEWS, planBody, responseBody, sessionBody, type Assignee } from '../../shared/coaching.js';
import type { AccountService } from '../accounts/account.service.js';
import { AccountError } from '../accounts/errors.js';
import { actorOf, type Principal } from '../access/principal.js';
import { canBeAssigned, canViewCase, type DirectoryIndex } from '../access/policies.js';
import type { AuditService } from '../audit/audit.service.js';
import { caseRef, type CaseStore } from '../coaching/case.store.js';
import type { CoachingService } from '../coaching/coaching.service.js';
import type { Clock } from '../clock.js';
import { principalOf, type RouteTable } from './access.js';
import { parseInput } from './validate.js';

const listQuery = z.object({
  status: z.enum(['open', 'closed']).optional(),
  kind: z.enum(CASE_KINDS).optional(),
  /** Inbox views: new (unassigned), mine (assigned to me), due (follow-up date reached), all, closed. */
  view: z.enum(INBOX_VIEWS).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
const caseId = z.string().min(1).max(64);
const caseParams = z.object({ caseId });
const actionParams = z.object({ caseId, actionId: z.string().min(1).max(40) });

export interface CaseRouteDeps {
  cases: CaseStore;
  coaching: CoachingService;
  accounts: AccountService;
  dirIndex: () => Promise<DirectoryIndex>;
  audit: AuditService;
  /** The evidence contacts are folded as the drill-down folds them. */
  contacts: ContactsService;
  directory: DirectoryService;
  clock: Clock;
}

export function caseRoutes(routes: RouteTable, { cases, coaching, accounts, dirIndex, audit, contacts, directory, clock }: CaseRouteDeps): Router {
  const router = routes.router('Coaching cases');
  const json = express.json({ limit: '64kb' });
  const PEOPLE = ['admin', 'manager', 'team_leader', 'coach', 'agent'] as const;
  const WORKERS = ['manager', 'team_leader', 'coach'] as const;

  routes.add(router, { method: 'get', path: '/api/v1/cases', audiences: [...PEOPLE, 'key:read'], summary: 'coaching cases the caller may see (with inbox views)', doc: { query: listQuery } }, async (req, res) => {
    const q = parseInput(listQuery, req.query, 'query');
    const p = principalOf(res);
    const me = p?.kind === 'user' ? p.userId : undefined;
    const status = q.view === 'closed' ? 'closed' : q.view ? 'open' : q.status;
    const assignee = q.view === 'new' ? null : q.view === 'mine' ? (me ?? '-') : undefined;
    const all = await cases.list({ limit: q.limit, ...(status ? { status } : {}), ...(q.kind ? { kind: q.kind } : {}), ...(assignee !== undefined ? { assignee } : {}) });
    const dir = await dirIndex();
    let visible = p?.kind === 'apikey' ? all : all.filter((c) => canViewCase(p, caseRef(c), dir));
    if (q.view === 'due') {
      const now = clock.now();
      visible = visible.filter((c) => c.stage === 'held' && c.followUpAt !== null && Date.parse(c.followUpAt) <= now && (p?.kind !== 'user' || p.role !== 'coach' || c.assignedCoachId === p.userId));
    }
    res.json({ ok: true, cases: visible });
  });

  routes.add(router, { method: 'get', path: '/api/v1/cases/:caseId', audiences: PEOPLE, summary: 'one coaching case with its workflow (plan, session, actions, response, outcome)', doc: { params: caseParams } }, async (req, res) => {
    const id = parseInput(caseId, req.params.caseId, 'case id');
    const p = principalOf(res);
    try {
      const c = await coaching.viewable(p, id);
      await audit.record({ actor: actorOf(p), action: 'case.open', target: `case:${id}`, ip: req.ip ?? null });
      res.json({ ok: true, case: c });
    } catch (err) {
      // Denied attempts are audited too: an agent trying colleagues' case ids shows up in the log.
      if (err instanceof AccountError && err.kind === 'forbidden') await audit.record({ actor: actorOf(p), action: 'case.open', target: `case:${id}`, outcome: 'denied', ip: req.ip ?? null });
      throw err;
    }
  });

  routes.add(router, { method: 'get', path: '/api/v1/cases/:caseId/evidence', audiences: PEOPLE, summary: "the contacts frozen as a case's evidence, comments masked", doc: { params: caseParams } }, async (req, res) => {
    const c = await coaching.viewable(principalOf(res), parseInput(caseId, req.params.caseId, 'case id'));
    res.json({ ok: true, contacts: await evidenceOf(contacts, await directory.get(), c.evidenceContactIds) });
  });

  routes.add(router, { method: 'get', path: '/api/v1/cases/:caseId/review', audiences: PEOPLE, summary: 'the before/after follow-up review (frozen once the case closes)', doc: { params: caseParams } }, async (req, res) => {
    const c = await coaching.viewable(principalOf(res), parseInput(caseId, req.params.caseId, 'case id'));
    res.json({ ok: true, review: await coaching.review(c) });
  });

  routes.add(router, { method: 'get', path: '/api/v1/cases/:caseId/history', audiences: PEOPLE, summary: "the case's trail: every change, who made it and when", doc: { params: caseParams } }, async (req, res) => {
    const c = await coaching.viewable(principalOf(res), parseInput(caseId, req.params.caseId, 'case id'));
    res.json({ ok: true, events: await coaching.trail(c) });
  });

  routes.add(router, { method: 'get', path: '/api/v1/cases/:caseId/assignees', audiences: WORKERS, summary: 'the people a case may be given to', doc: { params: caseParams } }, async (req, res) => {
    const c = await coaching.viewable(principalOf(res), parseInput(caseId, req.params.caseId, 'case id'));
    const dir = await dirIndex();
    const people: Assignee[] = (await accounts.list())
      .filter((u) => !u.disabledAt && canBeAssigned({ role: u.role, userId: u.id, siteId: u.siteId, teamIds: u.teamIds }, caseRef(c), dir))
      .map((u) => ({ id: u.id, name: u.displayName, role: u.role as Assignee['role'] }));
    res.json({ ok: true, assignees: people });
  });

  /** Runs a workflow write and answers with the case as it now stands. */
  const write = (
    path: string,
    method: 'post' | 'put' | 'patch',
    audiences: readonly (typeof PEOPLE)[number][],
    summary: string,
    body: z.ZodType,
    run: (p: Principal | null, id: string, req: express.Request) => Promise<void>,
  ) =>
    routes.add(router, { method, path, audiences: [...audiences], summary, doc: { params: path.includes(':actionId') ? actionParams : caseParams, body, also: { 409: 'the case changed since you read it (reload and try again), or it is closed' } } }, json, async (req, res) => {
      const p = principalOf(res);
      const id = parseInput(caseId, req.params.caseId, 'case id');
      await run(p, id, req);
      const c: CaseSummary = await coaching.viewable(p, id);
      res.json({ ok: true, case: c });
    });

  write('/api/v1/cases/:caseId/assign', 'post', WORKERS, 'give a case to a coach or owner, or take an unassigned one', assignBody, (p, id, req) => coaching.assign(p, id, parseInput(assignBody, req.body)));
  write('/api/v1/cases/:caseId/plan', 'put', WORKERS, 'plan the coaching session', planBody, (p, id, req) => coaching.plan(p, id, parseInput(planBody, req.body)));
  write('/api/v1/cases/:caseId/session', 'post', WORKERS, 'record the session held: notes, agreed SMART actions, follow-up date', sessionBody, (p, id, req) => coaching.recordSession(p, id, parseInput(sessionBody, req.body)));
  write('/api/v1/cases/:caseId/actions', 'post', WORKERS, 'add an agreed action', addActionBody, (p, id, req) => {
    const b = parseInput(addActionBody, req.body);
    return coaching.addAction(p, id, b.version, b.action);
  });
  write('/api/v1/cases/:caseId/actions/:actionId', 'patch', [...WORKERS, 'agent'], 'mark an action done or dropped (the agent: their own actions)', actionStatusBody, (p, id, req) => {
    const b = parseInput(actionStatusBody, req.body);
    return coaching.setActionStatus(p, id, parseInput(actionParams, req.params, 'action id').actionId, b.version, b.status);
  });
  write('/api/v1/cases/:caseId/response', 'post', ['agent'], 'the agent acknowledges or disputes the case, with a comment and reflection', responseBody, (p, id, req) => coaching.respond(p, id, parseInput(responseBody, req.body)));
  write('/api/v1/cases/:caseId/close', 'post', WORKERS, 'close the case with an outcome and reason (freezes the review)', closeBody, (p, id, req) => coaching.close(p, id, parseInput(closeBody, req.body)));
  return router;
}

/**
 * Each evidence contact as the KPI engine folds it (server/drilldown/contacts.service.ts): the latest revision, handle
 * time over its legs, the survey on its own scale, and the agent its outcome is credited to by the centre's rule (the
 * agent the flagger counted it for). Comments masked; contacts erased since show as bare ids.
 */
async function evidenceOf(contacts: ContactsService, dir: Directory, ids: string[]): Promise<EvidenceContact[]> {
  const shown = ids.slice(0, 100);
  if (shown.length === 0) return [];
  const rows = await contacts.rows(shown, dir);
  return shown.map((cid) => {
    const r = rows.get(cid);
    if (!r) return { contactId: cid, offeredAt: null, queueId: null, channel: null, agentId: null, handleSeconds: null, csat: null, resolved: null, comment: null };
    return {
      contactId: cid,
      offeredAt: r.offeredAt,
      queueId: r.queueId,
      channel: r.channel,
      agentId: r.agentId,
      handleSeconds: r.handleSeconds,
      csat: r.csat,
      resolved: r.resolved,
      comment: r.comment === null ? null : maskPersonalData(r.comment),
    };
  });
}
