/**
 * The OpenAPI 3.1 description of the REST API (GET /api/v1/openapi.json), generated from the route declarations
 * (server/http/access.ts) and the zod schemas they carry, so it lists every route Express serves, with the very
 * schemas that validate its input. A route declared without schemas still gets its path, method, path parameters,
 * security, summary and error answers.
 */
import type { z } from 'zod';
import { CSRF_HEADER, ROLES } from '../../shared/access.js';
import { API_KEY_SCOPE_HELP, API_KEY_SCOPES } from '../../shared/api.js';
import { COOKIE, type Method, type RouteDeclaration } from '../http/access.js';
import { errorReply } from './components.js';
import { SchemaSet, type Json } from './schemas.js';

export const OPENAPI_VERSION = '3.1.1';

const UNSAFE: readonly Method[] = ['post', 'put', 'patch', 'delete'];
const PARAM = /:([A-Za-z0-9_]+)/g;

export const SECURITY_SCHEMES = {
  session: {
    type: 'apiKey',
    in: 'cookie',
    name: COOKIE.session,
    description:
      `A person's session, set by POST /api/v1/auth/login (named __Host-${COOKIE.session} over HTTPS). Writes also need ` +
      `the ${CSRF_HEADER} header with the csrfToken from GET /api/v1/session. The names listed on an operation are the ` +
      `roles it admits (${ROLES.join(', ')}); any one of them will do.`,
  },
  apiKey: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'fl_<id>_<secret>',
    description:
      'An API key (created by an admin or with `npm run apikey`), as "Authorization: Bearer fl_...". The name listed on ' +
      `an operation is the key scope it admits: ${API_KEY_SCOPES.map((s) => `${s} (${API_KEY_SCOPE_HELP[s]})`).join('; ')}.`,
  },
  display: {
    type: 'apiKey',
    in: 'cookie',
    name: COOKIE.display,
    description: `A paired wall screen (named __Host-${COOKIE.display} over HTTPS), set when its pairing code is approved. Read-only.`,
  },
} as const;

export interface DocumentInfo {
  version: string;
}

export function openApiDocument(declarations: readonly RouteDeclaration[], info: DocumentInfo): Json {
  const schemas = new SchemaSet();
  const errorSchema = schemas.convert(errorReply, 'output');
  const paths: Record<string, Record<string, Json>> = {};
  const tags = new Set<string>();
  for (const d of declarations) {
    // The built client's files and the single-page app's fallback are not part of the API.
    if (!d.path.startsWith('/') || d.path.includes('*')) continue;
    const item = (paths[d.path.replace(PARAM, '{$1}')] ??= {});
    if (item[d.method] !== undefined) continue;
    const tag = d.area ?? areaOf(d.path);
    tags.add(tag);
    item[d.method] = operation(d, tag, schemas, errorSchema);
  }
  return {
    openapi: OPENAPI_VERSION,
    info: {
      title: 'Frontline API',
      version: info.version,
      summary: 'Real-time customer-service quality for contact centres: events in, KPIs, coaching cases, wallboards out.',
      description:
        'Every error answers `{ ok: false, error: { code, message, details? } }` (components.schemas.Error); invalid input ' +
        'is a 400 whose details list each field path and reason. Request schemas are the zod schemas the server validates ' +
        'with, converted to JSON Schema 2020-12; rules JSON Schema cannot state (cross-field checks, references that ' +
        'must exist) are checked by the server and named in descriptions.',
    },
    tags: [...tags].sort().map((name) => ({ name })),
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(schemas.named).sort(([a], [b]) => a.localeCompare(b))),
      securitySchemes: SECURITY_SCHEMES,
    },
  };
}

/** Where a route declared outside an area router belongs: the first word of its path after /api/vN. */
function areaOf(path: string): string {
  return path.split('/').filter((w) => w !== '' && w !== 'api' && !/^v\d+$/.test(w))[0] ?? 'other';
}

