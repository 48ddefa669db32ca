/**
 * The stored event model, and public event contract v1 (DOMAIN.md section 8).
 *
 * Contract v1 is stable for integrators: its objects are strict, so a misspelt field (`csta` for `csat`) is rejected
 * with its path instead of being silently dropped. Contract v2 (shared/contract-v2.ts) is what real platforms send;
 * it is normalised into these same stored events, whose v2-only fields (revision, legs, survey scales, extension
 * fields...) are all optional and come last, so a v1 event is stored byte for byte as before (test/unit/canonical.test.ts).
 */
import { z } from 'zod';
import { CHANNELS, type Channel } from './channels.js';

export const EVENT_CONTRACT_VERSION = 1;
export const MAX_ID_LENGTH = 128;
export const MAX_TEXT_LENGTH = 5_000;
/** A week: no single contact phase is longer; larger values are data errors. */
export const MAX_DURATION_SECONDS = 7 * 24 * 3600;

// Channels live in a zod-free module the client's pages import without the event schemas.
export { CHANNELS, type Channel } from './channels.js';
export const ASYNC_CHANNELS: readonly Channel[] = ['email', 'messaging'];

export const AGENT_STATES = ['available', 'busy', 'wrap', 'break', 'offline'] as const;
export type AgentState = (typeof AGENT_STATES)[number];

export const id = z
  .string()
  .min(1, 'must not be empty')
  .max(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`);
/** Ids in contract v2 and the directory: a platform's ARN can be several hundred characters. */
export const MAX_ID_LENGTH_V2 = 512;
export const idV2 = z
  .string()
  .min(1, 'must not be empty')
  .max(MAX_ID_LENGTH_V2, `must be at most ${MAX_ID_LENGTH_V2} characters`);
/** A stored event's own id: a v2 id, or one derived from a contact record (`<contactId>@<revision>#<part>`). */
const storedEventId = z.string().min(1).max(MAX_ID_LENGTH_V2 + 64);
/** Extension fields: what a platform sent that the contract does not know, kept on the stored event. */
export const MAX_EXT_BYTES = 8_192;
/**
 * Any JSON values (an event arrives as parsed JSON, so every value is one). Not `z.json()`: that schema is recursive,
 * and a recursive schema anywhere in an event made zod memoise every parse of every event type (a third of ingest's
 * validation time). The size limit is checked by contract v2 (shared/contract-v2.ts).
 */
export const ext = z.record(z.string().max(200), z.unknown());
/**
 * A revision of a contact's lifecycle or of a survey response: a sequence number, or the platform's update time as
 * epoch milliseconds. The highest revision wins; events of lower revisions change nothing.
 */
export const revision = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
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
  id: storedEventId,
  occurredAt: isoWithOffset,
  source: idV2.optional(),
};

/** Optional v2 fields every stored event may carry, last so v1 payloads keep their exact form. */
const tail = { ext: ext.optional() };
/** Contact lifecycle events (offered, answered, transferred, ended, abandoned) may carry a revision. */
const lifecycleTail = { revision: revision.optional(), ...tail };

/** Where a contact was abandoned: in the IVR (before it entered a queue; not offered) or in the queue. */
export const ABANDON_PLACES = ['ivr', 'queue'] as const;
export const TRANSFER_KINDS = ['transfer', 'consult', 'conference'] as const;
export type TransferKind = (typeof TRANSFER_KINDS)[number];

export const contactOffered = z.strictObject({
  ...envelope,
  type: z.literal('contact.offered'),
  contactId: idV2,
  channel: z.enum(CHANNELS),
  queueId: idV2,
  customerId: idV2.optional(),
  reason: idV2.optional(),
  /** A callback the customer asked for instead of waiting (counted like any other contact, and shown as callbacks). */
  callback: z.boolean().optional(),
  ...lifecycleTail,
});

export const contactAnswered = z.strictObject({
  ...envelope,
  type: z.literal('contact.answered'),
  contactId: idV2,
  agentId: idV2,
  /** The wait as the platform measured it; when given it is used instead of answered time − offered time. */
  waitSeconds: seconds.optional(),
  ...lifecycleTail,
});

