/** People and roles (admins only), and the API keys integrators use. */
import express, { type Router } from 'express';
import { z } from 'zod';
import { createUserBody, PASSWORD_MAX, updateUserBody } from '../../shared/access.js';
import { API_KEY_SCOPES } from '../../shared/api.js';
import { actorOf } from '../access/principal.js';
import type { AccountService } from '../accounts/account.service.js';
import type { SessionService } from '../accounts/session.service.js';
import type { ApiKeyService } from '../apikeys/apikey.service.js';
import type { AuditService } from '../audit/audit.service.js';
import { principalOf, requireUser, type RouteTable } from './access.js';
import { HttpError } from './errors.js';
import { parseInput } from './validate.js';

const idParam = z.string().min(1).max(64);
const userParams = z.object({ userId: idParam });
const resetBody = z.strictObject({ password: z.string().min(1).max(PASSWORD_MAX) });
const keyBody = z.strictObject({ name: z.string().trim().min(1).max(200), scopes: z.array(z.enum(API_KEY_SCOPES)).min(1) });
const auditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.coerce.number().int().positive().optional(),
  action: z.string().max(64).optional(),
  actor: z.string().max(200).optional(),
});

export function userRoutes(routes: RouteTable, accounts: AccountService, sessions: SessionService, keys: ApiKeyService, audit: AuditService): Router {
  const router = routes.router('People and API keys');
  const json = express.json({ limit: '16kb' });
  const meta = (req: express.Request, res: express.Response) => ({ actor: actorOf(principalOf(res)), ip: req.ip ?? null });

  routes.add(router, { method: 'get', path: '/api/v1/users', audiences: ['admin'], summary: 'list people' }, async (_req, res) => {
    res.json({ ok: true, users: await accounts.list() });
  });
  routes.add(router, { method: 'post', path: '/api/v1/users', audiences: ['admin'], summary: 'create a person', doc: { body: createUserBody, status: 201, also: { 409: 'the username is taken' } } }, json, async (req, res) => {
    const body = parseInput(createUserBody, req.body);
    res.status(201).json({ ok: true, user: await accounts.create(body, meta(req, res)) });
  });
  routes.add(router, { method: 'get', path: '/api/v1/users/:userId', audiences: ['admin'], summary: 'one person', doc: { params: userParams } }, async (req, res) => {
    res.json({ ok: true, user: await accounts.get(parseInput(idParam, req.params.userId, 'user id')) });
  });
  routes.add(router, { method: 'patch', path: '/api/v1/users/:userId', audiences: ['admin'], summary: 'change role, teams, site, agent link, or disable', doc: { params: userParams, body: updateUserBody } }, json, async (req, res) => {
    const id = parseInput(idParam, req.params.userId, 'user id');
    const body = parseInput(updateUserBody, req.body);
    res.json({ ok: true, user: await accounts.update(id, body, { ...meta(req, res), selfUserId: requireUser(res).userId }) });
  });
  routes.add(router, { method: 'post', path: '/api/v1/users/:userId/password', audiences: ['admin'], summary: "reset a person's password (ends their sessions)", doc: { params: userParams, body: resetBody } }, json, async (req, res) => {
    const id = parseInput(idParam, req.params.userId, 'user id');
    const body = parseInput(resetBody, req.body);
    await accounts.setPassword(id, body.password, meta(req, res));
    res.json({ ok: true });
  });
  routes.add(router, { method: 'post', path: '/api/v1/users/:userId/sessions/revoke', audiences: ['admin'], summary: "end all of a person's sessions", doc: { params: userParams } }, async (req, res) => {
    const id = parseInput(idParam, req.params.userId, 'user id');
    await accounts.get(id);
    const ended = await sessions.revokeAllForUser(id, 'ended by an admin');
    await audit.record({ ...meta(req, res), action: 'user.sessions_revoke', target: `user:${id}`, details: { sessionsEnded: ended } });
    res.json({ ok: true, ended });
  });

  routes.add(router, { method: 'get', path: '/api/v1/apikeys', audiences: ['admin'], summary: 'list API keys (never the secret)' }, async (_req, res) => {
    res.json({ ok: true, keys: await keys.list() });
  });
  routes.add(router, { method: 'post', path: '/api/v1/apikeys', audiences: ['admin'], summary: 'create an API key (shown once)', doc: { body: keyBody, status: 201 } }, json, async (req, res) => {
    const body = parseInput(keyBody, req.body);
    const created = await keys.create(body.name, body.scopes);
    await audit.record({ ...meta(req, res), action: 'apikey.create', target: `key:${created.info.id}`, details: { scopes: body.scopes, name: body.name } });
    res.status(201).json({ ok: true, key: created.key, info: created.info });
  });
  routes.add(router, { method: 'post', path: '/api/v1/apikeys/:keyId/revoke', audiences: ['admin'], summary: 'revoke an API key', doc: { params: z.object({ keyId: idParam }) } }, async (req, res) => {
    const id = parseInput(idParam, req.params.keyId, 'key id');
    if (!(await keys.revoke(id))) throw new HttpError(404, 'not_found', `no API key with id '${id}'`);
    await audit.record({ ...meta(req, res), action: 'apikey.revoke', target: `key:${id}` });
    res.json({ ok: true });
  });

  routes.add(router, { method: 'get', path: '/api/v1/audit', audiences: ['admin'], summary: 'the security and audit log, newest first', doc: { query: auditQuery } }, async (req, res) => {
    const q = parseInput(auditQuery, req.query, 'query');
    res.json({ ok: true, entries: await audit.list({ limit: q.limit, ...(q.before ? { beforeId: q.before } : {}), ...(q.action ? { action: q.action } : {}), ...(q.actor ? { actor: q.actor } : {}) }) });
  });
  return router;
}
