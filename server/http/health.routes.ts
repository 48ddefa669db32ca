import { Router } from 'express';
import { sql } from 'kysely';
import type { Store } from '../store/db.js';

/** /healthz: the process is up. /readyz: the store answers a query (load balancers route only to ready nodes). */
export function healthRoutes(store: Store): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  router.get('/readyz', async (_req, res) => {
    try {
      await sql`select 1`.execute(store.db);
      res.json({ ok: true, store: store.dialect });
    } catch {
      res.status(503).json({ ok: false, error: { code: 'store_unavailable', message: 'the store does not answer' } });
    }
  });
  return router;
}
