/**
 * Sources (issue 16): admins add, map, test and watch platform connections; platforms push to a source's own
 * endpoint, verified by that source's credentials (Firehose access key, Twilio signature), not by a session or key.
 * Thin handlers over server/connectors/sources.service.ts.
 */
import express, { type Request, type Router } from 'express';
import { z } from 'zod';
import { createSourceBody, updateSourceBody } from '../../shared/sources.js';
import { actorOf } from '../access/principal.js';
import type { SourceService } from '../connectors/sources.service.js';
import { principalOf, type RouteTable } from './access.js';
import { parseInput } from './validate.js';

/** Largest push accepted: a Firehose HTTP endpoint delivery is at most 64 MiB; Twilio callbacks are small. */
export const PUSH_MAX_BYTES = 64 * 1024 * 1024;

export function sourceRoutes(routes: RouteTable, { sources, publicUrl }: { sources: SourceService; publicUrl: string | undefined }): Router {
  const router = routes.router('Sources');
  const json = express.json({ limit: '256kb' });
  const ADMIN = ['admin', 'key:admin'] as const;
  const idParam = z.string().min(1).max(40);
  const params = z.object({ sourceId: idParam });
  /** The address the platform must call: PUBLIC_URL when set (behind a proxy), else the address this request came to. */
  const baseUrl = (req: Request) => publicUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
  const idOf = (req: Request) => parseInput(idParam, req.params.sourceId, 'source id');

  routes.add(router, { method: 'get', path: '/api/v1/sources', audiences: [...ADMIN], summary: 'every platform source with its mapping, endpoints and health (never a secret)' }, async (req, res) => {
    res.json({ ok: true, sources: await sources.list(baseUrl(req)) });
  });

  routes.add(router, { method: 'post', path: '/api/v1/sources', audiences: [...ADMIN], summary: 'add a source: platform, name, credentials (secrets sealed at rest), mapping', doc: { body: createSourceBody, status: 201, also: { 409: 'a source with that name exists' } } }, json, async (req, res) => {
    const body = parseInput(createSourceBody, req.body);
    res.status(201).json({ ok: true, source: await sources.create(body, actorOf(principalOf(res)), baseUrl(req)) });
  });

  routes.add(router, { method: 'get', path: '/api/v1/sources/:sourceId', audiences: [...ADMIN], summary: 'one source with its health', doc: { params } }, async (req, res) => {
    res.json({ ok: true, source: await sources.get(idOf(req), baseUrl(req)) });
  });

  routes.add(router, { method: 'patch', path: '/api/v1/sources/:sourceId', audiences: [...ADMIN], summary: 'rename, re-key (only the credential fields given change), re-map, pause or resume a source', doc: { params, body: updateSourceBody, also: { 409: 'a source with that name exists' } } }, json, async (req, res) => {
    const body = parseInput(updateSourceBody, req.body);
    res.json({ ok: true, source: await sources.update(idOf(req), body, actorOf(principalOf(res)), baseUrl(req)) });
  });

  routes.add(router, { method: 'delete', path: '/api/v1/sources/:sourceId', audiences: [...ADMIN], summary: 'remove a source (it stops answering and polling; its stored events stay)', doc: { params } }, async (req, res) => {
    await sources.remove(idOf(req), actorOf(principalOf(res)));
    res.json({ ok: true });
  });

  routes.add(router, { method: 'post', path: '/api/v1/sources/:sourceId/test', audiences: [...ADMIN], summary: 'test the connection: a pull source signs in and reads one page; a push source reports what it received', doc: { params } }, async (req, res) => {
    // `ok` says whether the connection works; the request itself succeeded either way.
    res.json(await sources.test(idOf(req), baseUrl(req)));
  });

  routes.add(router, { method: 'get', path: '/api/v1/sources/:sourceId/seen', audiences: [...ADMIN], summary: 'the queues, agents, states, wrap-up codes and channels the source has sent, with what each maps to', doc: { params } }, async (req, res) => {
    res.json({ ok: true, values: await sources.seen(idOf(req)) });
  });

  const deadQuery = z.object({ status: z.enum(['held', 'replayed', 'discarded']).optional() });
  routes.add(router, { method: 'get', path: '/api/v1/sources/:sourceId/dead-letters', audiences: [...ADMIN], summary: 'records the source could not store, with the reasons and the record as received', doc: { params, query: deadQuery } }, async (req, res) => {
    const q = parseInput(deadQuery, req.query, 'query');
    const { rows, total } = await sources.deadLetters(idOf(req), q.status);
    res.json({ ok: true, deadLetters: rows, total });
  });

  const replayBody = z.strictObject({ ids: z.array(z.int().min(1)).min(1).max(5_000).optional() });
  routes.add(router, { method: 'post', path: '/api/v1/sources/:sourceId/dead-letters/replay', audiences: [...ADMIN], summary: 'map held dead letters again with the current mapping and store those that now pass (no ids: all held)', doc: { params, body: replayBody } }, json, async (req, res) => {
    const body = parseInput(replayBody, req.body ?? {});
    res.json({ ok: true, ...(await sources.replay(idOf(req), body.ids, actorOf(principalOf(res)))) });
  });

  const discardBody = z.strictObject({ ids: z.array(z.int().min(1)).min(1).max(5_000) });
  routes.add(router, { method: 'post', path: '/api/v1/sources/:sourceId/dead-letters/discard', audiences: [...ADMIN], summary: 'give up on held dead letters (they stay listed as discarded)', doc: { params, body: discardBody } }, json, async (req, res) => {
    const body = parseInput(discardBody, req.body);
    res.json({ ok: true, discarded: await sources.discard(idOf(req), body.ids, actorOf(principalOf(res))) });
  });

  const pushParams = z.object({ sourceId: idParam, endpoint: z.string().min(1).max(40) });
  routes.add(
    router,
    {
      method: 'post',
      path: '/api/v1/sources/:sourceId/push/:endpoint',
      audiences: 'public',
      summary: "a platform delivers records (Amazon Connect: firehose, eventbridge; Twilio Flex: taskrouter, eventstreams), verified by the source's own credentials",
      doc: { params: pushParams, bodyTypes: ['application/json', 'application/x-www-form-urlencoded'], also: { 401: 'the platform credentials did not verify', 403: 'the signature did not verify', 404: 'no such source or endpoint', 503: 'the source is paused or the store is unavailable; the platform retries' } },
    },
    // The exact bytes: Twilio signs the parameters and Firehose may gzip the body (the connector reads it).
    express.raw({ type: () => true, limit: PUSH_MAX_BYTES }),
    async (req, res) => {
      const p = parseInput(pushParams, req.params, 'path');
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
      const reply = await sources.push(p.sourceId, p.endpoint, {
        url: `${baseUrl(req).replace(/\/$/, '')}${req.originalUrl}`,
        headers,
        rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
      });
      for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
      res.status(reply.status);
      if (typeof reply.body === 'string') res.type(reply.headers?.['Content-Type'] ?? 'text/plain').send(reply.body);
      else res.json(reply.body ?? {});
    },
  );
  return router;
}
