/**
 * Voice of the customer API: top themes and sentiment for a scope and period, the comments behind a theme or a
 * sentiment, and the theme dictionary (read by everyone who sees comments; changed by admins and managers). Every
 * scope is checked with canViewScope; comments are already masked in the store.
 */
import express, { type Router } from 'express';
import { z } from 'zod';
import { formatScope, scopeText, type Scope } from '../../shared/access.js';
import { dictionaryBody, SENTIMENTS } from '../../shared/voc.js';
import { canViewScope, type DirectoryIndex } from '../access/policies.js';
import { actorOf, type Principal } from '../access/principal.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Clock } from '../clock.js';
import type { CaseStore } from '../coaching/case.store.js';
import type { DirectoryService } from '../directory/directory.service.js';
import { filterForScope, type VocService } from '../voc/voc.service.js';
import { deny, principalOf, type RouteTable } from './access.js';
import { HttpError } from './errors.js';
import { parseInput } from './validate.js';

const DAY = 86_400_000;
const iso = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time with an offset, e.g. 2026-11-01T00:00:00Z' });
const periodQuery = z.object({ scope: scopeText.default({ kind: 'centre' }), from: iso.optional(), to: iso.optional() });
const commentsQuery = periodQuery.extend({
  theme: z.string().regex(/^[a-z0-9-]{2,40}$/, 'a theme id').optional(),
  sentiment: z.enum(SENTIMENTS).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export interface VocRouteDeps {
  voc: VocService;
  directory: DirectoryService;
  dirIndex: () => Promise<DirectoryIndex>;
  cases: CaseStore;
  audit: AuditService;
  clock: Clock;
}

export function vocRoutes(routes: RouteTable, { voc, directory, dirIndex, cases, audit, clock }: VocRouteDeps): Router {
  const router = routes.router('Voice of the customer');
  const PEOPLE = ['admin', 'manager', 'team_leader', 'coach', 'agent'] as const;

  async function checkScope(p: Principal | null, scope: Scope): Promise<void> {
    const links = p?.kind === 'user' && p.role === 'coach' ? await cases.linksFor(p.userId) : undefined;
    if (!canViewScope(p, scope, await dirIndex(), links)) deny(`you do not have access to ${formatScope(scope)}`);
  }
  /** Default: the last 30 days up to now. */
  function period(q: { from?: string | undefined; to?: string | undefined }): { fromMs: number; toMs: number } {
    const toMs = q.to ? Date.parse(q.to) : clock.now();
    const fromMs = q.from ? Date.parse(q.from) : toMs - 30 * DAY;
    if (toMs <= fromMs) throw new HttpError(400, 'invalid_input', 'to must be after from');
    if (toMs - fromMs > 400 * DAY) throw new HttpError(400, 'invalid_input', 'a period may span at most 400 days');
    return { fromMs, toMs };
  }

  routes.add(router, { method: 'get', path: '/api/v1/voc/themes', audiences: [...PEOPLE, 'key:read'], summary: 'top comment themes and sentiment for a scope and period, with the previous period', doc: { query: periodQuery } }, async (req, res) => {
    const q = parseInput(periodQuery, req.query, 'query');
    await checkScope(principalOf(res), q.scope);
    const { fromMs, toMs } = period(q);
    res.json({ ok: true, ...(await voc.themes(formatScope(q.scope), filterForScope(q.scope, await directory.get()), fromMs, toMs)) });
  });

  routes.add(router, { method: 'get', path: '/api/v1/voc/comments', audiences: [...PEOPLE, 'key:read'], summary: 'the comments behind a theme or sentiment (masked)', doc: { query: commentsQuery } }, async (req, res) => {
    const q = parseInput(commentsQuery, req.query, 'query');
    await checkScope(principalOf(res), q.scope);
    const { fromMs, toMs } = period(q);
    const out = await voc.comments(filterForScope(q.scope, await directory.get()), fromMs, toMs, { limit: q.limit, ...(q.theme ? { theme: q.theme } : {}), ...(q.sentiment ? { sentiment: q.sentiment } : {}) });
    res.json({ ok: true, scope: formatScope(q.scope), from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), ...out });
  });

  routes.add(router, { method: 'get', path: '/api/v1/voc/dictionary', audiences: [...PEOPLE], summary: 'the theme dictionary' }, (_req, res) => {
    res.json({ ok: true, ...voc.getDictionary() });
  });

  routes.add(router, { method: 'put', path: '/api/v1/voc/dictionary', audiences: ['admin', 'manager'], summary: 'replace the theme dictionary (every comment is re-tagged)', doc: { body: dictionaryBody } }, express.json({ limit: '64kb' }), async (req, res) => {
    const body = parseInput(dictionaryBody, req.body);
    const p = principalOf(res);
    const out = await voc.setDictionary(body.themes, actorOf(p));
    await audit.record({ actor: actorOf(p), action: 'voc.dictionary', target: 'voc:dictionary', ip: req.ip ?? null, details: { version: out.version, themes: body.themes.length } });
    res.json({ ok: true, ...voc.getDictionary() });
  });
  return router;
}
