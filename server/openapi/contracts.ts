/**
 * The two public event contracts as request schemas, derived from the stored-event schemas the ingest service
 * validates with (shared/events.ts) by the rules each contract applies on top of them:
 * - v1 (validateEvent with { contract: 1 }): v1 types only, no v2-only fields, ids of at most MAX_ID_LENGTH;
 * - v2 (normaliseV2 in shared/contract-v2.ts): unknown fields are kept in `ext` instead of refused, `occurredAt` may
 *   be epoch milliseconds, `revision` an ISO-8601 update time, and an agent state a platform's own name.
 * Refinements JSON Schema cannot say (exactly one transfer target, at least one survey score) are in descriptions.
 */
import { z } from 'zod';
import { EPOCH_MAX_MS, EPOCH_MIN_MS } from '../../shared/contract-v2.js';
import { AGENT_STATES, EVENT_SCHEMAS, EVENT_TYPES, id, MAX_EXT_BYTES, revision, V1_EVENT_TYPES, V1_ID_FIELDS, V2_ONLY_FIELDS, type EventType } from '../../shared/events.js';

type Shape = Record<string, z.ZodType>;

const RULES: Partial<Record<EventType, string>> = {
  'contact.transferred': 'exactly one of toAgentId, toQueueId or toExternal is required',
  'survey.responded': 'a survey response needs at least one score: csat, nps, resolved or answers',
};

function shapeOf(type: EventType): Shape {
  return (EVENT_SCHEMAS[type] as z.ZodObject).shape;
}

function optional(schema: z.ZodType): boolean {
  return schema.safeParse(undefined).success;
}

function described(schema: z.ZodObject, type: EventType, extra?: string): z.ZodObject {
  const words = [RULES[type], extra].filter((w) => w !== undefined).join('; ');
  return words === '' ? schema : schema.describe(words);
}

/** Contract v1 (POST /api/v1/events): exactly what validateEvent(input, { contract: 1 }) lets through, per type. */
export function v1EventSchemas(): Partial<Record<EventType, z.ZodObject>> {
  const out: Partial<Record<EventType, z.ZodObject>> = {};
  for (const type of V1_EVENT_TYPES) {
    const shape: Shape = {};
    for (const [field, schema] of Object.entries(shapeOf(type))) {
      if ((V2_ONLY_FIELDS as readonly string[]).includes(field)) continue;
      if (type === 'contact.ended' && field === 'queueId') continue;
      shape[field] = (V1_ID_FIELDS as readonly string[]).includes(field) ? (optional(schema) ? id.optional() : id) : schema;
    }
    out[type] = described(z.strictObject(shape), type);
  }
  return out;
}

const epochMs = z
  .int()
  .min(EPOCH_MIN_MS)
  .max(EPOCH_MAX_MS - 1)
  .describe('epoch milliseconds');
const updateTime = z.iso.datetime({ offset: true }).describe("the platform's update time, ISO-8601 with an offset");
const platformState = z
  .string()
  .min(1)
  .describe(`one of ${AGENT_STATES.join(', ')}, or a platform's own state name mapped to one of them (built-in names such as Lunch or ACW, and FRONTLINE_AGENT_STATES)`);

/** Contract v2 (POST /api/v2/events): the stored form, loosened as normaliseV2 loosens it. */
export function v2EventSchemas(): Record<EventType, z.ZodObject> {
  const out = {} as Record<EventType, z.ZodObject>;
  for (const type of EVENT_TYPES) {
    const shape: Shape = { ...shapeOf(type) };
    shape.occurredAt = z.union([shapeOf(type).occurredAt as z.ZodType, epochMs]);
    if (shape.revision) shape.revision = z.union([revision, updateTime]).optional();
    if (type === 'agent.state') shape.state = platformState;
    out[type] = described(z.looseObject(shape), type, `fields the contract does not name are kept in ext (at most ${MAX_EXT_BYTES} bytes of JSON in all), with a warning`);
  }
  return out;
}
