/**
 * QA evaluations, fair samples and the agent's response (issue 19 parts 2 and 3). Who may evaluate, see, amend,
 * respond and attach is decided in EvaluationService (server/qa/evaluation.service.ts); these routes declare who may
 * call them at all. Opening an evaluation is written to the security audit log, as opening a case is.
 */
import express, { type Router } from 'express';
import { z } from 'zod';
import { amendEvaluationBody, attachEvaluationBody, drawSampleBody, EVALUATION_VIEWS, respondEvaluationBody, saveEvaluationBody, startEvaluationBody, submitEvaluationBody, type EvaluationOptions } from '../../shared/qa-evaluations.js';
import { MAX_ID_LENGTH_V2 } from '../../shared/events.js';
import { AccountError } from '../accounts/errors.js';
import { actorOf } from '../access/principal.js';
import { canViewCase, type DirectoryIndex } from '../access/policies.js';
import type { AuditService } from '../audit/audit.service.js';
import { caseRef, type CaseStore } from '../coaching/case.store.js';
import type { DirectoryService } from '../directory/directory.service.js';
import type { ContactsService } from '../drilldown/contacts.service.js';
import { agentsOf, type EvaluationService } from '../qa/evaluation.service.js';
import type { EvaluationStore } from '../qa/evaluation.store.js';
import type { SamplingService } from '../qa/sampling.service.js';
import type { ScorecardStore } from '../qa/scorecard.store.js';
import { principalOf, type RouteTable } from './access.js';
import { parseInput } from './validate.js';

