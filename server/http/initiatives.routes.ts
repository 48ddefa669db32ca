/**
 * Improvement initiatives: open (from a review recommendation, a systemic case or by hand), read, plan, sign off,
 * record the change, comment, and read the before/after results. Admins, managers and team leaders open and change
 * them within their reach; stakeholders (coaches too) read, comment and sign off. Which object a caller may touch is
 * decided inside InitiativeService by the predicates in server/access/policies.ts.
 */
import express, { type Router } from 'express';
import { z } from 'zod';
import { changeBody, editInitiativeBody, initiativeCommentBody, initiativeListQuery, initiativeStatusBody, openInitiativeBody, signOffBody } from '../../shared/initiatives.js';
import { actorOf } from '../access/principal.js';
import type { AuditService } from '../audit/audit.service.js';
import type { InitiativeService } from '../improvement/initiative.service.js';
import { principalOf, type RouteTable } from './access.js';
import { parseInput } from './validate.js';

export function initiativeRoutes(routes: RouteTable, { initiatives, audit }: { initiatives: InitiativeService; audit: AuditService }): Router {
  const router = routes.router('Improvement initiatives');
  const json = express.json({ limit: '64kb' });
  const EDIT = ['admin', 'manager', 'team_leader'] as const;
  /** Stakeholders may be coaches too: they see only the initiatives they are stakeholders of. */
  const VIEW = [...EDIT, 'coach'] as const;
  const idParam = z.string().min(1).max(40);
  const params = z.object({ initiativeId: idParam });
  const conflict = { 409: 'the initiative changed since you read it (reload and try again), or it is not at the right step' };

  routes.add(router, { method: 'get', path: '/api/v1/initiatives', audiences: [...VIEW], summary: 'initiatives the caller may see, by status or scope, optionally with their before/after headline', doc: { query: initiativeListQuery } }, async (req, res) => {
    const q = parseInput(initiativeListQuery, req.query, 'query');
    const filter = { ...(q.status ? { status: q.status } : {}), ...(q.scope ? { scope: q.scope } : {}) };
    res.json({ ok: true, initiatives: await initiatives.list(principalOf(res), filter, q.results === '1') });
  });

  routes.add(router, { method: 'get', path: '/api/v1/initiatives/people', audiences: [...EDIT], summary: 'people who may own plan actions or be stakeholders' }, async (_req, res) => {
    res.json({ ok: true, people: await initiatives.candidates() });
  });

  routes.add(router, { method: 'post', path: '/api/v1/initiatives', audiences: [...EDIT], summary: 'open an initiative (evidence for its scope is frozen now)', doc: { body: openInitiativeBody, status: 201 } }, json, async (req, res) => {
    const body = parseInput(openInitiativeBody, req.body);
    const p = principalOf(res);
    const id = await initiatives.open(p, body);
    await audit.record({ actor: actorOf(p), action: 'initiative.open', target: `initiative:${id}`, ip: req.ip ?? null, details: { origin: body.origin.kind } });
    res.status(201).json({ ok: true, id, initiative: await initiatives.view(p, id) });
  });

  routes.add(router, { method: 'get', path: '/api/v1/initiatives/:initiativeId', audiences: [...VIEW], summary: 'one initiative: problem, evidence, plan, criteria, stakeholders, change, comments and trail', doc: { params } }, async (req, res) => {
    res.json({ ok: true, initiative: await initiatives.view(principalOf(res), parseInput(idParam, req.params.initiativeId, 'initiative id')) });
  });

  routes.add(router, { method: 'get', path: '/api/v1/initiatives/:initiativeId/results', audiences: [...VIEW], summary: 'the before/after comparison with intervals, themes, criteria and 30/60/90-day checks (null before the change)', doc: { params } }, async (req, res) => {
    res.json({ ok: true, results: await initiatives.results(principalOf(res), parseInput(idParam, req.params.initiativeId, 'initiative id')) });
  });

  /** A write, answered with the initiative as it now stands. */
  const write = (method: 'post' | 'patch', path: string, audiences: readonly (typeof VIEW)[number][], summary: string, body: z.ZodType, run: (id: string, req: express.Request, res: express.Response) => Promise<void>) =>
    routes.add(router, { method, path, audiences: [...audiences], summary, doc: { params, body, also: conflict } }, json, async (req, res) => {
      const id = parseInput(idParam, req.params.initiativeId, 'initiative id');
      await run(id, req, res);
      res.json({ ok: true, initiative: await initiatives.view(principalOf(res), id) });
    });

  write('patch', '/api/v1/initiatives/:initiativeId', EDIT, 'change the problem, root cause, plan actions, success criteria, stakeholders or windows', editInitiativeBody, (id, req, res) => initiatives.edit(principalOf(res), id, parseInput(editInitiativeBody, req.body)));
  write('post', '/api/v1/initiatives/:initiativeId/status', EDIT, 'put a draft forward as a plan, or close with an outcome and reason', initiativeStatusBody, (id, req, res) => initiatives.setStatus(principalOf(res), id, parseInput(initiativeStatusBody, req.body)));
  write('post', '/api/v1/initiatives/:initiativeId/signoff', VIEW, 'a stakeholder signs the plan off', signOffBody, (id, req, res) => initiatives.signOff(principalOf(res), id, parseInput(signOffBody, req.body).version));
  write('post', '/api/v1/initiatives/:initiativeId/change', EDIT, 'record the change made, with its date (measuring starts)', changeBody, (id, req, res) => initiatives.recordChange(principalOf(res), id, parseInput(changeBody, req.body)));
  write('post', '/api/v1/initiatives/:initiativeId/comments', VIEW, "add a stakeholder's comment", initiativeCommentBody, (id, req, res) => initiatives.comment(principalOf(res), id, parseInput(initiativeCommentBody, req.body).text));
  return router;
}
