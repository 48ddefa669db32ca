import express, { Router } from 'express';
import { directory as directorySchema } from '../../shared/directory.js';
import type { ApiKeyService } from '../apikeys/apikey.service.js';
import type { DirectoryService } from '../directory/directory.service.js';
import type { Logger } from '../logger.js';
import { requireApiKey } from './api-key-auth.js';
import { HttpError } from './errors.js';

export function directoryRoutes(directory: DirectoryService, keys: ApiKeyService, logger: Logger, onChange: () => Promise<void>): Router {
  const router = Router();
  router.get('/api/v1/directory', requireApiKey(keys, 'read', logger), async (_req, res) => {
    res.json({ ok: true, directory: await directory.get() });
  });
  router.put('/api/v1/directory', requireApiKey(keys, 'admin', logger), express.json({ limit: '10mb' }), async (req, res) => {
    const parsed = directorySchema.safeParse(req.body);
    if (!parsed.success) {
      const details = parsed.error.issues.slice(0, 100).map((i) => ({ path: i.path.join('.'), reason: i.message }));
      throw new HttpError(400, 'invalid_directory', `the directory is invalid (${parsed.error.issues.length} problem(s)); nothing was changed`, details);
    }
    await directory.replace(parsed.data);
    await onChange();
    logger.info({ event: 'directory_replaced', by: res.locals.apiKey?.id, counts: countsOf(parsed.data) }, 'directory replaced');
    res.json({ ok: true, counts: countsOf(parsed.data) });
  });
  return router;
}

function countsOf(d: { sites: unknown[]; teams: unknown[]; queues: unknown[]; agents: unknown[] }) {
  return { sites: d.sites.length, teams: d.teams.length, queues: d.queues.length, agents: d.agents.length };
}
