/**
 * POST /api/v1/events (contract v1, exactly as it always was) and POST /api/v2/events (contract v2,
 * shared/contract-v2.ts): thin handlers over the ingest service. Both answer 200 when every event is stored
 * (accepted, or already stored), 207 with per-event results when some are rejected, 422 when none is stored.
 */
import express, { type Router } from 'express';
import { z } from 'zod';
import type { Principal } from '../access/principal.js';
import { INGEST_MAX_BYTES, INGEST_MAX_EVENTS, type IngestReply } from '../../shared/api.js';
import { ingestReply, v1Events, v2Events } from '../openapi/components.js';
import { bodyFormatOf, parseIngestBody } from '../ingest/parse-body.js';
import type { IngestService } from '../ingest/ingest.service.js';
import type { OrphanService } from '../ingest/orphans.js';
import type { Logger } from '../logger.js';
import { principalOf, type RouteTable } from './access.js';
import { HttpError } from './errors.js';

/**
 * The request body each contract is described with: the events the ingest service validates each item with
 * (server/openapi/contracts.ts), as a JSON array of 1 to INGEST_MAX_EVENTS.
 */
const batchOf = (events: Record<string, z.ZodObject>) => {
  const [first, ...rest] = Object.values(events) as [z.ZodObject, ...z.ZodObject[]];
  return z.array(z.discriminatedUnion('type', [first, ...rest])).min(1).max(INGEST_MAX_EVENTS);
};
const BATCHES = { 1: batchOf(v1Events), 2: batchOf(v2Events) } as const;

export function ingestRoutes(routes: RouteTable, ingest: IngestService, logger: Logger, orphans: OrphanService): Router {
  const router = routes.router('Ingest');
  routes.add(router, { method: 'get', path: '/api/v1/ingest/orphans', audiences: ['admin'], summary: 'events held for a contact that has not arrived, and expired ones, per source' }, async (_req, res) => {
    res.json({ ok: true, ...(await orphans.report()) });
  });
  for (const contract of [1, 2] as const) {
    routes.add(
      router,
      {
        method: 'post',
        path: `/api/v${contract}/events`,
        audiences: ['key:ingest'],
        summary: `ingest events, contract v${contract} (JSON array or NDJSON)`,
        doc: {
          body: BATCHES[contract],
          bodyTypes: ['application/json', 'application/x-ndjson'],
          response: ingestReply,
          also: {
            207: { description: 'some events were stored, some rejected (each result says which and why)', body: ingestReply },
            413: `more than ${INGEST_MAX_EVENTS} events, or more than ${INGEST_MAX_BYTES} bytes (after inflating gzip or deflate)`,
            422: { description: 'no event was stored: every one was rejected (each result says why)', body: ingestReply },
            503: 'the store could not commit the batch; nothing was stored; retry (Retry-After)',
          },
        },
      },
      // Raw body with a hard byte limit (gzip and deflate bodies are inflated and counted after inflation).
      express.raw({ type: () => true, limit: INGEST_MAX_BYTES }),
      async (req, res) => {
        const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const parsed = parseIngestBody(body.toString('utf8'), bodyFormatOf(req.get('content-type')));
        if (!parsed.ok) {
          const details = parsed.kind === 'malformed' ? { line: parsed.line, column: parsed.column, offset: parsed.offset } : undefined;
          throw new HttpError(400, parsed.kind === 'malformed' ? 'malformed_json' : 'bad_request', parsed.message, details);
        }
        if (parsed.items.length > INGEST_MAX_EVENTS) {
          throw new HttpError(413, 'too_many_events', `a request may carry at most ${INGEST_MAX_EVENTS} events; this one has ${parsed.items.length}`);
        }
        if (parsed.items.length === 0) throw new HttpError(400, 'bad_request', 'the array has no events');
        let outcome;
        try {
          outcome = await ingest.ingest(parsed.items, contract, sourceOf(principalOf(res)));
        } catch (err) {
          logger.error({ err }, 'ingest commit failed');
          throw new HttpError(503, 'store_unavailable', 'the event store could not commit this batch; nothing from it was stored; retry later', undefined, {
            'Retry-After': '5',
          });
        }
        const stored = outcome.accepted + outcome.duplicate;
        const reply: IngestReply = { ok: stored > 0, contract, accepted: outcome.accepted, duplicate: outcome.duplicate, rejected: outcome.rejected, results: outcome.results };
        res.status(outcome.rejected === 0 ? 200 : stored > 0 ? 207 : 422).json(reply);
      },
    );
  }
  return router;
}

/** The ingest metrics' `source` label: the sending key's name (bounded by the keys an admin made; never an id). */
function sourceOf(p: Principal | null): string {
  return p?.kind === 'apikey' ? `key:${p.name}` : 'internal';
}