export const contactTransferred = z
  .strictObject({
    ...envelope,
    type: z.literal('contact.transferred'),
    contactId: idV2,
    fromAgentId: idV2,
    toAgentId: idV2.optional(),
    toQueueId: idV2.optional(),
    /** A transfer out of the centre: a phone number or a label; nobody here handles the rest. */
    toExternal: z.string().min(1).max(200).optional(),
    kind: z.enum(TRANSFER_KINDS).optional(),
    ...lifecycleTail,
  })
  .refine((e) => [e.toAgentId, e.toQueueId, e.toExternal].filter((x) => x !== undefined).length === 1, {
    message: 'exactly one of toAgentId, toQueueId or toExternal is required',
    path: ['toAgentId'],
  });

export const contactEnded = z.strictObject({
  ...envelope,
  type: z.literal('contact.ended'),
  contactId: idV2,
  /** The agent who handled this leg: its talk, hold and wrap count for them. */
  agentId: idV2,
  talkSeconds: seconds,
  holdSeconds: seconds,
  wrapSeconds: seconds,
  resolved: z.boolean(),
  /** How many times the customer was put on hold in this leg. */
  holdCount: z.int().min(0).max(1_000).optional(),
  /** The queue this leg was handled for, when a transfer moved the contact to another queue. */
  queueId: idV2.optional(),
  /**
   * The leg's wrap-up notes or a transcript (or its excerpt), when the source has one (v2): what a QA evaluator reads
   * beside the card. Free text: masked on the way in, removed by retention and erasure like a survey comment.
   */
  notes: text.optional(),
  ...lifecycleTail,
});

export const contactAbandoned = z.strictObject({
  ...envelope,
  type: z.literal('contact.abandoned'),
  contactId: idV2,
  waitSeconds: seconds.optional(),
  abandonedIn: z.enum(ABANDON_PLACES).optional(),
  ...lifecycleTail,
});

/** Survey scales (shared/surveys.ts maps each to the KPI definitions). */
export const SURVEY_SCALES = ['1-5', '1-10', '0-10', 'good-bad', 'yes-no'] as const;
export type SurveyScale = (typeof SURVEY_SCALES)[number];
export const SURVEY_MEASURES = ['csat', 'nps', 'resolved'] as const;
export type SurveyMeasure = (typeof SURVEY_MEASURES)[number];

export const surveyAnswer = z.strictObject({
  measure: z.enum(SURVEY_MEASURES),
  scale: z.enum(SURVEY_SCALES),
  value: z.union([z.number().finite(), z.enum(['good', 'bad', 'yes', 'no'])]),
});
export type SurveyAnswer = z.infer<typeof surveyAnswer>;

export const surveyOffered = z.strictObject({
  ...envelope,
  type: z.literal('survey.offered'),
  contactId: idV2,
  /** The survey programme (post-call, post-chat, ...): one offer per programme and contact. */
  programmeId: idV2.optional(),
  ...tail,
});

export const surveyResponded = z
  .strictObject({
    ...envelope,
    type: z.literal('survey.responded'),
    contactId: idV2,
    csat: z.int().min(1).max(5).optional(),
    nps: z.int().min(0).max(10).optional(),
    resolved: z.boolean().optional(),
    comment: text.optional(),
    programmeId: idV2.optional(),
    /** The platform's response id: a later revision of the same response replaces the earlier rating. */
    responseId: idV2.optional(),
    /** Scores on the programme's own scale. */
    answers: z.array(surveyAnswer).min(1).max(10).optional(),
    revision: revision.optional(),
    ...tail,
  })
  .refine((e) => e.csat !== undefined || e.nps !== undefined || e.resolved !== undefined || e.answers !== undefined, {
    message: 'a survey response needs at least one score: csat, nps, resolved or answers',
    path: ['csat'],
  });

export const qaEvaluated = z.strictObject({
  ...envelope,
  type: z.literal('qa.evaluated'),
  contactId: idV2,
  agentId: idV2,
  evaluatorId: idV2,
  score: z.number().finite().min(0).max(100),
  criticalFail: z.boolean(),
  notes: text.optional(),
  /**
   * The evaluation this is a version of (v2): an evaluation amended after a dispute is sent again under the same
   * evaluationId with a higher revision, and only its highest revision counts (as for a survey response's responseId).
   */
  evaluationId: idV2.optional(),
  revision: revision.optional(),
  ...tail,
});

