/**
 * Public event contract v2: what real contact-centre platforms send, normalised into the stored events of
 * shared/events.ts (README "Event contract v2", field by field).
 *
 * v2 is v1 made looser where that is safe, and richer where platforms need it:
 * - ids up to 512 characters; `occurredAt` as ISO-8601 with an offset or as epoch milliseconds;
 * - `revision` on a contact's lifecycle events and on a survey response (a sequence number, or the platform's update
 *   time as epoch milliseconds or ISO-8601): the highest revision wins; an event with a revision is stored under
 *   `<id>@r<revision>`, so an honest re-send of a later revision under the same id is never a conflict;
 * - legs (`contact.ended.agentId` per leg, transfers to an agent, a queue or an external number, consults,
 *   conferences), survey programmes on their own scales, `survey.offered`, hold counts, IVR abandons, callbacks and a
 *   wait supplied by the platform;
 * - custom agent states ("Lunch") mapped onto the five standard ones by configuration, the original name kept;
 * - fields the contract does not know are kept in `ext` (at most MAX_EXT_BYTES of JSON) with a warning, not refused.
 *
 * A v1 event is a valid v2 event with the same meaning (test/integration/contract-v2.test.ts pins it: a simulated day through both gives identical figures).
 */
import {
  AGENT_STATES,
  EVENT_SCHEMAS,
  EVENT_TYPES,
  MAX_EXT_BYTES,
  revisionKeyOf,
  revisionOf,
  validateEvent,
  type AgentState,
  type EventIssue,
  type EventType,
  type FrontlineEvent,
} from './events.js';
import { answerProblem } from './surveys.js';

export const EVENT_CONTRACT_V2 = 2;

/**
 * Default mapping of platform agent states (lower-cased, spaces and punctuation folded to one space) to the five
 * standard ones. A centre adds its own with FRONTLINE_AGENT_STATES (JSON object, e.g. {"Team huddle":"break"}).
 */
export const DEFAULT_STATE_MAP: Readonly<Record<string, AgentState>> = {
  ready: 'available',
  idle: 'available',
  routable: 'available',
  'on queue': 'available',
  'on contact': 'busy',
  'on call': 'busy',
  talking: 'busy',
  interacting: 'busy',
  communicating: 'busy',
  'after call work': 'wrap',
  'after contact work': 'wrap',
  acw: 'wrap',
  'wrap up': 'wrap',
  wrapup: 'wrap',
  lunch: 'break',
  meal: 'break',
  training: 'break',
  meeting: 'break',
  coaching: 'break',
  'not ready': 'break',
  away: 'break',
  unavailable: 'break',
  'logged out': 'offline',
  'signed out': 'offline',
  'off queue': 'offline',
};

export function foldStateName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
}

export interface ContractV2Options {
  /** Extra platform state names → standard states (merged over DEFAULT_STATE_MAP). */
  stateMap?: Readonly<Record<string, AgentState>>;
}

export type V2Normalised = { ok: true; event: FrontlineEvent; warnings: string[] } | { ok: false; issues: EventIssue[] };

/** Earliest and latest epoch-millisecond times accepted (2000 to 2100): a seconds value sent by mistake is refused. */
export const EPOCH_MIN_MS = Date.UTC(2000, 0, 1);
export const EPOCH_MAX_MS = Date.UTC(2100, 0, 1);

function epochToIso(value: number, path: string): string | EventIssue {
  if (!Number.isInteger(value) || value < EPOCH_MIN_MS || value >= EPOCH_MAX_MS) {
    const hint = value > 0 && value * 1000 >= EPOCH_MIN_MS && value * 1000 < EPOCH_MAX_MS ? ' (this looks like seconds; send milliseconds)' : '';
    return { path, reason: `expected epoch milliseconds between 2000 and 2100 or an ISO-8601 date-time with an offset, got number ${value}${hint}` };
  }
  return new Date(value).toISOString();
}

/** The fields each event type's schema knows (its strict shape). */
const KNOWN_FIELDS: Record<EventType, ReadonlySet<string>> = Object.fromEntries(
  EVENT_TYPES.map((t) => {
    const schema = EVENT_SCHEMAS[t] as unknown as { shape?: Record<string, unknown>; def?: { in?: { shape?: Record<string, unknown> } } };
    const shape = schema.shape ?? schema.def?.in?.shape ?? {};
    return [t, new Set(Object.keys(shape))];
  }),
) as unknown as Record<EventType, ReadonlySet<string>>;

export function knownFieldsOf(type: EventType): ReadonlySet<string> {
  return KNOWN_FIELDS[type];
}

/**
 * Normalises one v2 event to its stored form and validates it. Warnings say what was kept in `ext`; issues say what
 * was expected and what came. A revised event's id gets its revision suffix (the ingest result carries the stored id).
 */
