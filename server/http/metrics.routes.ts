/**
 * GET /metrics: this node's Prometheus metrics (server/metrics, README "Metrics"). Prometheus scrapes it with an API
 * key of scope `metrics` as its bearer token (a key that can read this and nothing else); a signed-in admin may read
 * it too. Each node answers for itself: scrape every node.
 */
import type { Router } from 'express';
import type { FrontlineMetrics } from '../metrics/frontline-metrics.js';
import type { RouteTable } from './access.js';

export function metricsRoutes(routes: RouteTable, metrics: FrontlineMetrics): Router {
  const router = routes.router('Operations');
  routes.add(router, { method: 'get', path: '/metrics', audiences: ['admin', 'key:metrics'], summary: 'Prometheus metrics of this node' }, async (_req, res) => {
    const { contentType, body } = await metrics.scrape();
    res.set('Cache-Control', 'no-store');
    res.type(contentType).send(body);
  });
  return router;
}
