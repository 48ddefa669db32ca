/** Bearer API-key authentication for integrators, with the scope each route needs. */
import type { RequestHandler } from 'express';
import type { ApiKeyScope } from '../../shared/api.js';
import type { ApiKeyInfo, ApiKeyService } from '../apikeys/apikey.service.js';
import type { Logger } from '../logger.js';
import { HttpError } from './errors.js';

declare module 'express-serve-static-core' {
  interface Locals {
    apiKey?: ApiKeyInfo;
  }
}

const REASONS = {
  missing: 'an API key is required: send "Authorization: Bearer fl_..."',
  malformed: 'the API key is not in the expected form fl_<id>_<secret>',
  unknown: 'the API key is not valid',
  revoked: 'the API key has been revoked',
} as const;

export function requireApiKey(keys: ApiKeyService, scope: ApiKeyScope, logger: Logger): RequestHandler {
  return (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const presented = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
    keys
      .verify(presented)
      .then((check) => {
        if (!check.ok) {
          logger.warn({ event: 'api_key_rejected', reason: check.reason, ip: req.ip, path: req.path }, 'API key rejected');
          throw new HttpError(401, 'unauthorized', REASONS[check.reason], undefined, { 'WWW-Authenticate': 'Bearer realm="frontline"' });
        }
        if (!check.key.scopes.includes(scope)) {
          throw new HttpError(403, 'forbidden', `this API key lacks the '${scope}' scope`);
        }
        res.locals.apiKey = check.key;
        next();
      })
      .catch(next);
  };
}
