import { Router } from 'express';
import { sql } from 'kysely';
import type { Store } from '../store/db.js';
import type { RouteTable } from './access.js';

/** /healthz: the process is up. /readyz: the store answers a query (load balancers route only to ready nodes). */
export function healthRoutes(routes: RouteTable, store: Store): Router {
  const router = Router();
  routes.add(router, { method: 'get', path: '/healthz', audiences: 'public', summary: 'process is up' }, (_req, res) => {
    res.json({ ok: true });
  });
  routes.add(router, { method: 'get', path: '/readyz', audiences: 'public', summary: 'store answers' }, async (_req, res) => {
    try {
      await sql`select 1`.execute(store.db);
      res.json({ ok: true, store: store.dialect });
    } catch {
      res.status(503).json({ ok: false, error: { code: 'store_unavailable', message: 'the store does not answer' } });
    }
  });
  return router;
}
