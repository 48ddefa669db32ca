/**
 * Service standards and versioned scorecards (issue 19, part 1). Admins and managers author; team leaders and coaches
 * (the QA leads) read, since they evaluate against the cards. Agents, screens and API keys have no use for them.
 * Handlers validate and call ScorecardService, which checks the standards and writes the audit trail.
 */
import express, { type Request, type Router } from 'express';
import { z } from 'zod';
import { createScorecardBody, publishVersionBody, standardInput } from '../../shared/qa.js';
import { SCORECARD_TEMPLATES } from '../../shared/qa-templates.js';
import { actorOf } from '../access/principal.js';
import { ScorecardConflict } from '../qa/scorecard.store.js';
import { ScorecardInvalid, type ScorecardService, type Who } from '../qa/scorecard.service.js';
import { principalOf, type RouteTable } from './access.js';
import { HttpError } from './errors.js';
import { parseInput } from './validate.js';

export const QA_AUTHORS = ['admin', 'manager'] as const;
export const QA_READERS = ['admin', 'manager', 'team_leader', 'coach'] as const;

const id = z.string().min(1).max(64);
const standardParams = z.object({ standardId: id });
const cardParams = z.object({ scorecardId: id });
const versionParams = z.object({ scorecardId: id, version: z.coerce.number().int().min(1) });
const templateParams = z.object({ templateId: id });
const listQuery = z.object({ retired: z.enum(['true', 'false']).default('false') });

/** Runs a QA write, answering the store's and the service's refusals as 404, 409 or 400. */
export async function qaErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof ScorecardConflict) throw new HttpError(err.code === 'not_found' ? 404 : 409, err.code === 'not_found' ? 'not_found' : 'conflict', err.message);
    if (err instanceof ScorecardInvalid) throw new HttpError(400, 'invalid_input', err.message, err.details);
    throw err;
  }
}

