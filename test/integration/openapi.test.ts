/**
 * GET /api/v1/openapi.json against the server that publishes it: every route Express really registered is described
 * and nothing else; the document holds together as OpenAPI 3.1; and for the important writes, a request that fits
 * the published schema is accepted while one that breaks it is refused, so the description is what is enforced.
 */
import type { Router } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPENAPI_MEDIA_TYPE } from '../../server/http/openapi.routes.js';
import { check, resolveRef } from '../support/json-schema.js';
import { call, ORG, PASSWORD, seedPeople, sessionFor, type Credentials, type People } from '../support/people.js';
import { startTestServer, type TestServer } from '../support/server.js';

type Json = Record<string, unknown>;
interface Operation {
  operationId: string;
  summary: string;
  tags: string[];
  security: Json[];
  parameters?: { name: string; in: string; required?: boolean; schema: Json }[];
  requestBody?: { content: Record<string, { schema: Json }> };
  responses: Record<string, Json>;
}
interface Document {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Json>; securitySchemes: Record<string, Json> };
}

interface Layer {
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Express's own route stack, nested routers included: what the server really answers. */
function registered(stack: Layer[]): string[] {
  const out: string[] = [];
  for (const layer of stack) {
    if (layer.route) {
      if (typeof layer.route.path !== 'string') continue;
      for (const [m, on] of Object.entries(layer.route.methods)) if (on) out.push(`${m.toUpperCase()} ${layer.route.path}`);
    } else if (layer.handle?.stack) out.push(...registered(layer.handle.stack));
  }
  return out;
}

let t: TestServer;
let people: People;
let admin: Credentials;
let doc: Document;
let ingestKey: string;

beforeAll(async () => {
  t = await startTestServer();
  people = await seedPeople(t);
  admin = await sessionFor(t, people.admin);
  ingestKey = await t.key(['ingest']);
  const res = await fetch(`${t.baseUrl}/api/v1/openapi.json`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')?.replace(/\s/g, '')).toBe(`${OPENAPI_MEDIA_TYPE};charset=utf-8`);
  doc = (await res.json()) as Document;
});

afterAll(async () => {
  await t.close();
});

const operations = (): [string, string, Operation][] => Object.entries(doc.paths).flatMap(([p, item]) => Object.entries(item).map(([m, op]): [string, string, Operation] => [m, p, op]));
const requestSchema = (method: string, path: string): Json => {
  const schema = doc.paths[path]?.[method]?.requestBody?.content['application/json']?.schema;
  if (!schema) throw new Error(`no JSON request body described for ${method} ${path}`);
  return schema;
};

describe('the API description', () => {
  it('describes exactly the routes Express registered: every one, none invented', () => {
    const express = registered((t.server.app as unknown as { router: Router & { stack: Layer[] } }).router.stack)
      .filter((r) => !r.endsWith(' /api'))
      .map((r) => r.replace(/:([A-Za-z0-9_]+)/g, '{$1}'));
    const described = operations().map(([m, p]) => `${m.toUpperCase()} ${p}`);
    expect(express.length).toBeGreaterThan(80);
    expect([...described].sort()).toEqual([...new Set(express)].sort());
    expect(described).toContain('GET /api/v1/openapi.json');
  });

  it('is structurally valid OpenAPI 3.1', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toBe('Frontline API');
    expect(doc.info.version).toMatch(/^\d+\.\d+\.\d+/);
    const problems: string[] = [];
    const ids = new Set<string>();
    for (const [m, p, op] of operations()) {
      const where = `${m.toUpperCase()} ${p}`;
      if (!['get', 'put', 'post', 'delete', 'patch'].includes(m)) problems.push(`${where}: not an HTTP method`);
      if (ids.has(op.operationId)) problems.push(`${where}: operationId ${op.operationId} is used twice`);
      ids.add(op.operationId);
      if (!op.summary) problems.push(`${where}: no summary`);
      if (Object.keys(op.responses).length === 0) problems.push(`${where}: no responses`);
      for (const status of Object.keys(op.responses)) if (status !== 'default' && !/^[1-5]\d\d$/.test(status)) problems.push(`${where}: response key ${status}`);
      const inPath = [...p.matchAll(/\{([^}]+)\}/g)].map((x) => x[1]).sort();
      const declared = (op.parameters ?? []).filter((x) => x.in === 'path');
      if (JSON.stringify(declared.map((x) => x.name).sort()) !== JSON.stringify(inPath)) problems.push(`${where}: path parameters ${JSON.stringify(declared.map((x) => x.name))} for ${JSON.stringify(inPath)}`);
      if (declared.some((x) => x.required !== true)) problems.push(`${where}: a path parameter that is not required`);
      const seen = new Set<string>();
      for (const x of op.parameters ?? []) {
        if (seen.has(`${x.in} ${x.name}`)) problems.push(`${where}: parameter ${x.name} twice`);
        seen.add(`${x.in} ${x.name}`);
      }
      for (const req of op.security) for (const scheme of Object.keys(req)) if (!(scheme in doc.components.securitySchemes)) problems.push(`${where}: unknown security scheme ${scheme}`);
    }
    // Every $ref anywhere resolves.
    const walk = (v: unknown, at: string): void => {
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}/${i}`));
      else if (typeof v === 'object' && v !== null) {
        for (const [k, x] of Object.entries(v)) {
          // `mapping` holds references only inside a discriminator (a body property may be called `mapping` too).
          const refs = k === '$ref' ? [x as string] : k === 'mapping' && at.endsWith('/discriminator') ? Object.values(x as Record<string, string>) : [];
          for (const ref of refs) {
            try {
              resolveRef(doc, ref);
            } catch (err) {
              problems.push(`${at}: ${(err as Error).message}`);
            }
          }
          if (k !== '$ref') walk(x, `${at}/${k}`);
        }
      }
    };
    walk(doc, '#');
    // Component schemas are plain schemas: no dialect or $id of their own inside the document.
    for (const [name, s] of Object.entries(doc.components.schemas)) if ('$schema' in s || '$id' in s || !/^[A-Za-z0-9._-]+$/.test(name)) problems.push(`component ${name}`);
    expect(problems).toEqual([]);
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['Error', 'Directory', 'V2ContactOffered', 'V1ContactOffered', 'IngestReply']));
  });

  it('derives security from each route: public routes need nothing, the others name the roles, key scopes and screens they admit', () => {
    expect(doc.paths['/api/v1/auth/login']?.post?.security).toEqual([]);
    expect(doc.paths['/api/v1/openapi.json']?.get?.security).toEqual([]);
    expect(doc.paths['/api/v2/events']?.post?.security).toEqual([{ apiKey: ['ingest'] }]);
    expect(doc.paths['/api/v1/pulse']?.get?.security).toEqual(expect.arrayContaining([{ session: ['agent'] }, { display: [] }, { apiKey: ['read'] }]));
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['apiKey', 'display', 'session']);
    const getCase = doc.paths['/api/v1/cases/{caseId}']?.get;
    expect(Object.keys(getCase?.responses ?? {})).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404', 'default']));
    expect(doc.paths['/api/v1/auth/login']?.post?.responses).toHaveProperty('429');
  });

  it('is kept for the process and can be revalidated', async () => {
    const first = await fetch(`${t.baseUrl}/api/v1/openapi.json`);
    const etag = first.headers.get('etag');
    expect(etag).not.toBeNull();
    expect(first.headers.get('access-control-allow-origin')).toBe('*');
    expect(await first.text()).toBe(JSON.stringify(doc));
    // fetch() adds "Cache-Control: no-cache" to a conditional request unless one is given (which forces a full answer).
    const again = await fetch(`${t.baseUrl}/api/v1/openapi.json`, { headers: { 'if-none-match': etag as string, 'cache-control': 'max-age=0' } });
    expect(again.status).toBe(304);
  });
});

describe('what the description says is what the server enforces', () => {
  /** Sends `body` and checks the published schema and the server agree on it. */
  async function agree(method: string, path: string, who: Credentials | null, body: unknown, expected: { fits: boolean; status: number }) {
    const problems = check(doc, requestSchema(method.toLowerCase(), path), body);
    expect(problems.length === 0, `schema problems for ${JSON.stringify(body).slice(0, 200)}: ${problems.join('; ')}`).toBe(expected.fits);
    const res = await call(t.baseUrl, method, path, who, body);
    expect(res.status, await res.clone().text()).toBe(expected.status);
    return res;
  }

  it('POST /api/v1/auth/login', async () => {
    await agree('POST', '/api/v1/auth/login', null, { username: people.agent.username, password: PASSWORD }, { fits: true, status: 200 });
    await agree('POST', '/api/v1/auth/login', null, { username: people.agent.username }, { fits: false, status: 400 });
    await agree('POST', '/api/v1/auth/login', null, { username: people.agent.username, password: PASSWORD, remember: true }, { fits: false, status: 400 });
    await agree('POST', '/api/v1/auth/login', null, { username: 'u'.repeat(201), password: PASSWORD }, { fits: false, status: 400 });
    await agree('POST', '/api/v1/auth/login', null, { username: 42, password: PASSWORD }, { fits: false, status: 400 });
  });

  it('PUT /api/v1/directory', async () => {
    await agree('PUT', '/api/v1/directory', admin, ORG, { fits: true, status: 200 });
    const noTeam = { ...ORG, agents: [...ORG.agents, { id: 'a-eve', name: 'Eve' }] };
    await agree('PUT', '/api/v1/directory', admin, noTeam, { fits: false, status: 400 });
    const fax = { ...ORG, queues: [...ORG.queues, { id: 'fax', name: 'Fax', channel: 'fax', serviceLevelSeconds: 20 }] };
    await agree('PUT', '/api/v1/directory', admin, fax, { fits: false, status: 400 });
    const badHours = { ...ORG, sites: [{ ...ORG.sites[0], openingHours: { mon: { open: '8am', close: '20:00' } } }, ...ORG.sites.slice(1)] };
    await agree('PUT', '/api/v1/directory', admin, badHours, { fits: false, status: 400 });
  });

  it('POST /api/v2/events: a batch the schema allows is stored; a body that is not a batch is a 400; an event breaking its schema is rejected', async () => {
    const key = { bearer: ingestKey };
    const at = Date.parse('2026-11-18T09:00:00Z');
    // Contract v2's loosenings, as described: epoch milliseconds, an unknown field (kept in ext), a platform state.
    const offered = { id: 'oa-1', type: 'contact.offered', occurredAt: at, contactId: 'oa-c1', channel: 'voice', queueId: 'voice-billing', wrapCode: 'X1' };
    const batch = [offered, { id: 'oa-2', type: 'agent.state', occurredAt: '2026-11-18T09:00:05Z', agentId: 'a-ann', state: 'Lunch' }];
    const ok = await agree('POST', '/api/v2/events', key, batch, { fits: true, status: 200 });
    expect(((await ok.json()) as { accepted: number }).accepted).toBe(2);
    await agree('POST', '/api/v2/events', key, offered, { fits: false, status: 400 });
    await agree('POST', '/api/v2/events', key, [], { fits: false, status: 400 });
    // A well-formed batch whose one event lacks a required field: 422, as the description's 422 answer says.
    const { queueId: _dropped, ...noQueue } = { ...offered, id: 'oa-3', contactId: 'oa-c3' };
    const refused = await agree('POST', '/api/v2/events', key, [noQueue], { fits: false, status: 422 });
    expect(((await refused.json()) as { results: { errors: { path: string }[] }[] }).results[0]?.errors.map((e) => e.path)).toContain('queueId');
    expect(doc.paths['/api/v2/events']?.post?.responses).toHaveProperty('422');
    // Each event type is named, and a generator can pick it by its type field.
    expect((requestSchema('post', '/api/v2/events').items as Json).discriminator).toMatchObject({
      propertyName: 'type',
      mapping: { 'agent.state': '#/components/schemas/V2AgentState', 'survey.offered': '#/components/schemas/V2SurveyOffered' },
    });
  });

  it('POST /api/v1/events: contract v1 is described without the fields v2 added', async () => {
    const key = { bearer: ingestKey };
    const offered = { id: 'oa-v1-1', type: 'contact.offered', occurredAt: '2026-11-18T09:01:00Z', contactId: 'oa-v1-c1', channel: 'chat', queueId: 'chat-south' };
    await agree('POST', '/api/v1/events', key, [offered], { fits: true, status: 200 });
    await agree('POST', '/api/v1/events', key, [{ ...offered, id: 'oa-v1-2', revision: 2 }], { fits: false, status: 422 });
    await agree('POST', '/api/v1/events', key, [{ ...offered, id: 'oa-v1-3', occurredAt: Date.parse('2026-11-18T09:01:00Z') }], { fits: false, status: 422 });
    await agree('POST', '/api/v1/events', key, [{ ...offered, id: 'x'.repeat(129) }], { fits: false, status: 422 });
  });

  it('POST /api/v1/targets', async () => {
    const target = {
      kpi: 'csat',
      scope: 'team:t-billing',
      threshold: 0.8,
      direction: 'up',
      tolerance: 0.02,
      effectiveFrom: '2026-11-01',
      reviewDate: '2027-02-01',
      owner: 'Max Manager',
      objective: 'keep billing customers satisfied',
    };
    await agree('POST', '/api/v1/targets', admin, target, { fits: true, status: 201 });
    const { objective: _o, ...noObjective } = target;
    await agree('POST', '/api/v1/targets', admin, noObjective, { fits: false, status: 400 });
    await agree('POST', '/api/v1/targets', admin, { ...target, threshold: '80%' }, { fits: false, status: 400 });
    await agree('POST', '/api/v1/targets', admin, { ...target, kpi: 'happiness' }, { fits: false, status: 400 });
    await agree('POST', '/api/v1/targets', admin, { ...target, effectiveFrom: '1 Nov 2026' }, { fits: false, status: 400 });
  });

  it('query parameters: GET /api/v1/audit says limit runs 1 to 500, and the server holds to it', async () => {
    const limit = doc.paths['/api/v1/audit']?.get?.parameters?.find((x) => x.name === 'limit');
    expect(limit).toMatchObject({ in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 500 } });
    expect((await call(t.baseUrl, 'GET', '/api/v1/audit?limit=500', admin)).status).toBe(200);
    expect((await call(t.baseUrl, 'GET', '/api/v1/audit?limit=501', admin)).status).toBe(400);
    const from = doc.paths['/api/v1/contacts']?.get?.parameters?.find((x) => x.name === 'from');
    expect(from?.required).toBe(true);
    expect((await call(t.baseUrl, 'GET', '/api/v1/contacts?to=2026-11-18T00:00:00Z', admin)).status).toBe(400);
  });
});
