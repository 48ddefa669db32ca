/**
 * The cases read API. Who sees which case is decided by canViewCase (an agent: only their own; a coach: those
 * assigned to them; team leaders and managers: their teams; admins: none). Opening a case is written to the audit log.
 * Read keys (exports, integrations) list cases without their notes.
 */
import { Router } from 'express';
import { contactIdOf, type FrontlineEvent } from '../../shared/events.js';
import { maskPersonalData } from '../../shared/mask.js';
import type { Store } from '../store/db.js';
import { z } from 'zod';
import { CASE_KINDS, type EvidenceContact } from '../../shared/access.js';
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

export function caseRoutes(routes: RouteTable, cases: CaseStore, dirIndex: () => Promise<DirectoryIndex>, audit: AuditService, store: Store): Router {
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

  routes.add(router, { method: 'get', path: '/api/v1/cases/:caseId/evidence', audiences: PEOPLE, summary: "the contacts frozen as a case's evidence, comments masked" }, async (req, res) => {
    const id = parseInput(z.string().min(1).max(64), req.params.caseId, 'case id');
    const p = principalOf(res);
    const c = await cases.get(id);
    if (!c) throw new HttpError(404, 'not_found', `no case '${id}'`);
    if (!canViewCase(p, caseRef(c), await dirIndex())) deny('this case is not yours to see');
    res.json({ ok: true, contacts: await evidenceOf(store, c.evidenceContactIds) });
  });
  return router;
}

/** What the store holds about each evidence contact, comment masked; contacts erased since show as bare ids. */
async function evidenceOf(store: Store, ids: string[]): Promise<EvidenceContact[]> {
  if (ids.length === 0) return [];
  const rows = await store.db.selectFrom('events').select('payload').where('contact_id', 'in', ids.slice(0, 100)).orderBy('seq').execute();
  const by = new Map<string, EvidenceContact>(ids.map((cid) => [cid, { contactId: cid, offeredAt: null, queueId: null, channel: null, agentId: null, handleSeconds: null, csat: null, resolved: null, comment: null }]));
  for (const r of rows) {
    const e = JSON.parse(r.payload) as FrontlineEvent;
    const cid = contactIdOf(e);
    const c = cid === undefined ? undefined : by.get(cid);
    if (!c) continue;
    if (e.type === 'contact.offered') {
      c.offeredAt ??= e.occurredAt;
      c.queueId ??= e.queueId;
      c.channel ??= e.channel;
    } else if (e.type === 'contact.answered') c.agentId ??= e.agentId;
    else if (e.type === 'contact.ended') c.handleSeconds = (c.handleSeconds ?? 0) + e.talkSeconds + e.holdSeconds + e.wrapSeconds;
    else if (e.type === 'survey.responded') {
      if (e.csat !== undefined) c.csat = e.csat;
      if (e.resolved !== undefined) c.resolved = e.resolved;
      if (e.comment) c.comment = maskPersonalData(e.comment);
    }
  }
  return [...by.values()];
}
