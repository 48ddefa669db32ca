/**
 * Notifications: each person's own preferences; team and centre endpoints (webhooks, team email addresses) and the
 * delivery log for admins and managers (a manager covering one site: that site's teams only); a test send.
 */
import express, { type Router } from 'express';
import { z } from 'zod';
import { scopeText } from '../../shared/access.js';
import { endpointPatchBody, newEndpointBody, notificationPrefs, testBody } from '../../shared/notifications.js';
import { actorOf, type UserPrincipal } from '../access/principal.js';
import { canViewScope, type DirectoryIndex } from '../access/policies.js';
import type { NotificationService } from '../notifications/notification.service.js';
import { deny, requireUser, type RouteTable } from './access.js';
import { parseInput } from './validate.js';

const PEOPLE = ['admin', 'manager', 'team_leader', 'coach', 'agent'] as const;
const ADMINS = ['admin', 'manager'] as const;
const endpointId = z.string().regex(/^nep_[A-Za-z0-9]{16}$/, 'must be an endpoint id (nep_...)');
const logQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(100) });

export function notificationRoutes(routes: RouteTable, notifications: NotificationService, dirIndex: () => Promise<DirectoryIndex>): Router {
  const router = routes.router('Notifications');
  const json = express.json({ limit: '16kb' });

  /** Admins and whole-centre managers manage every endpoint; a site manager those of their site's teams (not the centre's). */
  const mayManage = async (p: UserPrincipal, scope: string): Promise<boolean> => {
    if (p.role === 'admin' || (p.role === 'manager' && p.siteId === null)) return true;
    return p.role === 'manager' && scope !== 'centre' && canViewScope(p, scopeText.parse(scope), await dirIndex());
  };
  const endpointFor = async (p: UserPrincipal, id: string) => {
    const e = await notifications.endpoint(id);
    if (!(await mayManage(p, e.scope))) deny('this endpoint belongs to a team you do not manage');
    return e;
  };

  routes.add(router, { method: 'get', path: '/api/v1/notifications/preferences', audiences: PEOPLE, summary: 'my notification preferences' }, async (_req, res) => {
    const p = requireUser(res);
    res.json({ ok: true, preferences: await notifications.preferences(p.userId), emailAvailable: notifications.emailAvailable });
  });

  routes.add(router, { method: 'put', path: '/api/v1/notifications/preferences', audiences: PEOPLE, summary: 'change my notification preferences' }, json, async (req, res) => {
    const p = requireUser(res);
    const body = parseInput(notificationPrefs, req.body);
    res.json({ ok: true, preferences: await notifications.setPreferences(p.userId, body), emailAvailable: notifications.emailAvailable });
  });

  routes.add(router, { method: 'get', path: '/api/v1/notifications/endpoints', audiences: ADMINS, summary: 'team and centre webhooks and email addresses' }, async (_req, res) => {
    const p = requireUser(res);
    const all = await notifications.endpoints();
    const mine = [];
    for (const e of all) if (await mayManage(p, e.scope)) mine.push(e);
    res.json({ ok: true, endpoints: mine, emailAvailable: notifications.emailAvailable });
  });

  routes.add(router, { method: 'post', path: '/api/v1/notifications/endpoints', audiences: ADMINS, summary: 'add a webhook (its secret is shown once) or a team email address' }, json, async (req, res) => {
    const p = requireUser(res);
    const body = parseInput(newEndpointBody, req.body);
    if (!(await mayManage(p, body.scope))) deny('you can only add notifications for teams you manage');
    const { endpoint, secret } = await notifications.addEndpoint(body, actorOf(p));
    res.status(201).json({ ok: true, endpoint, ...(secret === null ? {} : { secret }) });
  });

  routes.add(router, { method: 'patch', path: '/api/v1/notifications/endpoints/:endpointId', audiences: ADMINS, summary: 'rename, change kinds, enable or disable an endpoint' }, json, async (req, res) => {
    const p = requireUser(res);
    const id = parseInput(endpointId, req.params.endpointId, 'endpoint id');
    const body = parseInput(endpointPatchBody, req.body);
    await endpointFor(p, id);
    res.json({ ok: true, endpoint: await notifications.changeEndpoint(id, body, actorOf(p)) });
  });

  routes.add(router, { method: 'delete', path: '/api/v1/notifications/endpoints/:endpointId', audiences: ADMINS, summary: 'remove an endpoint' }, async (req, res) => {
    const p = requireUser(res);
    const id = parseInput(endpointId, req.params.endpointId, 'endpoint id');
    await endpointFor(p, id);
    await notifications.removeEndpoint(id, actorOf(p));
    res.json({ ok: true });
  });

  routes.add(router, { method: 'get', path: '/api/v1/notifications/deliveries', audiences: ADMINS, summary: 'the delivery log: every notice, its status and attempts' }, async (req, res) => {
    const p = requireUser(res);
    const q = parseInput(logQuery, req.query, 'query');
    // Admins see every row; a manager sees the endpoints they manage and their own email (never colleagues' mail).
    const scopes = new Map((await notifications.endpoints()).map((e) => [`endpoint:${e.id}`, e.scope]));
    const allowed = new Set<string>([`user:${p.userId}`]);
    for (const [recipient, scope] of scopes) if (await mayManage(p, scope)) allowed.add(recipient);
    const deliveries = await notifications.deliveries(q.limit, p.role === 'admin' ? 'all' : [...allowed]);
    res.json({ ok: true, deliveries });
  });

  routes.add(router, { method: 'post', path: '/api/v1/notifications/test', audiences: PEOPLE, summary: 'send a test notice to my email or to an endpoint' }, json, async (req, res) => {
    const p = requireUser(res);
    const body = parseInput(testBody, req.body);
    if (body.target === 'endpoint') {
      if (p.role !== 'admin' && p.role !== 'manager') deny('only admins and managers can test team endpoints');
      await endpointFor(p, body.endpointId);
    }
    const id = await notifications.sendTest(body.target === 'me' ? { userId: p.userId } : { endpointId: body.endpointId }, p.username);
    res.status(202).json({ ok: true, deliveryId: id });
  });
  return router;
}
