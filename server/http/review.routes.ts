/**
 * Service quality reviews: a live preview for a scope and period, saved snapshots, and stakeholders' comments. For
 * admins, managers and team leaders, for scopes they can see (the predicates decide, as everywhere).
 */
import express, { type Router } from 'express';
import { z } from 'zod';
import { formatScope, scopeText, type Scope } from '../../shared/access.js';
import { reviewCommentBody, reviewPeriodQuery, saveReviewBody } from '../../shared/review.js';
import type { AccountService } from '../accounts/account.service.js';
import { canViewScope, type DirectoryIndex } from '../access/policies.js';
import { actorOf, type Principal } from '../access/principal.js';
import type { AuditService } from '../audit/audit.service.js';
import type { DirectoryService } from '../directory/directory.service.js';
import type { ReviewService } from '../review/review.service.js';
import { deny, principalOf, type RouteTable } from './access.js';
import { HttpError } from './errors.js';
import { parseInput } from './validate.js';

export interface ReviewRouteDeps {
  reviews: ReviewService;
  directory: DirectoryService;
  dirIndex: () => Promise<DirectoryIndex>;
  accounts: AccountService;
  audit: AuditService;
}

export function reviewRoutes(routes: RouteTable, { reviews, directory, dirIndex, accounts, audit }: ReviewRouteDeps): Router {
  const router = routes.router('Service reviews');
  const json = express.json({ limit: '16kb' });
  const WHO = ['admin', 'manager', 'team_leader'] as const;
  const check = async (p: Principal | null, scope: Scope) => {
    if (!canViewScope(p, scope, await dirIndex())) deny(`you do not have access to ${formatScope(scope)}`);
  };
  const idParam = z.string().min(1).max(40);
  const reviewParams = z.object({ reviewId: idParam });

  routes.add(router, { method: 'get', path: '/api/v1/reviews/preview', audiences: [...WHO], summary: 'build a service quality review for a scope and period (not saved)', doc: { query: reviewPeriodQuery } }, async (req, res) => {
    const q = parseInput(reviewPeriodQuery, req.query, 'query');
    await check(principalOf(res), q.scope);
    res.json({ ok: true, review: await reviews.build(q.scope, q.from, q.to, await directory.get(), await dirIndex()) });
  });

  routes.add(router, { method: 'get', path: '/api/v1/reviews', audiences: [...WHO], summary: 'saved reviews the caller may see' }, async (_req, res) => {
    const p = principalOf(res);
    const dir = await dirIndex();
    const all = await reviews.list();
    res.json({ ok: true, reviews: all.filter((r) => { const s = scopeText.safeParse(r.scope); return s.success && canViewScope(p, s.data, dir); }) });
  });

  routes.add(router, { method: 'post', path: '/api/v1/reviews', audiences: [...WHO], summary: 'build and save a review as a snapshot', doc: { body: saveReviewBody, status: 201 } }, json, async (req, res) => {
    const body = parseInput(saveReviewBody, req.body);
    const scope = parseInput(scopeText, body.scope, 'scope');
    const p = principalOf(res);
    await check(p, scope);
    const review = await reviews.build(scope, body.from, body.to, await directory.get(), await dirIndex());
    const id = await reviews.save(review, body.title, actorOf(p));
    await audit.record({ actor: actorOf(p), action: 'review.save', target: `review:${id}`, ip: req.ip ?? null, details: { scope: review.scope, from: body.from, to: body.to } });
    res.status(201).json({ ok: true, id });
  });

  const load = async (p: Principal | null, id: string) => {
    const names = new Map((await accounts.list()).map((u) => [`user:${u.id}`, u.displayName]));
    const r = await reviews.get(id, names);
    if (!r) throw new HttpError(404, 'not_found', `no review '${id}'`);
    const s = scopeText.safeParse(r.scope);
    if (!s.success) throw new HttpError(500, 'internal', 'the saved review has a scope that no longer parses');
    await check(p, s.data);
    return { ...r, createdByName: names.get(r.createdBy) ?? null };
  };

  routes.add(router, { method: 'get', path: '/api/v1/reviews/:reviewId', audiences: [...WHO], summary: 'one saved review with its comments', doc: { params: reviewParams } }, async (req, res) => {
    res.json({ ok: true, review: await load(principalOf(res), parseInput(idParam, req.params.reviewId, 'review id')) });
  });

  routes.add(router, { method: 'post', path: '/api/v1/reviews/:reviewId/comments', audiences: [...WHO], summary: "add a stakeholder's comment to a saved review", doc: { params: reviewParams, body: reviewCommentBody, status: 201 } }, json, async (req, res) => {
    const id = parseInput(idParam, req.params.reviewId, 'review id');
    const body = parseInput(reviewCommentBody, req.body);
    const p = principalOf(res);
    await load(p, id);
    await reviews.comment(id, actorOf(p), body.text);
    res.status(201).json({ ok: true, review: await load(p, id) });
  });
  return router;
}
