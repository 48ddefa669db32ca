/**
 * Public event contract v1 (DOMAIN.md section 8).
 *
 * Stable for integrators: fields are only ever added as optional in v1. Objects are strict, so a misspelt field
 * (`csta` for `csat`) is rejected with its path instead of being silently dropped.
 */
import { z } from 'zod';

export const EVENT_CONTRACT_VERSION = 1;
export const MAX_ID_LENGTH = 128;
export const MAX_TEXT_LENGTH = 5_000;
/** A week: no single contact phase is longer; larger values are data errors. */
export const MAX_DURATION_SECONDS = 7 * 24 * 3600;

export const CHANNELS = ['voice', 'chat', 'email', 'messaging'] as const;
export type Channel = (typeof CHANNELS)[number];
export const ASYNC_CHANNELS: readonly Channel[] = ['email', 'messaging'];

export const AGENT_STATES = ['available', 'busy', 'wrap', 'break', 'offline'] as const;
export type AgentState = (typeof AGENT_STATES)[number];

export const id = z
  .string()
  .min(1, 'must not be empty')
  .max(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`);
const text = z.string().max(MAX_TEXT_LENGTH, `must be at most ${MAX_TEXT_LENGTH} characters`);
const seconds = z
  .number()
  .finite()
  .min(0, 'must be 0 or more seconds')
  .max(MAX_DURATION_SECONDS, `must be at most ${MAX_DURATION_SECONDS} seconds`);
const isoWithOffset = z.iso.datetime({
  offset: true,
  message: 'must be an ISO-8601 date-time with a time zone offset, e.g. 2026-03-02T09:15:00Z or 2026-03-02T09:15:00+01:00',
});

const envelope = {
  id,
  occurredAt: isoWithOffset,
  source: id.optional(),
};

export const contactOffered = z.strictObject({
  ...envelope,
  type: z.literal('contact.offered'),
  contactId: id,
  channel: z.enum(CHANNELS),
  queueId: id,
  customerId: id.optional(),
  reason: id.optional(),
});

export const contactAnswered = z.strictObject({
  ...envelope,
  type: z.literal('contact.answered'),
  contactId: id,
  agentId: id,
});

export const contactTransferred = z
  .strictObject({
    ...envelope,
    type: z.literal('contact.transferred'),
    contactId: id,
    fromAgentId: id,
    toAgentId: id.optional(),
    toQueueId: id.optional(),
  })
  .refine((e) => (e.toAgentId === undefined) !== (e.toQueueId === undefined), {
    message: 'exactly one of toAgentId or toQueueId is required',
    path: ['toAgentId'],
  });

export const contactEnded = z.strictObject({
  ...envelope,
  type: z.literal('contact.ended'),
  contactId: id,
  agentId: id,
  talkSeconds: seconds,
  holdSeconds: seconds,
  wrapSeconds: seconds,
  resolved: z.boolean(),
});

export const contactAbandoned = z.strictObject({
  ...envelope,
  type: z.literal('contact.abandoned'),
  contactId: id,
});

export const surveyResponded = z
  .strictObject({
    ...envelope,
    type: z.literal('survey.responded'),
    contactId: id,
    csat: z.int().min(1).max(5).optional(),
    nps: z.int().min(0).max(10).optional(),
    resolved: z.boolean().optional(),
    comment: text.optional(),
  })
  .refine((e) => e.csat !== undefined || e.nps !== undefined || e.resolved !== undefined, {
    message: 'a survey response needs at least one score: csat, nps or resolved',
    path: ['csat'],
  });

export const qaEvaluated = z.strictObject({
  ...envelope,
  type: z.literal('qa.evaluated'),
  contactId: id,
  agentId: id,
  evaluatorId: id,
  score: z.number().finite().min(0).max(100),
  criticalFail: z.boolean(),
  notes: text.optional(),
});

export const complaintLogged = z.strictObject({
  ...envelope,
  type: z.literal('complaint.logged'),
  category: id,
  contactId: id.optional(),
  customerId: id.optional(),
  agentId: id.optional(),
  summary: text.optional(),
});

export const agentStateChanged = z.strictObject({
  ...envelope,
  type: z.literal('agent.state'),
  agentId: id,
  state: z.enum(AGENT_STATES),
});

export const EVENT_SCHEMAS = {
  'contact.offered': contactOffered,
  'contact.answered': contactAnswered,
  'contact.transferred': contactTransferred,
  'contact.ended': contactEnded,
  'contact.abandoned': contactAbandoned,
  'survey.responded': surveyResponded,
  'qa.evaluated': qaEvaluated,
  'complaint.logged': complaintLogged,
  'agent.state': agentStateChanged,
} as const;

export type EventType = keyof typeof EVENT_SCHEMAS;
export const EVENT_TYPES = Object.keys(EVENT_SCHEMAS) as EventType[];

export const frontlineEvent = z.discriminatedUnion('type', [
  contactOffered,
  contactAnswered,
  contactTransferred,
  contactEnded,
  contactAbandoned,
  surveyResponded,
  qaEvaluated,
  complaintLogged,
  agentStateChanged,
]);

export type FrontlineEvent = z.infer<typeof frontlineEvent>;
export type EventOf<T extends EventType> = Extract<FrontlineEvent, { type: T }>;

export interface EventIssue {
  /** Field path inside the event, e.g. `csat` or `occurredAt`; empty for the event as a whole. */
  path: string;
  reason: string;
}

export type EventValidation = { ok: true; event: FrontlineEvent } | { ok: false; issues: EventIssue[] };

/**
 * Validates one event with a plain reason per problem. The type is checked first, so an unknown type gives one
 * clear message instead of nine failed union branches.
 */
export function validateEvent(input: unknown): EventValidation {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, issues: [{ path: '', reason: 'an event must be a JSON object' }] };
  }
  const type = (input as { type?: unknown }).type;
  if (typeof type !== 'string') {
    return { ok: false, issues: [{ path: 'type', reason: 'required: one of ' + EVENT_TYPES.join(', ') }] };
  }
  if (!Object.hasOwn(EVENT_SCHEMAS, type)) {
    return {
      ok: false,
      issues: [{ path: 'type', reason: `unknown event type '${type.slice(0, 64)}'; expected one of ${EVENT_TYPES.join(', ')}` }],
    };
  }
  const parsed = EVENT_SCHEMAS[type as EventType].safeParse(input);
  if (parsed.success) return { ok: true, event: parsed.data };
  return { ok: false, issues: parsed.error.issues.map(toEventIssue) };
}

function toEventIssue(issue: z.core.$ZodIssue): EventIssue {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    return { path: issue.keys.join(','), reason: `unknown field(s) ${issue.keys.map((k) => `'${k}'`).join(', ')} for this event type` };
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    return { path, reason: `required field missing (expected ${issue.expected})` };
  }
  return { path, reason: issue.message };
}

/** The contact a event belongs to, where it names one: the key that binds late events to their contact's bucket. */
/** The free-text fields of each event type: masked on the way in, removed by retention and erasure. */
export const FREE_TEXT_FIELDS: Partial<Record<FrontlineEvent['type'], readonly string[]>> = {
  'survey.responded': ['comment'],
  'complaint.logged': ['summary'],
  'qa.evaluated': ['notes'],
};

export function contactIdOf(event: FrontlineEvent): string | undefined {
  switch (event.type) {
    case 'contact.offered':
    case 'contact.answered':
    case 'contact.transferred':
    case 'contact.ended':
    case 'contact.abandoned':
    case 'survey.responded':
    case 'qa.evaluated':
    case 'complaint.logged':
      return event.contactId;
    case 'agent.state':
      return undefined;
    default:
      return assertNever(event);
  }
}

export function agentIdOf(event: FrontlineEvent): string | undefined {
  switch (event.type) {
    case 'contact.answered':
    case 'contact.ended':
    case 'qa.evaluated':
    case 'agent.state':
    case 'complaint.logged':
      return event.agentId;
    case 'contact.transferred':
      return event.fromAgentId;
    case 'contact.offered':
    case 'contact.abandoned':
    case 'survey.responded':
      return undefined;
    default:
      return assertNever(event);
  }
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}

/** The pseudonymous customer an event names, where it names one (erasure by customer id starts from these). */
export function customerIdOf(event: FrontlineEvent): string | undefined {
  switch (event.type) {
    case 'contact.offered':
    case 'complaint.logged':
      return event.customerId;
    case 'contact.answered':
    case 'contact.transferred':
    case 'contact.ended':
    case 'contact.abandoned':
    case 'survey.responded':
    case 'qa.evaluated':
    case 'agent.state':
      return undefined;
    default:
      return assertNever(event);
  }
}
