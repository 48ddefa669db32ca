import { describe, expect, it } from 'vitest';
import { bodyFormatOf, parseIngestBody } from '../../server/ingest/parse-body.js';
import { canonicalJson } from '../../server/ingest/canonical.js';

describe('ingest body parsing', () => {
  it('picks NDJSON by content type', () => {
    expect(bodyFormatOf('application/x-ndjson; charset=utf-8')).toBe('ndjson');
    expect(bodyFormatOf('application/json')).toBe('json');
    expect(bodyFormatOf(undefined)).toBe('json');
  });

  it('parses arrays and NDJSON with blank lines and CRLF', () => {
    expect(parseIngestBody('[{"a":1},{"b":2}]', 'json')).toEqual({ ok: true, items: [{ a: 1 }, { b: 2 }] });
    expect(parseIngestBody('{"a":1}\r\n\r\n{"b":2}\r\n', 'ndjson')).toEqual({ ok: true, items: [{ a: 1 }, { b: 2 }] });
  });

  it.each([
    ['[1,2,]', 1, 6],
    ['[\n{"a":1},\n{"b":}\n]', 3, 6],
    ['[{"a" 1}]', 1, 7],
    ['[1]x', 1, 4],
    ['["abc', 1, 2], // an unterminated string is reported where it starts
  ])('locates the error in %j at line %i column %i', (text, line, column) => {
    expect(parseIngestBody(text, 'json')).toMatchObject({ ok: false, kind: 'malformed', line, column });
  });

  it('locates an NDJSON error on its own line', () => {
    expect(parseIngestBody('{"a":1}\n{"a":}\n', 'ndjson')).toMatchObject({ ok: false, kind: 'malformed', line: 2, column: 6 });
  });

  it('rejects an object or an empty body as the wrong shape', () => {
    expect(parseIngestBody('{"a":1}', 'json')).toMatchObject({ ok: false, kind: 'shape' });
    expect(parseIngestBody('  ', 'json')).toMatchObject({ ok: false, kind: 'shape' });
    expect(parseIngestBody('\n\n', 'ndjson')).toMatchObject({ ok: false, kind: 'shape' });
  });

  it('canonical JSON ignores key order', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: 3 } })).toBe(canonicalJson({ a: { c: 3, d: 2 }, b: 1 }));
  });
});