export const complaintLogged = z.strictObject({
  ...envelope,
  type: z.literal('complaint.logged'),
  category: idV2,
  contactId: idV2.optional(),
  customerId: idV2.optional(),
  agentId: idV2.optional(),
  summary: text.optional(),
  ...tail,
});

export const agentStateChanged = z.strictObject({
  ...envelope,
  type: z.literal('agent.state'),
  agentId: idV2,
  state: z.enum(AGENT_STATES),
  /** The platform's own name for the state ("Lunch"), when it was mapped to one of the five. */
  stateName: z.string().min(1).max(100).optional(),
  ...tail,
});

export const EVENT_SCHEMAS = {
  'contact.offered': contactOffered,
  'contact.answered': contactAnswered,
  'contact.transferred': contactTransferred,
  'contact.ended': contactEnded,
  'contact.abandoned': contactAbandoned,
  'survey.offered': surveyOffered,
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
  surveyOffered,
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

/** Contract v1's event types: `survey.offered` came with v2. */
export const V1_EVENT_TYPES: readonly EventType[] = EVENT_TYPES.filter((t) => t !== 'survey.offered');
/** Fields that came with contract v2 (v1 refuses them, pointing at v2). */
export const V2_ONLY_FIELDS = ['revision', 'ext', 'callback', 'waitSeconds', 'toExternal', 'kind', 'holdCount', 'abandonedIn', 'programmeId', 'responseId', 'answers', 'stateName', 'evaluationId'] as const;
const V2_QUEUE_ON_ENDED = 'queueId';
/** `notes` is v1 on a QA evaluation, v2 on a contact's end. */
const V2_NOTES_ON_ENDED = 'notes';
/** Id fields contract v1 holds to MAX_ID_LENGTH (v2 allows MAX_ID_LENGTH_V2). */
export const V1_ID_FIELDS = ['id', 'source', 'contactId', 'queueId', 'customerId', 'reason', 'agentId', 'fromAgentId', 'toAgentId', 'toQueueId', 'evaluatorId', 'category'] as const;

/**
 * Validates one event in its stored form (which contract v2 normalises to) with a plain reason per problem. The type
 * is checked first, so an unknown type gives one clear message instead of ten failed union branches. With
 * `{ contract: 1 }` it holds the event to contract v1 exactly: v1 types, v1 fields and ids of at most 128 characters.
 */
export function validateEvent(input: unknown, opts: { contract?: 1 } = {}): EventValidation {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, issues: [{ path: '', reason: 'an event must be a JSON object' }] };
  }
  const types = opts.contract === 1 ? V1_EVENT_TYPES : EVENT_TYPES;
  const type = (input as { type?: unknown }).type;
  if (typeof type !== 'string') {
    return { ok: false, issues: [{ path: 'type', reason: 'required: one of ' + types.join(', ') }] };
  }
  if (!Object.hasOwn(EVENT_SCHEMAS, type) || !types.includes(type as EventType)) {
    const hint = Object.hasOwn(EVENT_SCHEMAS, type) ? ` ('${type}' needs contract v2: POST /api/v2/events)` : '';
    return {
      ok: false,
      issues: [{ path: 'type', reason: `unknown event type '${type.slice(0, 64)}'; expected one of ${types.join(', ')}${hint}` }],
    };
  }
  if (opts.contract === 1) {
    const v1Issues = v1Only(input as Record<string, unknown>, type);
    if (v1Issues.length > 0) return { ok: false, issues: v1Issues };
  }
  const parsed = EVENT_SCHEMAS[type as EventType].safeParse(input, { reportInput: true });
  if (parsed.success) return { ok: true, event: parsed.data };
  return { ok: false, issues: parsed.error.issues.map(toEventIssue) };
}