export function operationId(method: Method, path: string): string {
  const words = path
    .split('/')
    .filter((w) => w !== '' && w !== 'api')
    .map((w) => (w.startsWith(':') ? `by-${w.slice(1)}` : w))
    .flatMap((w) => w.split(/[^A-Za-z0-9]+/))
    .filter(Boolean);
  return method + words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

function security(d: RouteDeclaration): Json[] {
  if (d.audiences === 'public') return [];
  const out: Json[] = [];
  for (const a of d.audiences) {
    if (a === 'display') out.push({ display: [] });
    else if (a.startsWith('key:')) out.push({ apiKey: [a.slice('key:'.length)] });
    else out.push({ session: [a] });
  }
  return out;
}

function who(d: RouteDeclaration): string {
  if (d.audiences === 'public') return 'Anyone (no credential needed).';
  const names = d.audiences.map((a) => (a === 'display' ? 'a paired screen' : a.startsWith('key:') ? `an API key with scope ${a.slice(4)}` : a.replace('_', ' ')));
  return `Who may call it: ${names.join(', ')}.`;
}

function errorAnswer(description: string, errorSchema: Json): Json {
  return { description, content: { 'application/json': { schema: errorSchema } } };
}

const pathParamsOf = (path: string): string[] => [...path.matchAll(PARAM)].map((m) => m[1] as string);
const isUnsafe = (d: RouteDeclaration): boolean => UNSAFE.includes(d.method);

function operation(d: RouteDeclaration, tag: string, schemas: SchemaSet, errorSchema: Json): Json {
  const op: Json = { operationId: operationId(d.method, d.path), summary: d.summary, description: who(d), tags: [tag], security: security(d) };
  const parameters = parametersOf(d, schemas);
  if (parameters.length > 0) op.parameters = parameters;
  const body = d.doc?.body;
  if (body) {
    const schema = schemas.convert(body, 'input');
    const content: Record<string, Json> = {};
    for (const type of d.doc?.bodyTypes ?? ['application/json']) {
      content[type] = type === 'application/json' ? { schema } : { schema: { type: 'string', contentMediaType: type, description: 'newline-delimited JSON: one item of the JSON array form per line' } };
    }
    op.requestBody = { required: true, content };
  }
  op.responses = responsesOf(d, schemas, errorSchema);
  return op;
}

/** Path parameters (every `:name`, with its schema where one is given), query parameters, and the CSRF header. */
function parametersOf(d: RouteDeclaration, schemas: SchemaSet): Json[] {
  const parameters: Json[] = [];
  const paramSchemas = (d.doc?.params?.shape ?? {}) as Record<string, z.ZodType | undefined>;
  for (const name of pathParamsOf(d.path)) {
    const s = paramSchemas[name];
    parameters.push({ name, in: 'path', required: true, schema: s ? schemas.convert(s, 'input') : { type: 'string' } });
  }
  const querySchemas: Record<string, z.ZodType> = d.doc?.query?.shape ?? {};
  for (const [name, s] of Object.entries(querySchemas)) {
    let schema = schemas.convert(s, 'input');
    // A value a preprocess turns into a list (?teams=a&teams=b) has no input form of its own: show the list.
    if (Object.keys(schema).every((k) => k === 'description')) schema = schemas.convert(s, 'output');
    const { description, ...rest } = schema;
    parameters.push({ name, in: 'query', required: !s.safeParse(undefined).success, ...(typeof description === 'string' ? { description } : {}), schema: rest });
  }
  const people = d.audiences !== 'public' && d.audiences.some((a) => a !== 'display' && !a.startsWith('key:'));
  if (isUnsafe(d) && people) {
    parameters.push({
      name: CSRF_HEADER,
      in: 'header',
      required: false,
      description: 'with the session cookie: the csrfToken from GET /api/v1/session (not used with an API key)',
      schema: { type: 'string' },
    });
  }
  return parameters;
}

/** The success answer, the answers the route names, and the errors its declaration implies. */
function responsesOf(d: RouteDeclaration, schemas: SchemaSet, errorSchema: Json): Record<string, Json> {
  const doc = d.doc ?? {};
  const responses: Record<string, Json> = {};
  const success = doc.status ?? 200;
  responses[String(success)] = {
    description: success === 201 ? 'created' : 'done',
    content: {
      'application/json': { schema: doc.response ? schemas.convert(doc.response, 'output') : {} },
      ...(doc.csv ? { 'text/csv': { schema: { type: 'string', description: 'format=csv: the same figures as a spreadsheet opens them' } } } : {}),
    },
  };
  for (const [status, also] of Object.entries(doc.also ?? {})) {
    if (typeof also !== 'string') responses[status] = { description: also.description, content: { 'application/json': { schema: schemas.convert(also.body, 'output') } } };
    else responses[status] = Number(status) >= 400 ? errorAnswer(also, errorSchema) : { description: also };
  }
  const add = (status: number, description: string) => {
    responses[String(status)] ??= errorAnswer(description, errorSchema);
  };
  const pathParams = pathParamsOf(d.path);
  if (pathParams.length > 0 || doc.query || doc.body) add(400, 'invalid input: error.details lists each field path and reason');
  if (d.audiences !== 'public') add(401, 'no credential, or an expired session or unknown API key');
  if (d.audiences !== 'public' || isUnsafe(d)) {
    add(403, d.audiences === 'public' ? 'the request came from a page on another site (Origin check)' : 'the caller may not do this (role, key scope, the object, the Origin or CSRF check)');
  }
  if (pathParams.length > 0) add(404, `no such ${pathParams.join(' / ')}`);
  if (doc.body) add(413, 'the body is larger than the limit');
  responses.default = errorAnswer('unexpected: 500 (logged), or 503 with Retry-After when the database cannot be reached', errorSchema);
  return responses;
}
