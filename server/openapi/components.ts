/**
 * The schemas the API description names (components.schemas): the shared zod schemas the routes validate with,
 * registered under a name, plus the reply shapes that are TypeScript interfaces, written once here as zod and checked
 * against those interfaces by the compiler. Anything registered here is emitted once and referenced by `$ref`.
 */
import { z } from 'zod';
import { scopeText } from '../../shared/access.js';
import type { ApiError, IngestEventResult, IngestReply } from '../../shared/api.js';
import { boardBody, displayShowsBody, rotationBody, tileSchema } from '../../shared/boards.js';
import { actionInput } from '../../shared/coaching.js';
import { agent, directory, openingHours, queue, site, team } from '../../shared/directory.js';
import type { EventIssue } from '../../shared/events.js';
import { surveyAnswer, type EventType } from '../../shared/events.js';
import { v1EventSchemas, v2EventSchemas } from './contracts.js';

export interface ComponentMeta {
  id?: string;
  description?: string;
}

/** Which schemas are components, and under which name. */
export const components = z.registry<ComponentMeta>();

/** `contact.offered` → `ContactOffered`. */
export function eventSchemaName(type: EventType): string {
  return type
    .split(/[.\-_]/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

/** The one reply shape for every error (server/http/errors.ts). */
export const errorReply = z.object({
  ok: z.literal(false),
  error: z.object({
    code: z.string().describe('a stable code: invalid_input, unauthenticated, forbidden, csrf_failed, not_found, too_many_attempts, ...'),
    message: z.string().describe('what went wrong, in plain words'),
    details: z.unknown().optional().describe('for invalid input: one { path, reason } per field'),
  }),
}) satisfies z.ZodType<ApiError>;

const eventIssue = z.object({ path: z.string(), reason: z.string() }) satisfies z.ZodType<EventIssue>;
const ingestResult = z.discriminatedUnion('status', [
  z.object({ index: z.int(), id: z.string(), status: z.literal('accepted'), warnings: z.array(z.string()).optional() }),
  z.object({ index: z.int(), id: z.string(), status: z.literal('duplicate'), warnings: z.array(z.string()).optional() }),
  z.object({ index: z.int(), id: z.string().nullable(), status: z.literal('rejected'), errors: z.array(eventIssue) }),
]) satisfies z.ZodType<IngestEventResult>;

/** POST /api/v{1,2}/events: 200 all stored, 207 some rejected, 422 none stored. */
export const ingestReply = z.object({
  ok: z.boolean(),
  contract: z.union([z.literal(1), z.literal(2)]),
  accepted: z.int().min(0),
  duplicate: z.int().min(0),
  rejected: z.int().min(0),
  results: z.array(ingestResult),
}) satisfies z.ZodType<IngestReply>;

components.add(errorReply, { id: 'Error', description: 'every error answer: { ok: false, error: { code, message, details? } }' });
components.add(ingestReply, { id: 'IngestReply', description: 'per-event results of an ingest request, in the order sent' });
components.add(ingestResult, { id: 'IngestResult' });
components.add(eventIssue, { id: 'EventIssue' });
components.add(scopeText, { id: 'Scope', description: "'centre', or site:ID, team:ID, queue:ID, channel:NAME, agent:ID" });
components.add(directory, { id: 'Directory', description: 'the whole organisation: sites, teams, queues and agents (ids unique; every reference must exist)' });
components.add(site, { id: 'Site' });
components.add(team, { id: 'Team' });
components.add(queue, { id: 'Queue' });
components.add(agent, { id: 'Agent' });
components.add(openingHours, { id: 'OpeningHours', description: 'opening hours per weekday; a missing day means closed' });
components.add(boardBody, { id: 'BoardInput', description: 'a wallboard: at most 24 tiles on a 12 × 6 grid' });
components.add(tileSchema, { id: 'Tile' });
components.add(rotationBody, { id: 'RotationInput' });
components.add(displayShowsBody, { id: 'DisplayShows' });
components.add(actionInput, { id: 'ActionInput', description: 'one agreed SMART action' });
components.add(surveyAnswer, { id: 'SurveyAnswer' });

/** The events of each public contract, one named component per type. */
export const v1Events = v1EventSchemas();
export const v2Events = v2EventSchemas();
for (const [type, schema] of Object.entries(v1Events)) components.add(schema, { id: `V1${eventSchemaName(type as EventType)}` });
for (const [type, schema] of Object.entries(v2Events)) components.add(schema, { id: `V2${eventSchemaName(type as EventType)}` });