function v1Only(input: Record<string, unknown>, type: string): EventIssue[] {
  const issues: EventIssue[] = [];
  const v2 = V2_ONLY_FIELDS.filter((f) => Object.hasOwn(input, f));
  if (type === 'contact.ended' && Object.hasOwn(input, V2_QUEUE_ON_ENDED)) v2.push(V2_QUEUE_ON_ENDED as never);
  if (type === 'contact.ended' && Object.hasOwn(input, V2_NOTES_ON_ENDED)) v2.push(V2_NOTES_ON_ENDED as never);
  if (v2.length > 0) {
    issues.push({ path: v2.join(','), reason: `unknown field(s) ${v2.map((k) => `'${k}'`).join(', ')} for this event type in contract v1 (they are part of contract v2: POST /api/v2/events)` });
  }
  for (const f of V1_ID_FIELDS) {
    const v = input[f];
    if (typeof v === 'string' && v.length > MAX_ID_LENGTH) issues.push({ path: f, reason: `must be at most ${MAX_ID_LENGTH} characters in contract v1 (v2 allows ${MAX_ID_LENGTH_V2})` });
  }
  return issues;
}

/** A value's JSON type, as a sender would name it. */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

export function toEventIssue(issue: z.core.$ZodIssue): EventIssue {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    return { path: issue.keys.join(','), reason: `unknown field(s) ${issue.keys.map((k) => `'${k}'`).join(', ')} for this event type` };
  }
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return { path, reason: `required field missing (expected ${issue.expected})` };
    return { path, reason: `expected ${issue.expected}, got ${jsonTypeOf(issue.input)} ${shown(issue.input)}` };
  }
  if (issue.code === 'invalid_value' && issue.input !== undefined) {
    return { path, reason: `${issue.message}; got ${shown(issue.input)}` };
  }
  return { path, reason: issue.message };
}

/** The contact a event belongs to, where it names one: the key that binds late events to their contact's bucket. */
/** The free-text fields of each event type: masked on the way in, removed by retention and erasure. */
export const FREE_TEXT_FIELDS: Partial<Record<FrontlineEvent['type'], readonly string[]>> = {
  'survey.responded': ['comment'],
  'complaint.logged': ['summary'],
  'qa.evaluated': ['notes'],
  'contact.ended': ['notes'],
};

export function contactIdOf(event: FrontlineEvent): string | undefined {
  switch (event.type) {
    case 'contact.offered':
    case 'contact.answered':
    case 'contact.transferred':
    case 'contact.ended':
    case 'contact.abandoned':
    case 'survey.offered':
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
    case 'survey.offered':
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
    case 'survey.offered':
    case 'survey.responded':
    case 'qa.evaluated':
    case 'agent.state':
      return undefined;
    default:
      return assertNever(event);
  }
}

/** The contact lifecycle: the events a revision of a contact replaces as a set. */
export const LIFECYCLE_TYPES = ['contact.offered', 'contact.answered', 'contact.transferred', 'contact.ended', 'contact.abandoned'] as const;
export type LifecycleEvent = EventOf<(typeof LIFECYCLE_TYPES)[number]>;

export function isLifecycle(event: FrontlineEvent): event is LifecycleEvent {
  return (LIFECYCLE_TYPES as readonly string[]).includes(event.type);
}

/**
 * What a revision replaces, and in which order revisions rank: a contact's lifecycle (`c:` + contact id) or one
 * survey response (`s:` + contact id + response id). Undefined for events that are never revised.
 */
export function revisionKeyOf(event: FrontlineEvent): string | undefined {
  if (isLifecycle(event)) return `c:${event.contactId}`;
  if (event.type === 'survey.responded' && event.responseId !== undefined) return `s:${event.contactId}:${event.responseId}`;
  if (event.type === 'qa.evaluated' && event.evaluationId !== undefined) return `q:${event.contactId}:${event.evaluationId}`;
  return undefined;
}

/** A survey response's revision: its own, else its time (a later rating replaces an earlier one). */
export function revisionOf(event: FrontlineEvent): number | undefined {
  if (event.type === 'survey.responded') return event.responseId === undefined ? undefined : (event.revision ?? Date.parse(event.occurredAt));
  if (event.type === 'qa.evaluated') return event.evaluationId === undefined ? undefined : (event.revision ?? Date.parse(event.occurredAt));
  return isLifecycle(event) ? event.revision : undefined;
}