export function qaScorecardRoutes(routes: RouteTable, scorecards: ScorecardService): Router {
  const router = routes.router('QA scorecards');
  const json = express.json({ limit: '256kb' });
  const who = (req: Request, p: ReturnType<typeof principalOf>): Who => ({ actor: actorOf(p), ip: req.ip ?? null });
  const also409 = { 409: 'a standard with that code exists already' };

  routes.add(router, { method: 'get', path: '/api/v1/qa/standards', audiences: [...QA_READERS], summary: 'the service standards criteria check (retired=true: with the retired ones)', doc: { query: listQuery } }, async (req, res) => {
    const q = parseInput(listQuery, req.query, 'query');
    res.json({ ok: true, standards: await scorecards.standards(q.retired === 'true') });
  });

  routes.add(router, { method: 'post', path: '/api/v1/qa/standards', audiences: [...QA_AUTHORS], summary: 'add a service standard', doc: { body: standardInput, status: 201, also: also409 } }, json, async (req, res) => {
    const body = parseInput(standardInput, req.body);
    res.status(201).json({ ok: true, standard: await qaErrors(() => scorecards.addStandard(body, who(req, principalOf(res)))) });
  });

  routes.add(router, { method: 'put', path: '/api/v1/qa/standards/:standardId', audiences: [...QA_AUTHORS], summary: "change a standard's code, title, source or description", doc: { params: standardParams, body: standardInput, also: also409 } }, json, async (req, res) => {
    const { standardId } = parseInput(standardParams, req.params, 'standard id');
    const body = parseInput(standardInput, req.body);
    res.json({ ok: true, standard: await qaErrors(() => scorecards.updateStandard(standardId, body, who(req, principalOf(res)))) });
  });

  routes.add(router, { method: 'post', path: '/api/v1/qa/standards/:standardId/retire', audiences: [...QA_AUTHORS], summary: 'retire a standard (published cards keep it; new versions must pick another)', doc: { params: standardParams } }, async (req, res) => {
    const { standardId } = parseInput(standardParams, req.params, 'standard id');
    await qaErrors(() => scorecards.retireStandard(standardId, who(req, principalOf(res))));
    res.json({ ok: true });
  });

  routes.add(router, { method: 'get', path: '/api/v1/qa/templates', audiences: [...QA_READERS], summary: 'ready-made starting scorecards (HEAT complaint handling, voice call quality)' }, (_req, res) => {
    res.json({ ok: true, templates: SCORECARD_TEMPLATES });
  });

  routes.add(router, { method: 'post', path: '/api/v1/qa/templates/:templateId/use', audiences: [...QA_AUTHORS], summary: "start a card from a template: creates the template's standards not yet there, answers a draft definition", doc: { params: templateParams } }, async (req, res) => {
    const { templateId } = parseInput(templateParams, req.params, 'template id');
    res.json({ ok: true, draft: await qaErrors(() => scorecards.useTemplate(templateId, who(req, principalOf(res)))) });
  });

  routes.add(router, { method: 'get', path: '/api/v1/qa/scorecards', audiences: [...QA_READERS], summary: 'scorecards with their current version and channels', doc: { query: listQuery } }, async (req, res) => {
    const q = parseInput(listQuery, req.query, 'query');
    res.json({ ok: true, scorecards: await scorecards.scorecards(q.retired === 'true') });
  });

  routes.add(router, { method: 'post', path: '/api/v1/qa/scorecards', audiences: [...QA_AUTHORS], summary: 'create a scorecard (version 1)', doc: { body: createScorecardBody, status: 201 } }, json, async (req, res) => {
    const body = parseInput(createScorecardBody, req.body);
    res.status(201).json({ ok: true, scorecard: await qaErrors(() => scorecards.create(body, who(req, principalOf(res)))) });
  });

  routes.add(router, { method: 'get', path: '/api/v1/qa/scorecards/:scorecardId', audiences: [...QA_READERS], summary: 'one scorecard with its current definition and version history', doc: { params: cardParams } }, async (req, res) => {
    const { scorecardId } = parseInput(cardParams, req.params, 'scorecard id');
    res.json({ ok: true, ...(await qaErrors(() => scorecards.scorecard(scorecardId))) });
  });

  routes.add(router, { method: 'get', path: '/api/v1/qa/scorecards/:scorecardId/versions/:version', audiences: [...QA_READERS], summary: 'one published version of a scorecard, as evaluations against it read it', doc: { params: versionParams } }, async (req, res) => {
    const { scorecardId, version } = parseInput(versionParams, req.params, 'scorecard version');
    res.json({ ok: true, version: await qaErrors(() => scorecards.version(scorecardId, version)) });
  });

  routes.add(
    router,
    { method: 'post', path: '/api/v1/qa/scorecards/:scorecardId/versions', audiences: [...QA_AUTHORS], summary: 'publish a new version (body carries the version read; 409 if another was published since)', doc: { params: cardParams, body: publishVersionBody, status: 201, also: { 409: 'someone published another version since you read it, or the card is retired' } } },
    json,
    async (req, res) => {
      const { scorecardId } = parseInput(cardParams, req.params, 'scorecard id');
      const body = parseInput(publishVersionBody, req.body);
      res.status(201).json({ ok: true, scorecard: await qaErrors(() => scorecards.publish(scorecardId, body.version, body.definition, body.changeNote, who(req, principalOf(res)))) });
    },
  );

  routes.add(router, { method: 'post', path: '/api/v1/qa/scorecards/:scorecardId/retire', audiences: [...QA_AUTHORS], summary: 'retire a scorecard (kept for the evaluations made with it)', doc: { params: cardParams } }, async (req, res) => {
    const { scorecardId } = parseInput(cardParams, req.params, 'scorecard id');
    await qaErrors(() => scorecards.retire(scorecardId, who(req, principalOf(res))));
    res.json({ ok: true });
  });
  return router;
}