const evaluationId = z.string().min(1).max(64);
const evaluationParams = z.object({ evaluationId });
const listQuery = z.object({
  agentId: z.string().min(1).max(MAX_ID_LENGTH_V2).optional(),
  contactId: z.string().min(1).max(MAX_ID_LENGTH_V2).optional(),
  caseId: z.string().min(1).max(64).optional(),
  /** mine: evaluations I made; drafts: my drafts; to_respond: (an agent) submitted ones I have not answered; scope: recent in my scope. */
  view: z.enum(EVALUATION_VIEWS).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
const optionsQuery = z.object({ contactId: z.string().min(1).max(MAX_ID_LENGTH_V2) });
const samplesQuery = z.object({ period: z.string().max(10).optional() });

export interface QaEvaluationRouteDeps {
  evaluations: EvaluationStore;
  service: EvaluationService;
  sampling: SamplingService;
  scorecards: ScorecardStore;
  contacts: ContactsService;
  directory: DirectoryService;
  cases: CaseStore;
  dirIndex: () => Promise<DirectoryIndex>;
  audit: AuditService;
}

export function qaEvaluationRoutes(routes: RouteTable, { evaluations, service, sampling, scorecards, contacts, directory, cases, dirIndex, audit }: QaEvaluationRouteDeps): Router {
  const router = routes.router('QA evaluations');
  const json = express.json({ limit: '256kb' });
  const PEOPLE = ['admin', 'manager', 'team_leader', 'coach', 'agent'] as const;
  const EVALUATORS = ['admin', 'manager', 'team_leader', 'coach'] as const;
  const also409 = { 409: 'the evaluation changed since you read it (reload and try again), or it is not in the state this needs' };

  routes.add(
    router,
    { method: 'get', path: '/api/v1/qa/evaluations', audiences: PEOPLE, summary: 'evaluations the caller may see: by agent, contact or case, mine, my drafts, to respond to, or recent in my scope', doc: { query: listQuery } },
    async (req, res) => {
      const q = parseInput(listQuery, req.query, 'query');
      const p = principalOf(res);
      const me = p?.kind === 'user' ? p : undefined;
      if (q.caseId !== undefined) {
        const c = await cases.get(q.caseId);
        if (!c || !canViewCase(p, caseRef(c), await dirIndex())) throw new AccountError('not_found', `no case '${q.caseId}' you may see`);
      }
      let agentIds: string[] | undefined = q.agentId === undefined ? undefined : [q.agentId];
      if (q.view === 'to_respond' || (me?.role === 'agent' && agentIds === undefined)) agentIds = me?.agentId ? [me.agentId] : [];
      if (q.view === 'scope' && agentIds === undefined) agentIds = await sampling.agentsInScope(p);
      const rows = await evaluations.list({
        limit: q.limit * 4,
        ...(agentIds ? { agentIds } : {}),
        ...(q.contactId !== undefined ? { contactId: q.contactId } : {}),
        ...(q.caseId !== undefined ? { caseId: q.caseId } : {}),
        ...(q.view === 'mine' || q.view === 'drafts' ? { evaluatorId: me?.userId ?? '-' } : {}),
        ...(q.view === 'drafts' ? { status: 'draft' as const } : q.view === 'to_respond' || q.view === 'scope' ? { status: 'submitted' as const } : {}),
      });
      let shown = await service.visible(p, rows);
      if (q.view === 'to_respond') shown = shown.filter((e) => e.response === null);
      res.json({ ok: true, evaluations: await service.views(shown.slice(0, q.limit), q.caseId !== undefined) });
    },
  );

  routes.add(
    router,
    { method: 'get', path: '/api/v1/qa/evaluation-options', audiences: EVALUATORS, summary: "what evaluating a contact needs: whether the caller may, the contact's agents, the scorecards in use, its evaluations", doc: { query: optionsQuery } },
    async (req, res) => {
      const { contactId } = parseInput(optionsQuery, req.query, 'query');
      const p = principalOf(res);
      const dir = await directory.get();
      const rec = await contacts.record(contactId, dir);
      if (!rec) throw new AccountError('not_found', `no contact '${contactId}'`);
      const links = await service.linksFor(p);
      const agents = agentsOf(rec.contact);
      const mayEvaluate: string[] = [];
      for (const a of agents) if (await service.canEvaluate(p, a, links)) mayEvaluate.push(a);
      const cards = mayEvaluate.length === 0 ? [] : await scorecards.scorecards();
      const reply: EvaluationOptions = {
        canEvaluate: mayEvaluate.length > 0,
        agents: mayEvaluate.map((id) => ({ id, name: dir.agents.find((a) => a.id === id)?.name ?? null })),
        scorecards: cards.map((c) => ({ id: c.id, name: c.name, currentVersion: c.currentVersion, channels: c.channels })),
        evaluations: await service.views(await service.visible(p, await evaluations.list({ contactId, limit: 50 }))),
      };
      res.json({ ok: true, ...reply });
    },
  );

  routes.add(
    router,
    { method: 'post', path: '/api/v1/qa/evaluations', audiences: EVALUATORS, summary: 'start an evaluation of a contact (a draft on the current scorecard version)', doc: { body: startEvaluationBody, status: 201 } },
    json,
    async (req, res) => {
      const e = await service.start(principalOf(res), parseInput(startEvaluationBody, req.body));
      res.status(201).json({ ok: true, evaluation: (await service.views([e], true))[0] });
    },
  );

  routes.add(router, { method: 'get', path: '/api/v1/qa/evaluations/:evaluationId', audiences: PEOPLE, summary: 'one evaluation with the scorecard version it was scored on', doc: { params: evaluationParams } }, async (req, res) => {
    const id = parseInput(evaluationId, req.params.evaluationId, 'evaluation id');
    const p = principalOf(res);
    try {
      const e = await service.viewable(p, id);
      await audit.record({ actor: actorOf(p), action: 'qa.evaluation.open', target: `qa-evaluation:${id}`, ip: req.ip ?? null });
      res.json({ ok: true, evaluation: (await service.views([e], true))[0] });
    } catch (err) {
      if (err instanceof AccountError && err.kind === 'forbidden') await audit.record({ actor: actorOf(p), action: 'qa.evaluation.open', target: `qa-evaluation:${id}`, outcome: 'denied', ip: req.ip ?? null });
      throw err;
    }
  });

  routes.add(router, { method: 'get', path: '/api/v1/qa/evaluations/:evaluationId/history', audiences: PEOPLE, summary: "the evaluation's trail: every change, who made it and when", doc: { params: evaluationParams } }, async (req, res) => {
    const e = await service.viewable(principalOf(res), parseInput(evaluationId, req.params.evaluationId, 'evaluation id'));
    res.json({ ok: true, events: await service.trail(e) });
  });

  const write = (path: string, audiences: readonly (typeof PEOPLE)[number][], summary: string, body: z.ZodType, run: (id: string, req: express.Request, res: express.Response) => Promise<unknown>) =>
    routes.add(router, { method: path.endsWith('/:evaluationId') ? 'put' : 'post', path, audiences: [...audiences], summary, doc: { params: evaluationParams, body, also: also409 } }, json, async (req, res) => {
      const id = parseInput(evaluationId, req.params.evaluationId, 'evaluation id');
      await run(id, req, res);
      const e = await service.viewable(principalOf(res), id);
      res.json({ ok: true, evaluation: (await service.views([e], true))[0] });
    });

  write('/api/v1/qa/evaluations/:evaluationId', EVALUATORS, 'save a draft: answers, examples, notes, summary, method', saveEvaluationBody, (id, req, res) => service.save(principalOf(res), id, parseInput(saveEvaluationBody, req.body)));
  write('/api/v1/qa/evaluations/:evaluationId/submit', EVALUATORS, 'submit: score it and send the score to the QA KPI', submitEvaluationBody, (id, req, res) => service.submit(principalOf(res), id, parseInput(submitEvaluationBody, req.body)));
  write('/api/v1/qa/evaluations/:evaluationId/amend', ['admin', 'manager', 'team_leader', 'coach'], 'amend a submitted evaluation with a reason (its new revision replaces the old score in the KPI)', amendEvaluationBody, (id, req, res) =>
    service.amend(principalOf(res), id, parseInput(amendEvaluationBody, req.body)),
  );
  write('/api/v1/qa/evaluations/:evaluationId/response', ['agent'], 'the evaluated agent acknowledges or disputes the evaluation', respondEvaluationBody, (id, req, res) => service.respond(principalOf(res), id, parseInput(respondEvaluationBody, req.body)));
  write('/api/v1/qa/evaluations/:evaluationId/attach', ['manager', 'team_leader', 'coach'], 'attach the evaluation to a coaching case about the same agent, as evidence', attachEvaluationBody, (id, req, res) =>
    service.attach(principalOf(res), id, parseInput(attachEvaluationBody, req.body)),
  );

  routes.add(router, { method: 'get', path: '/api/v1/qa/samples', audiences: EVALUATORS, summary: "a period's fair sample in the caller's scope (the worklist) with coverage per agent", doc: { query: samplesQuery } }, async (req, res) => {
    const q = parseInput(samplesQuery, req.query, 'query');
    res.json({ ok: true, ...(await sampling.read(principalOf(res), q.period)) });
  });

  routes.add(router, { method: 'post', path: '/api/v1/qa/samples', audiences: ['admin', 'manager', 'team_leader'], summary: "draw a period's fair random sample per agent (again: adds nothing already drawn)", doc: { body: drawSampleBody } }, json, async (req, res) => {
    const b = parseInput(drawSampleBody, req.body);
    const drawn = await sampling.draw(principalOf(res), b.period, b.k);
    res.json({ ok: true, added: drawn.added, ...(await sampling.read(principalOf(res), drawn.period.id)) });
  });
  return router;
}
