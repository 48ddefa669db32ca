/**
 * Turns an ingest request body (a JSON array, or NDJSON: one event per line) into raw values, or says exactly where
 * the JSON broke. JSON.parse is the fast path; jsonc-parser locates the error only when parsing fails.
 */
import { parse as locateParse, printParseErrorCode, type ParseError } from 'jsonc-parser';

export type BodyFormat = 'json' | 'ndjson';

export type ParsedBody =
  | { ok: true; items: unknown[] }
  | { ok: false; kind: 'malformed'; message: string; line: number; column: number; offset: number }
  | { ok: false; kind: 'shape'; message: string };

export function bodyFormatOf(contentType: string | undefined): BodyFormat {
  const mime = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return mime === 'application/x-ndjson' || mime === 'application/ndjson' || mime === 'application/jsonl' ? 'ndjson' : 'json';
}

export function parseIngestBody(text: string, format: BodyFormat): ParsedBody {
  return format === 'ndjson' ? parseNdjson(text) : parseJsonArray(text);
}

function parseJsonArray(text: string): ParsedBody {
  if (text.trim() === '') return { ok: false, kind: 'shape', message: 'the body is empty; send a JSON array of events' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return malformed(text, 0, err);
  }
  if (!Array.isArray(value)) {
    return { ok: false, kind: 'shape', message: 'the body must be a JSON array of events (or NDJSON with Content-Type: application/x-ndjson)' };
  }
  return { ok: true, items: value };
}

function parseNdjson(text: string): ParsedBody {
  const items: unknown[] = [];
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const line = text.slice(start, end);
    if (line.trim() !== '') {
      try {
        items.push(JSON.parse(line));
      } catch (err) {
        return malformed(text, start, err, line);
      }
    }
    start = end + 1;
  }
  if (items.length === 0) return { ok: false, kind: 'shape', message: 'the body has no events' };
  return { ok: true, items };
}

function malformed(fullText: string, baseOffset: number, err: unknown, fragment?: string): ParsedBody {
  const errors: ParseError[] = [];
  locateParse(fragment ?? fullText, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  const offset = baseOffset + (first?.offset ?? 0);
  const { line, column } = lineAndColumn(fullText, offset);
  const what = first ? describe(printParseErrorCode(first.error)) : err instanceof Error ? err.message : 'invalid JSON';
  return { ok: false, kind: 'malformed', message: `malformed JSON at line ${line}, column ${column}: ${what}`, line, column, offset };
}

function describe(code: string): string {
  const words: Record<string, string> = {
    InvalidSymbol: 'unexpected character',
    InvalidNumberFormat: 'invalid number',
    PropertyNameExpected: 'expected a property name in double quotes',
    ValueExpected: 'expected a value',
    ColonExpected: "expected ':'",
    CommaExpected: "expected ','",
    CloseBraceExpected: "expected '}'",
    CloseBracketExpected: "expected ']'",
    EndOfFileExpected: 'unexpected content after the end of the JSON value',
    InvalidCommentToken: 'comments are not allowed in JSON',
    UnexpectedEndOfComment: 'comments are not allowed in JSON',
    UnexpectedEndOfString: 'unterminated string',
    UnexpectedEndOfNumber: 'unterminated number',
    InvalidUnicode: 'invalid unicode escape',
    InvalidEscapeCharacter: 'invalid escape character',
    InvalidCharacter: 'invalid character in string',
  };
  return words[code] ?? code;
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
