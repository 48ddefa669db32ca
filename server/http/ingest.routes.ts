/** POST /api/v1/events: thin handler over the ingest service. */
import express, { Router } from 'express';
import { INGEST_MAX_BYTES, INGEST_MAX_EVENTS, type IngestReply } from '../../shared/api.js';
import { bodyFormatOf, parseIngestBody } from '../ingest/parse-body.js';
import type { IngestService } from '../ingest/ingest.service.js';
import type { Logger } from '../logger.js';
import type { RouteTable } from './access.js';
import { HttpError } from './errors.js';

export function ingestRoutes(routes: RouteTable, ingest: IngestService, logger: Logger): Router {
  const router = Router();
  routes.add(
    router,
    { method: 'post', path: '/api/v1/events', audiences: ['key:ingest'], summary: 'ingest events (JSON array or NDJSON)' },
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
        outcome = await ingest.ingest(parsed.items);
      } catch (err) {
        logger.error({ err }, 'ingest commit failed');
        throw new HttpError(503, 'store_unavailable', 'the event store could not commit this batch; nothing from it was stored; retry later', undefined, {
          'Retry-After': '5',
        });
      }
      const reply: IngestReply = { ok: true, accepted: outcome.accepted, duplicate: outcome.duplicate, rejected: outcome.rejected, results: outcome.results };
      // 200 when every event is stored (accepted or already there); 207-style partial success is still 200 with per-event results.
      res.status(200).json(reply);
    },
  );
  return router;
}
