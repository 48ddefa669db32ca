/**
 * Drill-down to contacts: the contacts behind a chart point or bar (scope, period, KPI), and one contact's record.
 * The list needs the scope to be visible to the caller; a single contact needs its agent (or, unanswered, its queue).
 */
import type { Router } from 'express';
import { z } from 'zod';
import { formatScope, scopeText, type Scope } from '../../shared/access.js';
import { KPI_NAMES } from '../../shared/kpis.js';
import { MAX_ID_LENGTH_V2 } from '../../shared/events.js';
import { NO_TEAM, segmentFilterQuery } from '../../shared/segments.js';
import { centreZoneOf } from '../../shared/zones.js';
import { canViewScope, type DirectoryIndex } from '../access/policies.js';
import type { Principal } from '../access/principal.js';
import type { CaseStore } from '../coaching/case.store.js';
import type { DirectoryService } from '../directory/directory.service.js';
import type { ContactsService } from '../drilldown/contacts.service.js';
import { deny, principalOf, type RouteTable } from './access.js';
import { HttpError } from './errors.js';
import { parseInput } from './validate.js';

const iso = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time with an offset, e.g. 2026-11-18T00:00:00Z' });
const listQuery = segmentFilterQuery.extend({
  scope: scopeText.default({ kind: 'centre' }),
  from: iso,
  to: iso,
  kpi: z.enum(KPI_NAMES).optional(),
  limit: z.coerce.number().int().min(1).max(2000).default(500),
});
const MAX_RANGE_MS = 31 * 86_400_000;
const contactParams = z.object({ contactId: z.string().min(1).max(MAX_ID_LENGTH_V2) });

export function contactRoutes(routes: RouteTable, contacts: ContactsService, directory: DirectoryService, dirIndex: () => Promise<DirectoryIndex>, cases: CaseStore): Router {
  const router = routes.router('Contacts');
  const PEOPLE = ['admin', 'manager', 'team_leader', 'coach', 'agent'] as const;
  const sees = async (p: Principal | null, scope: Scope) => {
    const links = p?.kind === 'user' && p.role === 'coach' ? await cases.linksFor(p.userId) : undefined;
    return canViewScope(p, scope, await dirIndex(), links);
  };

  routes.add(router, { method: 'get', path: '/api/v1/contacts', audiences: [...PEOPLE, 'key:read'], summary: 'the contacts behind a chart point or bar: scope, period and KPI', doc: { query: listQuery } }, async (req, res) => {
    const q = parseInput(listQuery, req.query, 'query');
    if (!(await sees(principalOf(res), q.scope))) deny(`you do not have access to ${formatScope(q.scope)}`);
    const fromMs = Date.parse(q.from);
    const toMs = Date.parse(q.to);
    if (toMs <= fromMs) throw new HttpError(400, 'invalid_input', 'to must be after from');
    if (toMs - fromMs > MAX_RANGE_MS) throw new HttpError(400, 'invalid_input', 'contacts are listed for at most 31 days at a time; narrow the period');
    const { scope, kpi, limit, from: _f, to: _t, ...filter } = q;
    for (const team of filter.teams) if (team !== NO_TEAM && !(await sees(principalOf(res), { kind: 'team', id: team }))) deny(`you do not have access to team:${team}`);
    const dir = await directory.get();
    res.json({ ok: true, filter, ...(await contacts.behind(scope, formatScope(scope), dir, fromMs, toMs, kpi ?? null, limit, filter, centreZoneOf(dir))) });
  });

  routes.add(router, { method: 'get', path: '/api/v1/contacts/:contactId', audiences: PEOPLE, summary: "one contact's record and timeline", doc: { params: contactParams } }, async (req, res) => {
    const { contactId: id } = parseInput(contactParams, req.params, 'contact id');
    const rec = await contacts.record(id, await directory.get());
    if (!rec) throw new HttpError(404, 'not_found', `no contact '${id}'`);
    const scope: Scope = rec.contact.agentId ? { kind: 'agent', id: rec.contact.agentId } : rec.contact.queueId ? { kind: 'queue', id: rec.contact.queueId } : { kind: 'centre' };
    if (!(await sees(principalOf(res), scope))) deny('this contact is not in what you can see');
    res.json({ ok: true, ...rec });
  });
  return router;
}
