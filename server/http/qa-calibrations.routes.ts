/**
 * Calibration sessions (issue 19, part 4). Admins, managers and team leaders open them (on a contact whose agent they
 * may view); admins, managers, team leaders and coaches are invited to score. Whether the caller is the organiser or
 * an invited evaluator is decided inside CalibrationService; everyone else gets 403. Agents, screens and keys never.
 */
import express, { type Router } from 'express';
import { z } from 'zod';
import { openCalibrationBody, submitCalibrationBody } from '../../shared/qa-calibration-api.js';
import { CalibrationError, type CalibrationService } from '../qa/calibration.service.js';
import { requireUser, type RouteTable } from './access.js';
import { HttpError } from './errors.js';
import { QA_READERS } from './qa-scorecards.routes.js';
import { parseInput } from './validate.js';

const ORGANISERS = ['admin', 'manager', 'team_leader'] as const;
const calParams = z.object({ calibrationId: z.string().min(1).max(64) });

const STATUS: Record<CalibrationError['kind'], [number, string]> = { invalid: [400, 'invalid_input'], forbidden: [403, 'forbidden'], not_found: [404, 'not_found'], conflict: [409, 'conflict'] };

async function answered<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof CalibrationError) {
      const [status, code] = STATUS[err.kind];
      throw new HttpError(status, code, err.message, err.details);
    }
    throw err;
  }
}

export function qaCalibrationRoutes(routes: RouteTable, calibrations: CalibrationService): Router {
  const router = routes.router('QA calibration');
  const json = express.json({ limit: '256kb' });

  routes.add(router, { method: 'get', path: '/api/v1/qa/calibrations', audiences: [...QA_READERS], summary: 'calibration sessions I am invited to score or organise' }, async (_req, res) => {
    res.json({ ok: true, calibrations: await calibrations.list(requireUser(res)) });
  });

  routes.add(router, { method: 'get', path: '/api/v1/qa/calibrations/evaluators', audiences: [...ORGANISERS], summary: 'the people who may be invited to score (admins, managers, team leaders, coaches)' }, async (_req, res) => {
    res.json({ ok: true, evaluators: await calibrations.evaluators() });
  });

  routes.add(router, { method: 'post', path: '/api/v1/qa/calibrations', audiences: [...ORGANISERS], summary: "open a session on a contact (its agent's viewer only), pinning the card's current version", doc: { body: openCalibrationBody, status: 201 } }, json, async (req, res) => {
    const body = parseInput(openCalibrationBody, req.body);
    const id = await answered(() => calibrations.open(requireUser(res), body, req.ip ?? null));
    res.status(201).json({ ok: true, id });
  });

  routes.add(router, { method: 'get', path: '/api/v1/qa/calibrations/:calibrationId', audiences: [...QA_READERS], summary: 'one session: the contact, the card, my answers; after the reveal everyone’s and the spread', doc: { params: calParams } }, async (req, res) => {
    const { calibrationId } = parseInput(calParams, req.params, 'calibration id');
    res.json({ ok: true, ...(await answered(() => calibrations.view(requireUser(res), calibrationId, req.ip ?? null))) });
  });

  routes.add(
    router,
    { method: 'put', path: '/api/v1/qa/calibrations/:calibrationId/score', audiences: [...QA_READERS], summary: "an invited evaluator's answers (again while open replaces them)", doc: { params: calParams, body: submitCalibrationBody, also: { 409: 'the session is closed' } } },
    json,
    async (req, res) => {
      const { calibrationId } = parseInput(calParams, req.params, 'calibration id');
      const body = parseInput(submitCalibrationBody, req.body);
      const me = requireUser(res);
      await answered(() => calibrations.submit(me, calibrationId, body.answers, req.ip ?? null));
      res.json({ ok: true, ...(await answered(() => calibrations.view(me, calibrationId, req.ip ?? null))) });
    },
  );

  routes.add(router, { method: 'post', path: '/api/v1/qa/calibrations/:calibrationId/close', audiences: [...ORGANISERS], summary: 'the organiser closes the session and reveals the scores', doc: { params: calParams, also: { 409: 'the session is closed already' } } }, async (req, res) => {
    const { calibrationId } = parseInput(calParams, req.params, 'calibration id');
    const me = requireUser(res);
    await answered(() => calibrations.close(me, calibrationId, req.ip ?? null));
    res.json({ ok: true, ...(await answered(() => calibrations.view(me, calibrationId, req.ip ?? null))) });
  });
  return router;
}
