/** One reply shape for every REST error: `{ ok: false, error: { code, message, details? } }`. No stack traces. */
import type { ErrorRequestHandler, Response } from 'express';
import type { ApiError } from '../../shared/api.js';
import { AccountError, type AccountErrorKind } from '../accounts/errors.js';
import type { Logger } from '../logger.js';

const ACCOUNT_STATUS: Record<AccountErrorKind, [number, string]> = {
  invalid: [400, 'invalid_input'],
  not_found: [404, 'not_found'],
  conflict: [409, 'conflict'],
  unauthenticated: [401, 'unauthenticated'],
  locked: [429, 'too_many_attempts'],
  forbidden: [403, 'forbidden'],
};

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export function sendError(res: Response, status: number, code: string, message: string, details?: unknown): void {
  const body: ApiError = { ok: false, error: { code, message, ...(details === undefined ? {} : { details }) } };
  res.status(status).json(body);
}

/** Maps body-parser and our own errors to the reply shape; anything unexpected is logged and answered as 500. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    if (err instanceof HttpError) {
      if (err.headers) res.set(err.headers);
      sendError(res, err.status, err.code, err.message, err.details);
      return;
    }
    if (err instanceof AccountError) {
      const [status, code] = ACCOUNT_STATUS[err.kind];
      if (err.retryAfterSeconds !== undefined) res.set('Retry-After', String(err.retryAfterSeconds));
      // Setup that is already done is gone for good (410), so a scanner learns nothing from it.
      sendError(res, req.path === '/api/v1/setup' && err.kind === 'not_found' ? 410 : status, code, err.message);
      return;
    }
    const e = err as { type?: string; status?: number; limit?: number; message?: string };
    if (e.type === 'entity.too.large') {
      sendError(res, 413, 'payload_too_large', `the request body is larger than the limit of ${e.limit ?? '?'} bytes`);
      return;
    }
    if (e.type === 'entity.parse.failed') {
      sendError(res, 400, 'malformed_json', `malformed JSON: ${e.message ?? ''}`);
      return;
    }
    if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') {
      sendError(res, 415, 'unsupported_encoding', e.message ?? 'unsupported content encoding');
      return;
    }
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      sendError(res, e.status, 'bad_request', e.message ?? 'bad request');
      return;
    }
    if (storeUnavailable(err)) {
      logger.error({ err: (err as Error).message, method: req.method, url: req.originalUrl }, 'the store is unavailable');
      res.set('Retry-After', '5');
      sendError(res, 503, 'store_unavailable', 'the database is unavailable; nothing was changed; retry shortly');
      return;
    }
    logger.error({ err, method: req.method, url: req.originalUrl }, 'unhandled error');
    sendError(res, 500, 'internal', 'internal error; it has been logged');
  };
}

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08004', '08006']);

/** Whether an error means the database cannot be reached right now (answered 503 with a retry hint, not 500). */
export function storeUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.code === 'string' && UNAVAILABLE_CODES.has(e.code)) return true;
  const m = typeof e.message === 'string' ? e.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|the database system is (starting up|shutting down)|SQLITE_BUSY/.test(m);
}
