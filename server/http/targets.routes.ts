/** Targets: read by everyone who can see the scope; set by admins and managers (for scopes they can see). */
import express, { type Router } from 'express';
import { z } from 'zod';
import { scopeText } from '../../shared/access.js';
import { KPI_NAMES, localDate } from '../../shared/kpis.js';
import { actorOf } from '../access/principal.js';
import { canViewScope, type DirectoryIndex } from '../access/policies.js';
import type { CaseStore } from '../coaching/case.store.js';
import type { TargetService } from '../targets/target.service.js';
import { deny, principalOf, requireUser, type RouteTable } from './access.js';
import { parseInput } from './validate.js';

const date = z.string().regex(localDate, 'must be a date YYYY-MM-DD');
const targetBody = z
  .strictObject({
    kpi: z.enum(KPI_NAMES),
    scope: z.string().max(200),
    threshold: z.number().finite(),
    direction: z.enum(['up', 'down']),
    tolerance: z.number().finite().min(0),
    effectiveFrom: date,
    effectiveTo: date.nullable().default(null),
    reviewDate: date,
    owner: z.string().trim().min(1).max(200),
    objective: z.string().trim().min(3, 'say which objective this target serves').max(2000),
  })
  .superRefine((t, ctx) => {
    if (!scopeText.safeParse(t.scope).success) ctx.addIssue({ code: 'custom', path: ['scope'], message: "must be 'centre' or site:ID, team:ID, queue:ID, channel:NAME, agent:ID" });
    const fraction = ['csat', 'fcrRepeat', 'fcrSurvey', 'serviceLevel', 'abandonRate'].includes(t.kpi);
    if (fraction && (t.threshold < 0 || t.threshold > 1)) ctx.addIssue({ code: 'custom', path: ['threshold'], message: 'a rate is a fraction from 0 to 1 (0.8 for 80%)' });
  });

const targetParams = z.object({ targetId: z.string().min(1).max(64) });

export function targetRoutes(routes: RouteTable, targets: TargetService, dirIndex: () => Promise<DirectoryIndex>, cases: CaseStore): Router {
  const router = routes.router('Targets');
  const json = express.json({ limit: '16kb' });
  const PEOPLE = ['admin', 'manager', 'team_leader', 'coach', 'agent'] as const;

  const mayView = async (res: express.Response, scope: string) => canViewScope(principalOf(res), scopeText.parse(scope), await dirIndex());

  routes.add(router, { method: 'get', path: '/api/v1/targets', audiences: [...PEOPLE, 'key:read'], summary: 'targets for scopes the caller can see, with 90-day attainment' }, async (_req, res) => {
    const dir = await dirIndex();
    const p = principalOf(res);
    // A coach sees the targets of agents they coach, as they see those agents' figures.
    const links = p?.kind === 'user' && p.role === 'coach' ? await cases.linksFor(p.userId) : undefined;
    const all = (await targets.list()).filter((t) => canViewScope(p, scopeText.parse(t.scope), dir, links));
    res.json({ ok: true, today: targets.todayLocal(), targets: await Promise.all(all.map(async (t) => ({ ...t, attainment: await targets.attainment(t) }))) });
  });

  routes.add(router, { method: 'post', path: '/api/v1/targets', audiences: ['admin', 'manager'], summary: 'set a target', doc: { body: targetBody, status: 201 } }, json, async (req, res) => {
    const body = parseInput(targetBody, req.body);
    if (!(await mayView(res, body.scope))) deny('you can only set targets for scopes you can see');
    const t = await targets.create(body, actorOf(requireUser(res)));
    res.status(201).json({ ok: true, target: { ...t, attainment: await targets.attainment(t) } });
  });

  routes.add(router, { method: 'put', path: '/api/v1/targets/:targetId', audiences: ['admin', 'manager'], summary: 'change a target', doc: { params: targetParams, body: targetBody } }, json, async (req, res) => {
    const { targetId: id } = parseInput(targetParams, req.params, 'target id');
    const body = parseInput(targetBody, req.body);
    const before = await targets.get(id);
    if (!(await mayView(res, before.scope)) || !(await mayView(res, body.scope))) deny('you can only change targets for scopes you can see');
    const t = await targets.update(id, body, actorOf(requireUser(res)));
    res.json({ ok: true, target: { ...t, attainment: await targets.attainment(t) } });
  });

  routes.add(router, { method: 'delete', path: '/api/v1/targets/:targetId', audiences: ['admin', 'manager'], summary: 'remove a target', doc: { params: targetParams } }, async (req, res) => {
    const { targetId: id } = parseInput(targetParams, req.params, 'target id');
    const before = await targets.get(id);
    if (!(await mayView(res, before.scope))) deny('you can only remove targets for scopes you can see');
    await targets.remove(id, actorOf(requireUser(res)));
    res.json({ ok: true });
  });
  return router;
}
