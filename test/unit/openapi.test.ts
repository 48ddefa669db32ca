/**
 * The pieces of the API description: zod's JSON Schema for an event, the per-contract event schemas against the
 * validators they describe, and the generator on routes declared without any schema.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { normaliseV2 } from '../../shared/contract-v2.js';
import { contactEnded, EVENT_SCHEMAS, V1_EVENT_TYPES, V2_ONLY_FIELDS, validateEvent } from '../../shared/events.js';
import type { RouteDeclaration } from '../../server/http/access.js';
import { v1EventSchemas, v2EventSchemas } from '../../server/openapi/contracts.js';
import { openApiDocument, operationId } from '../../server/openapi/document.js';

describe('zod → JSON Schema for events', () => {
  it('contact.ended: every field an integrator must send is required, its type is a constant, and nothing else is allowed', () => {
    const json = z.toJSONSchema(contactEnded, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as {
      required: string[];
      properties: Record<string, { const?: string; minimum?: number; maximum?: number; type?: string }>;
      additionalProperties: boolean;
    };
    expect([...json.required].sort()).toEqual(['agentId', 'contactId', 'holdSeconds', 'id', 'occurredAt', 'resolved', 'talkSeconds', 'type', 'wrapSeconds']);
    expect(json.properties.type).toMatchObject({ const: 'contact.ended' });
    expect(json.properties.talkSeconds).toMatchObject({ type: 'number', minimum: 0, maximum: 7 * 24 * 3600 });
    expect(json.properties.resolved).toMatchObject({ type: 'boolean' });
    expect(json.additionalProperties).toBe(false);
  });
});

const at = '2026-11-18T09:00:00Z';
const ended = { id: 'e1', type: 'contact.ended', occurredAt: at, contactId: 'c1', agentId: 'a1', talkSeconds: 60, holdSeconds: 0, wrapSeconds: 10, resolved: true };

describe('the contract schemas describe what each contract accepts', () => {
  const v1 = v1EventSchemas();
  const v2 = v2EventSchemas();

  it('v1 has exactly the stored fields minus the ones v2 added', () => {
    for (const type of V1_EVENT_TYPES) {
      const stored = Object.keys((EVENT_SCHEMAS[type] as z.ZodObject).shape).filter((f) => !(V2_ONLY_FIELDS as readonly string[]).includes(f) && !(type === 'contact.ended' && f === 'queueId'));
      expect(Object.keys((v1[type] as z.ZodObject).shape).sort(), type).toEqual(stored.sort());
    }
    expect(v1['survey.offered']).toBeUndefined();
  });

  it('v1 agrees with validateEvent({ contract: 1 }) on events inside and outside the contract', () => {
    const samples = [ended, { ...ended, holdCount: 2 }, { ...ended, queueId: 'q1' }, { ...ended, agentId: 'a'.repeat(129) }, { ...ended, agentId: 'a'.repeat(128) }, { ...ended, revision: 3 }];
    for (const e of samples) expect((v1['contact.ended'] as z.ZodObject).safeParse(e).success, JSON.stringify(e).slice(0, 80)).toBe(validateEvent(e, { contract: 1 }).ok);
  });

  it("v2 agrees with normaliseV2 on its loosenings: epoch milliseconds, unknown fields, a platform's state names", () => {
    const state = { id: 's1', type: 'agent.state', occurredAt: Date.parse(at), agentId: 'a1', state: 'Lunch', shift: 'early' };
    const samples: Record<string, unknown>[] = [
      state,
      { ...state, occurredAt: Date.parse(at) / 1000 },
      { ...state, occurredAt: 'yesterday' },
      { ...ended, occurredAt: Date.parse(at), revision: '2026-11-18T09:00:01Z' },
      { ...ended, talkSeconds: -1 },
    ];
    for (const e of samples) {
      const schema = v2[e.type as 'agent.state' | 'contact.ended'];
      expect(schema.safeParse(e).success, JSON.stringify(e).slice(0, 100)).toBe(normaliseV2(e).ok);
    }
  });
});

describe('the generator on routes declared without schemas', () => {
  const declarations: RouteDeclaration[] = [
    { method: 'get', path: '/api/v1/things/:thingId/parts/:partId', audiences: ['admin', 'key:read', 'display'], summary: 'one part of one thing' },
    { method: 'post', path: '/api/v1/things', audiences: 'public', summary: 'make a thing', area: 'Things' },
    { method: 'get', path: '*spa', audiences: 'public', summary: 'the single-page app shell' },
  ];
  const doc = openApiDocument(declarations, { version: '1.2.3' }) as {
    paths: Record<string, Record<string, { operationId: string; summary: string; tags: string[]; security: unknown[]; parameters?: unknown[]; responses: Record<string, unknown> }>>;
  };

  it('still describes its path, method, path parameters, security, summary, tag and error answers', () => {
    expect(Object.keys(doc.paths)).toEqual(['/api/v1/things/{thingId}/parts/{partId}', '/api/v1/things']);
    const get = doc.paths['/api/v1/things/{thingId}/parts/{partId}']?.get;
    expect(get?.summary).toBe('one part of one thing');
    expect(get?.operationId).toBe('getV1ThingsByThingIdPartsByPartId');
    expect(get?.tags).toEqual(['things']);
    expect(get?.parameters).toEqual([
      { name: 'thingId', in: 'path', required: true, schema: { type: 'string' } },
      { name: 'partId', in: 'path', required: true, schema: { type: 'string' } },
    ]);
    expect(get?.security).toEqual([{ session: ['admin'] }, { apiKey: ['read'] }, { display: [] }]);
    expect(Object.keys(get?.responses ?? {}).sort()).toEqual(['200', '400', '401', '403', '404', 'default']);
    const post = doc.paths['/api/v1/things']?.post;
    expect(post?.security).toEqual([]);
    expect(post?.tags).toEqual(['Things']);
    // Public, but a write: the Origin check can still refuse it.
    expect(Object.keys(post?.responses ?? {}).sort()).toEqual(['200', '403', 'default']);
  });

  it('names operations after method and path', () => {
    expect(operationId('get', '/healthz')).toBe('getHealthz');
    expect(operationId('put', '/api/v1/directory/sites/:id')).toBe('putV1DirectorySitesById');
  });
});
