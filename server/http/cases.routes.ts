/**
 * The cases read API. Who sees which case is decided by canViewCase (an agent: only their own; a coach: those
 * assigned to them; team leaders and managers: their teams; admins: none). Opening a case is written to the audit log.
 * Read keys (exports, integrations) list cases without their notes.
 */
import { Router } from 'express';
import { z } from 'zod';
import { CASE_KINDS } from '../../shared/access.js';
import { actorOf } from '../access/principal.js';
import { canViewCase, type DirectoryIndex } from '../access/policies.js';
import type { AuditService } from '../audit/audit.service.js';
import { caseRef, type CaseStore } from '../coaching/case.store.js';
import { deny, principalOf, type RouteTable } from './access.js';
import { HttpError } from './errors.js';
import { parseInput } from './validate.js';

const listQuery = z.object({
  status: z.enum(['open', 'closed']).optional(),
  kind: z.enum(CASE_KINDS).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

export function caseRoutes(routes: RouteTable, cases: CaseStore, dirIndex: () => Promise<DirectoryIndex>, audit: AuditService): Router {
  const router = Router();
  const PEOPLE = ['admin', 'manager', 'team_leader', 'coach', 'agent'] as const;

  routes.add(router, { method: 'get', path: '/api/v1/cases', audiences: [...PEOPLE, 'key:read'], summary: 'coaching cases the caller may see' }, async (req, res) => {
    const q = parseInput(listQuery, req.query, 'query');
    const p = principalOf(res);
    const all = await cases.list({ limit: q.limit, ...(q.status ? { status: q.status } : {}), ...(q.kind ? { kind: q.kind } : {}) });
    const dir = await dirIndex();
    const visible = p?.kind === 'apikey' ? all : all.filter((c) => canViewCase(p, caseRef(c), dir));
    res.json({ ok: true, cases: visible });
  });

  routes.add(router, { method: 'get', path: '/api/v1/cases/:caseId', audiences: PEOPLE, summary: 'one coaching case' }, async (req, res) => {
    const id = parseInput(z.string().min(1).max(64), req.params.caseId, 'case id');
    const p = principalOf(res);
    const c = await cases.get(id);
    if (!c) throw new HttpError(404, 'not_found', `no case '${id}'`);
    if (!canViewCase(p, caseRef(c), await dirIndex())) {
      // Denied attempts are audited too: an agent trying colleagues' case ids shows up in the log.
      await audit.record({ actor: actorOf(p), action: 'case.open', target: `case:${id}`, outcome: 'denied', ip: req.ip ?? null });
      deny('this case is not yours to see');
    }
    await audit.record({ actor: actorOf(p), action: 'case.open', target: `case:${id}`, ip: req.ip ?? null });
    res.json({ ok: true, case: c });
  });
  return router;
}