export function normaliseV2(input: unknown, opts: ContractV2Options = {}): V2Normalised {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, issues: [{ path: '', reason: `an event must be a JSON object, got ${input === null ? 'null' : Array.isArray(input) ? 'array' : typeof input}` }] };
  }
  const raw = input as Record<string, unknown>;
  const type = raw.type;
  if (typeof type !== 'string' || !Object.hasOwn(EVENT_SCHEMAS, type)) {
    const v = validateEvent(input);
    return v.ok ? { ...v, warnings: [] } : v;
  }
  const known = KNOWN_FIELDS[type as EventType];
  const warnings: string[] = [];
  const issues: EventIssue[] = [];
  const out: Record<string, unknown> = {};
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (known.has(k)) out[k] = v;
    else extra[k] = v;
  }
  const extraKeys = Object.keys(extra);
  if (extraKeys.length > 0) {
    const given = out.ext;
    if (given !== undefined && (typeof given !== 'object' || given === null || Array.isArray(given))) {
      issues.push({ path: 'ext', reason: `expected an object of extension fields, got ${given === null ? 'null' : Array.isArray(given) ? 'array' : typeof given}` });
    } else {
      out.ext = { ...(given as Record<string, unknown> | undefined), ...extra };
      warnings.push(`field(s) ${extraKeys.map((k) => `'${k}'`).join(', ')} are not in contract v2 for ${type}; kept in ext`);
    }
  }
  if (out.ext !== undefined) {
    const bytes = new TextEncoder().encode(JSON.stringify(out.ext) ?? '').length;
    if (bytes > MAX_EXT_BYTES) issues.push({ path: 'ext', reason: `extension fields may take at most ${MAX_EXT_BYTES} bytes of JSON; these take ${bytes}` });
  }
  if (typeof out.occurredAt === 'number') {
    const iso = epochToIso(out.occurredAt, 'occurredAt');
    if (typeof iso === 'string') out.occurredAt = iso;
    else issues.push(iso);
  }
  if (typeof out.revision === 'string') {
    const ms = Date.parse(out.revision);
    if (Number.isNaN(ms) || !/[zZ]|[+-]\d\d:?\d\d$/.test(out.revision)) issues.push({ path: 'revision', reason: `expected a whole number or an ISO-8601 update time with an offset, got string ${JSON.stringify(out.revision.slice(0, 40))}` });
    else out.revision = ms;
  }
  if (type === 'agent.state' && typeof out.state === 'string' && !(AGENT_STATES as readonly string[]).includes(out.state)) {
    const name = out.state;
    const mapped = opts.stateMap?.[name] ?? mapFolded(opts.stateMap, name) ?? DEFAULT_STATE_MAP[foldStateName(name)];
    if (mapped) {
      out.state = mapped;
      out.stateName ??= name.slice(0, 100);
    } else {
      issues.push({ path: 'state', reason: `unknown agent state ${JSON.stringify(name.slice(0, 60))}: expected one of ${AGENT_STATES.join(', ')}, or a name mapped to one of them (FRONTLINE_AGENT_STATES)` });
    }
  }
  if (type === 'survey.responded' && Array.isArray(out.answers)) {
    out.answers.forEach((a: unknown, i) => {
      if (typeof a !== 'object' || a === null) return;
      const p = answerProblem(a as Parameters<typeof answerProblem>[0]);
      if (p !== null && typeof (a as { measure?: unknown }).measure === 'string' && typeof (a as { scale?: unknown }).scale === 'string') issues.push({ path: `answers.${i}.value`, reason: p });
    });
  }
  const v = validateEvent(out);
  if (issues.length > 0) {
    // Every problem at once: what the schema says of the fields not already reported above.
    const seen = new Set(issues.map((i) => i.path));
    return { ok: false, issues: [...issues, ...(v.ok ? [] : v.issues.filter((i) => !seen.has(i.path)))] };
  }
  if (!v.ok) return v;
  // The result's id is the stored one (`<id>@r<revision>` for a revised event): it says so without a warning.
  return { ok: true, event: withRevisionId(v.event), warnings };
}

function mapFolded(map: Readonly<Record<string, AgentState>> | undefined, name: string): AgentState | undefined {
  if (!map) return undefined;
  const folded = foldStateName(name);
  for (const [k, v] of Object.entries(map)) if (foldStateName(k) === folded) return v;
  return undefined;
}

/** An event with a revision is stored under `<id>@r<revision>`: each revision is its own stored event. */
export function withRevisionId(event: FrontlineEvent): FrontlineEvent {
  if (revisionKeyOf(event) === undefined) return event;
  const r = revisionOf(event);
  if (r === undefined) return event;
  const suffix = `@r${r}`;
  return event.id.endsWith(suffix) ? event : { ...event, id: event.id + suffix };
}

/** Parses FRONTLINE_AGENT_STATES: a JSON object of platform state names to standard states. */
export function parseStateMap(text: string | undefined): Record<string, AgentState> {
  if (text === undefined || text.trim() === '') return {};
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('FRONTLINE_AGENT_STATES must be a JSON object of state names to one of ' + AGENT_STATES.join(', '));
  const out: Record<string, AgentState> = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (typeof v !== 'string' || !(AGENT_STATES as readonly string[]).includes(v)) throw new Error(`FRONTLINE_AGENT_STATES: '${k}' maps to ${JSON.stringify(v)}; expected one of ${AGENT_STATES.join(', ')}`);
    out[k] = v as AgentState;
  }
  return out;
}
