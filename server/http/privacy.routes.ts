/** Erasure and retention (admins only). */
import express, { type Router } from 'express';
import { z } from 'zod';
import { id } from '../../shared/events.js';
import { actorOf } from '../access/principal.js';
import type { PrivacyService } from '../privacy/privacy.service.js';
import { principalOf, type RouteTable } from './access.js';
import { parseInput } from './validate.js';

const eraseCustomerBody = z.strictObject({ customerId: id, reason: z.string().trim().min(3).max(500) });
const pseudonymiseAgentBody = z.strictObject({ agentId: id, reason: z.string().trim().min(3).max(500) });

export function privacyRoutes(routes: RouteTable, privacy: PrivacyService): Router {
  const router = routes.router('Privacy');
  const json = express.json({ limit: '16kb' });
  const meta = (req: express.Request, res: express.Response) => ({ actor: actorOf(principalOf(res)), ip: req.ip ?? null });

  routes.add(router, { method: 'post', path: '/api/v1/privacy/erase-customer', audiences: ['admin'], summary: "erase a customer's personal data by customer id", doc: { body: eraseCustomerBody } }, json, async (req, res) => {
    const body = parseInput(eraseCustomerBody, req.body);
    const out = await privacy.eraseCustomer(body.customerId, { ...meta(req, res), reason: body.reason });
    res.json({ ok: true, eventsChanged: out.eventsChanged, contacts: out.contacts });
  });
  routes.add(router, { method: 'post', path: '/api/v1/privacy/pseudonymise-agent', audiences: ['admin'], summary: "pseudonymise a departed employee's data", doc: { body: pseudonymiseAgentBody } }, json, async (req, res) => {
    const body = parseInput(pseudonymiseAgentBody, req.body);
    const out = await privacy.pseudonymiseAgent(body.agentId, { ...meta(req, res), reason: body.reason });
    res.json({ ok: true, pseudonym: out.pseudonym, eventsChanged: out.eventsChanged });
  });
  routes.add(router, { method: 'get', path: '/api/v1/privacy/retention', audiences: ['admin'], summary: 'retention settings' }, (_req, res) => {
    res.json({ ok: true, retention: privacy.retention });
  });
  routes.add(router, { method: 'post', path: '/api/v1/privacy/retention/run', audiences: ['admin'], summary: 'apply retention now' }, async (_req, res) => {
    res.json({ ok: true, ...(await privacy.applyRetention()) });
  });
  return router;
}
