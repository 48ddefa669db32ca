/** The one way the client calls the REST API: same-origin cookies, the CSRF header on writes, plain error messages. */
import { CSRF_HEADER } from '../../../shared/csrf.js';
import type { ApiError } from '../../../shared/api.js';

let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const method = init.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers[CSRF_HEADER] = csrfToken;
  const res = await fetch(path, { method, headers, credentials: 'same-origin', ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }) });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiFailure(res.status, 'bad_reply', `the server answered ${res.status} without JSON`);
  }
  if (!res.ok) {
    const err = (json as ApiError | null)?.error;
    throw new ApiFailure(res.status, err?.code ?? 'error', err?.message ?? `request failed (${res.status})`, err?.details);
  }
  return json as T;
}

/** A plain message for a failed request, for forms and tables. */
export function errText(e: unknown): string | null {
  return e instanceof ApiFailure ? e.message : e ? 'something went wrong' : null;
}
