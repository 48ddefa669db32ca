/**
 * Readers for Amazon Connect's JSON records: a couple of typeof checks per field (no schema per record: the mapper
 * runs on every record of a busy centre), each failing with a reason that names the field, what the documentation
 * says it is, and what came. Pure functions.
 */
import { jsonTypeOf } from '../../../shared/events.js';

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `what came`, as a reason shows it: the JSON type and a short excerpt of the value. */
export function got(v: unknown): string {
  if (v === undefined) return 'nothing';
  const text = JSON.stringify(v) ?? typeof v;
  return `${jsonTypeOf(v)} ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
}

/** Collects field problems while a record is read; the mapper answers `malformed` with all of them at once. */
export class FieldReader {
  readonly problems: string[] = [];

  constructor(private readonly what: string) {}

  fail(path: string, expected: string, value: unknown): void {
    this.problems.push(`${this.what} ${path}: expected ${expected}, got ${got(value)}`);
  }

  /** A required non-empty string. */
  str(obj: Json, key: string, path = key): string {
    const v = obj[key];
    if (typeof v === 'string' && v.length > 0) return v;
    this.fail(path, 'a non-empty string', v);
    return '';
  }

  /** An optional string: absent or null is undefined; an empty string is undefined too (Connect sends "" for unset names). */
  optStr(obj: Json, key: string, path = key): string | undefined {
    const v = obj[key];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v === 'string') return v;
    this.fail(path, 'a string', v);
    return undefined;
  }

  /** An optional whole number of seconds (or count), 0 or more; absent or null is undefined. */
  optCount(obj: Json, key: string, path = key): number | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
    this.fail(path, 'a number of 0 or more', v);
    return undefined;
  }

  /** A required time: an ISO-8601 string (Connect's `yyyy-mm-ddThh:mm:ssZ`). */
  time(obj: Json, key: string, path = key): number {
    const ms = timeMs(obj[key]);
    if (ms === undefined) this.fail(path, 'an ISO-8601 date-time (yyyy-mm-ddThh:mm:ssZ)', obj[key]);
    return ms ?? 0;
  }

  /** An optional time: ISO-8601 string, or epoch seconds/milliseconds as AWS JSON APIs send them. */
  optTime(obj: Json, key: string, path = key): number | undefined {
    const v = obj[key];
    if (v === undefined || v === null || v === '') return undefined;
    const ms = timeMs(v);
    if (ms === undefined) this.fail(path, 'an ISO-8601 date-time (yyyy-mm-ddThh:mm:ssZ)', v);
    return ms;
  }

  /** An optional object; absent or null is undefined. */
  optObj(obj: Json, key: string, path = key): Json | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (isObject(v)) return v;
    this.fail(path, 'an object', v);
    return undefined;
  }
}

/**
 * Epoch milliseconds of a platform time: an ISO-8601 string, or a number as the AWS JSON protocol sends timestamps
 * (epoch seconds, possibly fractional; a value already in milliseconds is taken as such).
 */
export function timeMs(v: unknown): number | undefined {
  if (typeof v === 'string') {
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? undefined : ms;
  }
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return v < 1e11 ? Math.round(v * 1000) : Math.round(v);
  return undefined;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The last path segment after `/<kind>/` in an ARN (`…/agent/<user id>` → the user id), or undefined. */
export function arnTail(arn: string, kind: string): string | undefined {
  const marker = `/${kind}/`;
  const at = arn.lastIndexOf(marker);
  if (at < 0) return undefined;
  const tail = arn.slice(at + marker.length);
  return tail.length > 0 && !tail.includes('/') ? tail : undefined;
}
