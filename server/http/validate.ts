import type { z } from 'zod';
import { HttpError } from './errors.js';

/** Parses a request part with a zod schema, or answers 400 listing each field path and a plain reason. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what = 'request body'): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const details = parsed.error.issues.slice(0, 50).map((i) => ({ path: i.path.map(String).join('.'), reason: i.message }));
    const first = details[0];
    throw new HttpError(400, 'invalid_input', `the ${what} is invalid${first ? `: ${first.path ? `${first.path} ` : ''}${first.reason}` : ''}`, details);
  }
  return parsed.data;
}
