import type { Router } from 'express';
import { sql } from 'kysely';
import type { SystemReply } from '../../shared/api.js';
import type { Cluster } from '../cluster/cluster.js';
import type { Store } from '../store/db.js';
import type { RouteTable } from './access.js';

/**
 * /healthz: the process is up. /readyz: the store answers a query (load balancers route only to ready nodes).
 * /api/v1/cluster: with several nodes, who leads, who is linked, where this node's change feed stands.
 */
export function healthRoutes(routes: RouteTable, store: Store, cluster?: Cluster): Router {
  const router = routes.router('Health');
  routes.add(router, { method: 'get', path: '/healthz', audiences: 'public', summary: 'process is up' }, (_req, res) => {
    res.json({ ok: true });
  });
  routes.add(router, { method: 'get', path: '/readyz', audiences: 'public', summary: 'store answers' }, async (_req, res) => {
    try {
      await sql`select 1`.execute(store.db);
      res.json({ ok: true, store: store.dialect, ...(cluster ? { node: cluster.nodeId, leader: cluster.isLeader, redis: cluster.redis.up ? 'up' : 'down' } : {}) });
    } catch {
      res.set('Retry-After', '5');
      res.status(503).json({ ok: false, error: { code: 'store_unavailable', message: 'the store does not answer' } });
    }
  });
  routes.add(router, { method: 'get', path: '/api/v1/cluster', audiences: ['admin'], summary: 'the nodes, the leader and this node’s change feed' }, async (_req, res) => {
    const reply: SystemReply = cluster ? { mode: 'cluster', store: 'postgres', where: store.description, ...(await cluster.status()) } : { mode: 'single', store: store.dialect, where: store.description };
    res.json({ ok: true, ...reply });
  });
  return router;
}
