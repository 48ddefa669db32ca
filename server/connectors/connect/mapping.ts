/**
 * Amazon Connect → contract v2 events: a PURE mapper (no I/O, no clock, no randomness; memory is the pipeline's).
 *
 * Record kinds (RawRecord.kind), each as the Amazon Connect documentation describes it:
 * - `ctr`: a contact record (contact trace record) from the instance's contact-record stream
 *   (Administrator Guide, "Contact records data model", https://docs.aws.amazon.com/connect/latest/adminguide/ctr-data-model.html);
 * - `contact-event`: an EventBridge "Amazon Connect Contact Event" (INITIATED, QUEUED, CONNECTED_TO_AGENT,
 *   DISCONNECTED, ...), the envelope or its `detail` ("Amazon Connect contact events",
 *   https://docs.aws.amazon.com/connect/latest/adminguide/contact-events.html);
 * - `agent-event`: an agent event stream record (STATE_CHANGE, HEART_BEAT, LOGIN, LOGOUT) ("Agent event streams data
 *   model", https://docs.aws.amazon.com/connect/latest/adminguide/agent-event-stream-model.html);
 * - `contact-lens`: a Contact Lens post-contact analysis file (./contact-lens.ts);
 * - `evaluation`: a contact evaluation (./evaluation.ts).
 *
 * CONTACT CHAINS AND REVISIONS. Connect gives every leg of a contact its own contact id and its own record: a transfer
 * (InitiationMethod TRANSFER), a queue transfer, a callback. The legs are linked by InitialContactId, PreviousContactId
 * and NextContactId. In Frontline they are ONE contact with legs, keyed on `InitialContactId ?? ContactId`. A record is
 * delivered at least once and again when it changes (Connect: "use the LastUpdateTimestamp property to determine if a
 * copy contains new data"). Contract v2's rule is that a contact's highest lifecycle revision replaces its whole
 * earlier set, so legs arriving separately (in any order, each possibly re-delivered) must not wipe each other.
 *
 * The design chosen: the mapper keeps the chain in its memory (`chain:<contact id>`: the latest version of each leg's
 * record, reduced to what the events need, and the legs' Contact Lens results) and every record of the chain emits
 * the WHOLE chain under one revision `r`, which rises by at least one whenever the chain changes:
 * `r = max(newest LastUpdateTimestamp of the legs in ms, previous r + 1)`. So the highest revision stored always holds
 * every leg known, in whichever order they came, and a revision number is never emitted with two different contents
 * (which the store would refuse as an id conflict). Every event's content depends on its own leg only (a transfer
 * event also names the previous leg's agent, which never changes), and the current source mapping is applied at each
 * emission, so a replay after a mapping change maps every leg again. A copy of the chain is kept under every leg's id
 * (a Contact Lens file or an evaluation names a leg, not the chain); all copies are written together.
 * EventBridge contact events are the live picture before the record exists: revision 0, below every record.
 *
 * Mapping (the source's tables first, then these defaults): agents by ARN or username (unmapped: the username);
 * queues by ARN or name (unmapped: the name; agent queues, which have no name: the ARN); channels VOICE/CHAT/EMAIL
 * (TASK is left for the admin to map); agent statuses Available/Offline/Break plus the activity Connect shows while
 * an agent is on a contact ("On contact") or in after-contact work ("After contact work"); wrap-up codes from contact
 * attributes (CONNECT_ATTRIBUTES), since Connect has no disposition field of its own.
 */
import { createHash } from 'node:crypto';
import type { Channel } from '../../../shared/channels.js';
import type { AgentState, SurveyAnswer, SurveyScale } from '../../../shared/events.js';
import { PLATFORM_INFO, type SourceMapping } from '../../../shared/sources.js';
import { answerProblem } from '../../../shared/surveys.js';
import { MappingRun, malformed } from '../common.js';
import type { MapContext, MapOutcome, MapperMemory, PlatformMapper, RawRecord } from '../types.js';
import { lensContactId, lensExt, readContactLens, type LensSnap } from './contact-lens.js';
import { evaluationKeys, readEvaluation } from './evaluation.js';
import { arnTail, FieldReader, got, isObject, iso, timeMs, type Json } from './fields.js';

export const CONNECT_RECORD_KINDS = ['ctr', 'contact-event', 'agent-event', 'contact-lens', 'evaluation'] as const;
export type ConnectRecordKind = (typeof CONNECT_RECORD_KINDS)[number];

/** Connect channels (contact record `Channel`; contact events send `Voice` too) → Frontline's. TASK: the admin's call. */
export const CONNECT_DEFAULT_CHANNELS: Readonly<Record<string, Channel>> = { VOICE: 'voice', CHAT: 'chat', EMAIL: 'email', voice: 'voice', chat: 'chat', email: 'email' };

/**
 * Connect agent statuses and activities → the five standard states. "Available" and "Offline" are Connect's built-in
 * statuses; "Break" the usual custom one (others such as Lunch or Training fall to Frontline's defaults). While an
 * agent has a contact connected the activity is "On contact", while it is ENDED (after-contact work) "After contact
 * work" (Administrator Guide, "About contact states": ENDED – the agent has started doing ACW for that contact).
 */
export const CONNECT_DEFAULT_STATES: Readonly<Record<string, AgentState>> = {
  Available: 'available',
  Offline: 'offline',
  Break: 'break',
  'On contact': 'busy',
  'After contact work': 'wrap',
};

/**
 * Contact attributes read from a contact record (`Attributes`), first name found wins. Connect has no wrap-up or
 * disposition field: centres set one as a contact attribute (a CCP customisation or the UpdateContactAttributes API,
 * which re-delivers the record). Survey answers: the AWS sample "Contact Surveys for Amazon Connect"
 * (github.com/aws-samples/amazon-connect-contact-surveys) stores `surveyId` and `survey_result_<n>` attributes.
 */
export const CONNECT_ATTRIBUTES = {
  wrapCode: ['disposition', 'wrapUpCode', 'Disposition', 'WrapUpCode'],
  customerId: ['customerId', 'CustomerId'],
  reason: ['contactReason', 'reason'],
  surveyProgramme: ['surveyId'],
  csat: ['csat', 'survey_result_1'],
  nps: ['nps'],
  surveyResolved: ['surveyResolved'],
  surveyComment: ['surveyComment'],
} as const;

/** The queue value a contact that never entered a queue is counted under (an IVR abandon): map it on the source. */
export const CONNECT_NO_QUEUE = 'no-queue';

const PREFIX = 'connect';
/** Initiation methods of contacts that were not offered to the centre: left out of Frontline's KPIs. */
const NOT_OFFERED = new Set(['OUTBOUND', 'EXTERNAL_OUTBOUND', 'AGENT_REPLY']);
/** Legs that are not a customer's: a supervisor's monitoring, a contact created by a disconnect flow. */
const NOT_A_LEG = new Set(['MONITOR', 'DISCONNECT']);
const CONNECTED_STATES = new Set(['CONNECTED', 'CONNECTED_ONHOLD']);
const AGENT_EVENT_TYPES = new Set(['STATE_CHANGE', 'HEART_BEAT', 'LOGIN', 'LOGOUT']);

/**
 * Which of Connect's records a JSON document is, by its documented fields (a Firehose record carries no type).
 * `undefined`: none of them.
 */
export function connectRecordKind(doc: unknown): ConnectRecordKind | undefined {
  if (!isObject(doc)) return undefined;
  if ('detail-type' in doc && isObject(doc.detail)) return doc['detail-type'] === 'Amazon Connect Contact Event' ? 'contact-event' : undefined;
  if ('AWSContactTraceRecordFormatVersion' in doc || ('ContactId' in doc && 'InitiationTimestamp' in doc && 'Channel' in doc)) return 'ctr';
  if ('EventType' in doc && 'AgentARN' in doc) return 'agent-event';
  if ('eventType' in doc && 'contactId' in doc) return 'contact-event';
  if (('Evaluation' in doc && 'EvaluationForm' in doc) || ('evaluationId' in doc && 'metadata' in doc)) return 'evaluation';
  if ('ConversationCharacteristics' in doc || ('Transcript' in doc && 'Participants' in doc)) return 'contact-lens';
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// The chain held in memory

/** One leg's contact record, reduced to what its events need (raw platform values: mapped at each emission). */
export interface LegSnap {
  id: string;
  /** LastUpdateTimestamp (ms): the newest version of a leg wins. */
  u: number;
  init: string;
  ch: string;
  start: number;
  prev?: string;
  next?: string;
  disc?: number;
  dr?: string;
  q?: { arn: string; name?: string; enq?: number; deq?: number; dur?: number };
  ag?: { arn: string; user?: string; conn: number; end?: number; talk: number; hold: number; holds: number; acw: number };
  sys?: string;
  cust?: string;
  reason?: string;
  codes: string[];
  xt?: string;
  xtAt?: number;
}

export interface ChainState {
  /** The chain's contact id (InitialContactId ?? ContactId); '' while only a Contact Lens result is held. */
  c: string;
  /** The revision last emitted for the chain's lifecycle. */
  r: number;
  legs: Record<string, LegSnap>;
  lens: Record<string, LensSnap>;
}

function chainKey(contactId: string): string {
  return `chain:${contactId}`;
}

function loadChain(memory: MapperMemory, contactId: string): ChainState | undefined {
  const v = memory.get(chainKey(contactId));
  if (!isObject(v) || typeof v.c !== 'string' || typeof v.r !== 'number' || !isObject(v.legs) || !isObject(v.lens)) return undefined;
  return v as unknown as ChainState;
}

/** Two copies of a chain, merged: per leg the newest record, per leg the redacted Contact Lens result first. */
function mergeChains(a: ChainState | undefined, b: ChainState | undefined): ChainState {
  const out: ChainState = { c: a?.c || b?.c || '', r: Math.max(a?.r ?? 0, b?.r ?? 0), legs: { ...a?.legs }, lens: { ...a?.lens } };
  for (const [id, leg] of Object.entries(b?.legs ?? {})) {
    const held = out.legs[id];
    if (held === undefined || leg.u > held.u) out.legs[id] = leg;
  }
  for (const [id, l] of Object.entries(b?.lens ?? {})) {
    const held = out.lens[id];
    if (held === undefined || (l.red && !held.red)) out.lens[id] = l;
  }
  return out;
}

/** What the chain says, independent of key order: equal signatures, equal events. */
function signature(s: ChainState | undefined): string {
  if (s === undefined) return '';
  const legs = Object.keys(s.legs).sort().map((k) => s.legs[k]);
  const lens = Object.keys(s.lens).sort().map((k) => [k, s.lens[k]]);
  return JSON.stringify([s.c, legs, lens]);
}

function newestUpdate(s: ChainState): number {
  let u = 0;
  for (const leg of Object.values(s.legs)) u = Math.max(u, leg.u);
  return u;
}

/** Writes the chain under its own id and every leg's. */
function saveChain(memory: MapperMemory, s: ChainState): void {
  const ids = new Set([s.c, ...Object.keys(s.legs)]);
  for (const id of ids) if (id) memory.set(chainKey(id), s);
}

// ---------------------------------------------------------------------------------------------------------------
// Mapping platform values with the source's tables

/** Per-record lookups, so each platform value is mapped (and listed as seen) once per record. */
class Lookups {
  private readonly agents = new Map<string, string>();
  private readonly queues = new Map<string, string>();

  constructor(readonly run: MappingRun) {}

  /** An agent by ARN or username; unmapped, their Connect username (Frontline's agent id by convention). */
  agent(arn: string, username: string | undefined): string {
    const key = `${arn}\u0000${username ?? ''}`;
    let v = this.agents.get(key);
    if (v === undefined) {
      const hit = this.run.agent(arn, username);
      const table = this.run.mapping.agents;
      v = username !== undefined && table[arn] === undefined && table[username] === undefined ? username : hit;
      this.agents.set(key, v);
    }
    return v;
  }

  /** A queue by ARN or name; unmapped, its name (agent queues have none: their ARN). */
  queue(arn: string, name: string | undefined): string {
    const key = `${arn}\u0000${name ?? ''}`;
    let v = this.queues.get(key);
    if (v === undefined) {
      const hit = this.run.queue(arn, name);
      const table = this.run.mapping.queues;
      v = name !== undefined && table[arn] === undefined && table[name] === undefined ? name : hit;
      this.queues.set(key, v);
    }
    return v;
  }
}

function isAgentQueue(arn: string): boolean {
  return arn.includes('/queue/agent/');
}

/** A contact attribute by the first of its names that is set. */
function attribute(attrs: Json | undefined, names: readonly string[]): string | undefined {
  if (attrs === undefined) return undefined;
  for (const n of names) {
    const v = attrs[n];
    if (typeof v === 'string' && v.trim() !== '') return v.trim();
  }
  return undefined;
}

/**
 * The customer, pseudonymous: a customer id the flow set as a contact attribute, else the customer endpoint (the
 * caller's number, a chat's or email's address) as `<type>-` + the first 20 hex digits of its SHA-256, so repeat
 * contacts link without Frontline storing the number.
 */
function customerOf(attrs: Json | undefined, endpoint: unknown): string | undefined {
  const given = attribute(attrs, CONNECT_ATTRIBUTES.customerId);
  if (given !== undefined) return given.slice(0, 200);
  if (!isObject(endpoint) || typeof endpoint.Address !== 'string' || endpoint.Address === '') return undefined;
  const type = typeof endpoint.Type === 'string' && endpoint.Type === 'TELEPHONE_NUMBER' ? 'tel' : 'cust';
  return `${type}-${createHash('sha256').update(endpoint.Address).digest('hex').slice(0, 20)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Contact records

type LegRead = { ok: true; leg: LegSnap; chainId: string; attrs: Json | undefined } | { ok: false; reasons: string[] };

/** Reads one contact record into a leg; every field problem at once. */
export function readLeg(body: unknown): LegRead {
  if (!isObject(body)) return { ok: false, reasons: ['contact record: expected a JSON object'] };
  const f = new FieldReader('contact record');
  const id = f.str(body, 'ContactId');
  const initial = f.optStr(body, 'InitialContactId');
  const leg: LegSnap = {
    id,
    u: f.time(body, 'LastUpdateTimestamp'),
    init: f.optStr(body, 'InitiationMethod') ?? 'INBOUND',
    ch: f.str(body, 'Channel'),
    start: f.time(body, 'InitiationTimestamp'),
    codes: [],
  };
  const prev = f.optStr(body, 'PreviousContactId');
  const next = f.optStr(body, 'NextContactId');
  const disc = f.optTime(body, 'DisconnectTimestamp');
  const dr = f.optStr(body, 'DisconnectReason');
  if (prev !== undefined) leg.prev = prev;
  if (next !== undefined) leg.next = next;
  if (disc !== undefined) leg.disc = disc;
  if (dr !== undefined) leg.dr = dr;
  const q = f.optObj(body, 'Queue');
  if (q !== undefined) {
    const snap: NonNullable<LegSnap['q']> = { arn: f.str(q, 'ARN', 'Queue.ARN') };
    const name = f.optStr(q, 'Name', 'Queue.Name');
    const enq = f.optTime(q, 'EnqueueTimestamp', 'Queue.EnqueueTimestamp');
    const deq = f.optTime(q, 'DequeueTimestamp', 'Queue.DequeueTimestamp');
    const dur = f.optCount(q, 'Duration', 'Queue.Duration');
    if (name !== undefined) snap.name = name;
    if (enq !== undefined) snap.enq = enq;
    if (deq !== undefined) snap.deq = deq;
    if (dur !== undefined) snap.dur = dur;
    leg.q = snap;
  }
  const a = f.optObj(body, 'Agent');
  if (a !== undefined) {
    const snap: NonNullable<LegSnap['ag']> = {
      arn: f.str(a, 'ARN', 'Agent.ARN'),
      conn: f.time(a, 'ConnectedToAgentTimestamp', 'Agent.ConnectedToAgentTimestamp'),
      talk: f.optCount(a, 'AgentInteractionDuration', 'Agent.AgentInteractionDuration') ?? 0,
      hold: f.optCount(a, 'CustomerHoldDuration', 'Agent.CustomerHoldDuration') ?? 0,
      holds: f.optCount(a, 'NumberOfHolds', 'Agent.NumberOfHolds') ?? 0,
      acw: f.optCount(a, 'AfterContactWorkDuration', 'Agent.AfterContactWorkDuration') ?? 0,
    };
    const user = f.optStr(a, 'Username', 'Agent.Username');
    const end = f.optTime(a, 'AfterContactWorkEndTimestamp', 'Agent.AfterContactWorkEndTimestamp');
    if (user !== undefined) snap.user = user;
    if (end !== undefined) snap.end = end;
    leg.ag = snap;
  }
  const attrs = f.optObj(body, 'Attributes');
  const sys = f.optObj(body, 'SystemEndpoint');
  if (sys && typeof sys.Address === 'string' && sys.Address !== '') leg.sys = sys.Address;
  const xt = f.optObj(body, 'TransferredToEndpoint');
  if (xt && typeof xt.Address === 'string' && xt.Address !== '') {
    leg.xt = xt.Address.slice(0, 200);
    const at = f.optTime(body, 'TransferCompletedTimestamp');
    if (at !== undefined) leg.xtAt = at;
  }
  if (f.problems.length > 0) return { ok: false, reasons: f.problems };
  const customer = customerOf(attrs, body.CustomerEndpoint);
  if (customer !== undefined) leg.cust = customer;
  const reason = attribute(attrs, CONNECT_ATTRIBUTES.reason);
  if (reason !== undefined) leg.reason = reason.slice(0, 200);
  const code = attribute(attrs, CONNECT_ATTRIBUTES.wrapCode);
  if (code !== undefined) leg.codes = [code.slice(0, 200)];
  return { ok: true, leg, chainId: initial ?? id, attrs };
}

/** Every lifecycle event of the chain, under revision `r`. */
function emitChain(s: ChainState, r: number, look: Lookups, source: string, warnings: string[]): Record<string, unknown>[] {
  const run = look.run;
  const initial = s.legs[s.c];
  if (initial !== undefined && NOT_OFFERED.has(initial.init)) {
    warnings.push(`contact ${s.c} was initiated ${initial.init}: Frontline counts contacts offered to the centre, so it is left out`);
    return [];
  }
  const out: Record<string, unknown>[] = [];
  const base = (id: string, type: string, at: number) => ({ id: `${PREFIX}:${id}`, type, occurredAt: iso(at), source, contactId: s.c, revision: r });
  if (initial !== undefined && !NOT_A_LEG.has(initial.init)) {
    const ivrAbandon = !initial.q && !initial.ag && !initial.next && initial.dr === 'CUSTOMER_DISCONNECT';
    if (initial.q || initial.ag || ivrAbandon) {
      const channel = run.channel(initial.ch, CONNECT_DEFAULT_CHANNELS);
      const queueId = initial.q ? look.queue(initial.q.arn, initial.q.name) : look.queue(CONNECT_NO_QUEUE, undefined);
      if (channel !== undefined) {
        out.push({
          ...base(`${initial.id}:offered`, 'contact.offered', initial.q?.enq ?? initial.start),
          channel,
          queueId,
          ...(initial.cust !== undefined ? { customerId: initial.cust } : {}),
          ...(initial.reason !== undefined ? { reason: initial.reason } : {}),
          ...(initial.init === 'CALLBACK' ? { callback: true } : {}),
        });
      }
      if (ivrAbandon) out.push({ ...base(`${initial.id}:abandoned`, 'contact.abandoned', initial.disc ?? initial.start), abandonedIn: 'ivr' });
    } else if (!initial.next) {
      warnings.push(`contact ${s.c} never entered a queue nor reached an agent (self-service, disconnect reason ${initial.dr ?? 'none'}): not an offered contact`);
    }
  }
  const legs = Object.values(s.legs)
    .filter((l) => !NOT_A_LEG.has(l.init))
    .sort((a, b) => a.start - b.start || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const leg of legs) {
    const isInitial = leg.id === s.c;
    if (leg.ag) {
      const agentId = look.agent(leg.ag.arn, leg.ag.user);
      out.push({
        ...base(`${leg.id}:answered`, 'contact.answered', leg.ag.conn),
        agentId,
        // The leg's own queue time is the contact's wait only on its first leg; later legs leave it to Frontline.
        ...(isInitial && leg.q?.dur !== undefined ? { waitSeconds: leg.q.dur } : {}),
      });
      const byCode = run.resolved(leg.codes);
      const lens = s.lens[leg.id];
      const ext: Record<string, unknown> = { connectContactId: leg.id };
      if (lens) ext.contactLens = lensExt(lens);
      out.push({
        ...base(`${leg.id}:ended`, 'contact.ended', leg.ag.end ?? leg.disc ?? leg.ag.conn),
        agentId,
        talkSeconds: leg.ag.talk,
        holdSeconds: leg.ag.hold,
        wrapSeconds: leg.ag.acw,
        holdCount: leg.ag.holds,
        // A leg that handed the customer on did not resolve the contact; the last leg's code decides.
        resolved: leg.next !== undefined || leg.xt !== undefined ? false : byCode,
        ...(!isInitial && leg.q && !isAgentQueue(leg.q.arn) ? { queueId: look.queue(leg.q.arn, leg.q.name) } : {}),
        ...(lens?.notes !== undefined ? { notes: lens.notes } : {}),
        ext,
      });
      if (leg.xt !== undefined) {
        out.push({ ...base(`${leg.id}:transferred-out`, 'contact.transferred', leg.xtAt ?? leg.disc ?? leg.ag.conn), fromAgentId: agentId, toExternal: leg.xt, kind: 'transfer' });
      }
    } else if (leg.q && !leg.next && leg.xt === undefined) {
      out.push({
        ...base(`${leg.id}:abandoned`, 'contact.abandoned', leg.q.deq ?? leg.disc ?? leg.start),
        abandonedIn: 'queue',
        ...(isInitial && leg.q.dur !== undefined ? { waitSeconds: leg.q.dur } : {}),
      });
    }
    const from = leg.init === 'TRANSFER' && leg.prev !== undefined ? s.legs[leg.prev] : undefined;
    if (from?.ag) {
      const fromAgentId = look.agent(from.ag.arn, from.ag.user);
      let to: Record<string, string> | undefined;
      if (leg.q && isAgentQueue(leg.q.arn) && leg.ag) to = { toAgentId: look.agent(leg.ag.arn, leg.ag.user) };
      else if (leg.q) to = { toQueueId: look.queue(leg.q.arn, leg.q.name) };
      else if (leg.ag) to = { toAgentId: look.agent(leg.ag.arn, leg.ag.user) };
      if (to) out.push({ ...base(`${leg.id}:transferred`, 'contact.transferred', leg.start), fromAgentId, ...to, kind: 'transfer' });
    }
  }
  return out;
}

/** A survey answered in the contact's flow (contact attributes), as `survey.responded` on the source's scale. */
function surveyOf(attrs: Json | undefined, leg: LegSnap, chainId: string, mapping: SourceMapping, source: string, warnings: string[]): Record<string, unknown> | undefined {
  const csat = attribute(attrs, CONNECT_ATTRIBUTES.csat);
  const nps = attribute(attrs, CONNECT_ATTRIBUTES.nps);
  const resolved = attribute(attrs, CONNECT_ATTRIBUTES.surveyResolved);
  if (csat === undefined && nps === undefined && resolved === undefined) return undefined;
  const scale: SurveyScale = mapping.surveyScale ?? PLATFORM_INFO.connect.defaultSurveyScale;
  const answers: SurveyAnswer[] = [];
  const add = (a: SurveyAnswer, raw: string) => {
    const problem = answerProblem(a);
    if (problem === null) answers.push(a);
    else warnings.push(`contact ${leg.id}: survey ${a.measure} answer ${JSON.stringify(raw)} left out: ${problem}`);
  };
  if (csat !== undefined) {
    const words = scale === 'good-bad' || scale === 'yes-no';
    add({ measure: 'csat', scale, value: words ? csat.toLowerCase() as SurveyAnswer['value'] : Number(csat) }, csat);
  }
  if (nps !== undefined) add({ measure: 'nps', scale: '0-10', value: Number(nps) }, nps);
  if (resolved !== undefined) {
    const v = resolved.toLowerCase();
    const yes = ['yes', 'y', 'true', '1'].includes(v);
    const no = ['no', 'n', 'false', '0'].includes(v);
    add({ measure: 'resolved', scale: 'yes-no', value: yes ? 'yes' : no ? 'no' : (v as 'yes') }, resolved);
  }
  if (answers.length === 0) return undefined;
  const programme = attribute(attrs, CONNECT_ATTRIBUTES.surveyProgramme);
  const comment = attribute(attrs, CONNECT_ATTRIBUTES.surveyComment);
  return {
    id: `${PREFIX}:${leg.id}:survey`,
    type: 'survey.responded',
    occurredAt: iso(leg.u),
    source,
    contactId: chainId,
    answers,
    // One response per chain and survey: the same answers on several legs' records count once, the newest wins.
    responseId: `${chainId}:${programme ?? 'survey'}`,
    revision: leg.u,
    ...(programme !== undefined ? { programmeId: programme.slice(0, 200) } : {}),
    ...(comment !== undefined ? { comment: comment.slice(0, 5_000) } : {}),
  };
}

function mapCtr(body: unknown, ctx: MapContext): MapOutcome {
  const read = readLeg(body);
  if (!read.ok) return malformed(...read.reasons);
  const { leg, chainId, attrs } = read;
  const held = loadChain(ctx.memory, chainId);
  const own = leg.id === chainId ? undefined : loadChain(ctx.memory, leg.id);
  const before = mergeChains(held, own);
  const next = mergeChains(before, { c: chainId, r: 0, legs: { [leg.id]: leg }, lens: {} });
  next.c = chainId;
  const changed = held === undefined || signature(next) !== signature(held);
  next.r = changed ? Math.max(newestUpdate(next), before.r + 1) : before.r;
  const run = new MappingRun(ctx.mapping, ctx.known);
  const look = new Lookups(run);
  const warnings: string[] = [];
  const events = emitChain(next, next.r, look, ctx.sourceId, warnings);
  // The survey comes from this record only (it has its own revision): nothing of it is kept in memory.
  if (!NOT_OFFERED.has(next.legs[chainId]?.init ?? '')) {
    const survey = surveyOf(attrs, leg, chainId, ctx.mapping, ctx.sourceId, warnings);
    if (survey) events.push(survey);
  }
  const outcome = run.finish(events, warnings);
  if (outcome.ok) {
    if (changed) saveChain(ctx.memory, next);
    learnNames(ctx.memory, leg);
  }
  return outcome;
}

/** Remembers usernames and queue names by id, for records that carry only ids (contact events, evaluations). */
function learnNames(memory: MapperMemory, leg: LegSnap): void {
  const user = leg.ag?.user;
  const uid = leg.ag ? arnTail(leg.ag.arn, 'agent') : undefined;
  if (user !== undefined && uid !== undefined && memory.get(`user:${uid}`) !== user) memory.set(`user:${uid}`, user);
  const name = leg.q?.name;
  if (leg.q && name !== undefined && memory.get(`queue:${leg.q.arn}`) !== name) memory.set(`queue:${leg.q.arn}`, name);
}

// ---------------------------------------------------------------------------------------------------------------
// Contact Lens

function mapLens(body: unknown, ctx: MapContext): MapOutcome {
  const read = readContactLens(body);
  if (!read.ok) return malformed(...read.reasons);
  if (!read.completed) return { ok: true, events: [], warnings: [`Contact Lens analysis of contact ${read.contactId} has not completed: nothing to keep`] };
  const legId = read.contactId;
  const held = loadChain(ctx.memory, legId) ?? { c: '', r: 0, legs: {}, lens: {} };
  const next = mergeChains(held, { c: '', r: 0, legs: {}, lens: { [legId]: read.snap } });
  const changed = signature(next) !== signature(held);
  const known = next.c !== '' && next.legs[legId] !== undefined;
  if (!known) {
    if (changed) ctx.memory.set(chainKey(legId), next);
    return { ok: true, events: [], warnings: [`Contact Lens analysis of contact ${legId} is held until its contact record arrives`] };
  }
  next.r = changed ? Math.max(newestUpdate(next), held.r + 1) : held.r;
  const run = new MappingRun(ctx.mapping, ctx.known);
  const warnings: string[] = [];
  const events = emitChain(next, next.r, new Lookups(run), ctx.sourceId, warnings);
  const outcome = run.finish(events, warnings);
  if (outcome.ok && changed) saveChain(ctx.memory, next);
  return outcome;
}

// ---------------------------------------------------------------------------------------------------------------
// Contact events (EventBridge): the live picture before the contact record

function contactDetail(body: unknown): Json | undefined {
  if (!isObject(body)) return undefined;
  return isObject(body.detail) ? body.detail : body;
}

function agentInfoOf(d: Json): { arn?: string; conn?: number } {
  const a = isObject(d.agentInfo) ? d.agentInfo : isObject(d.AgentInfo) ? d.AgentInfo : undefined;
  if (a === undefined) return {};
  const arn = typeof a.agentArn === 'string' ? a.agentArn : typeof a.AgentArn === 'string' ? a.AgentArn : undefined;
  const conn = timeMs(a.connectedToAgentTimestamp ?? a.ConnectedToAgentTimestamp);
  return { ...(arn ? { arn } : {}), ...(conn !== undefined ? { conn } : {}) };
}

function queueInfoOf(d: Json): { arn?: string; enq?: number } {
  const q = isObject(d.queueInfo) ? d.queueInfo : isObject(d.QueueInfo) ? d.QueueInfo : undefined;
  if (q === undefined) return {};
  const arn = typeof q.queueArn === 'string' ? q.queueArn : typeof q.QueueArn === 'string' ? q.QueueArn : undefined;
  const enq = timeMs(q.enqueueTimestamp ?? q.EnqueueTimestamp);
  return { ...(arn ? { arn } : {}), ...(enq !== undefined ? { enq } : {}) };
}

/** Live events carry revision 0: any contact record's events (revision ≥ its update time) replace them. */
const LIVE_REVISION = 0;

function mapContactEvent(body: unknown, ctx: MapContext): MapOutcome {
  const d = contactDetail(body);
  if (d === undefined) return malformed('contact event: expected a JSON object (the EventBridge event or its detail)');
  const f = new FieldReader('contact event');
  const type = f.str(d, 'eventType', 'detail.eventType');
  const contactId = f.str(d, 'contactId', 'detail.contactId');
  const initial = f.optStr(d, 'initialContactId', 'detail.initialContactId');
  const previous = f.optStr(d, 'previousContactId', 'detail.previousContactId');
  const method = f.optStr(d, 'initiationMethod', 'detail.initiationMethod') ?? 'INBOUND';
  const channelName = f.optStr(d, 'channel', 'detail.channel');
  const started = f.optTime(d, 'initiationTimestamp', 'detail.initiationTimestamp');
  const disconnected = f.optTime(d, 'disconnectTimestamp', 'detail.disconnectTimestamp');
  const eventTime = isObject(body) ? timeMs(body.time) : undefined;
  if (f.problems.length > 0) return malformed(...f.problems);
  const chainId = initial ?? contactId;
  const firstLeg = chainId === contactId && previous === undefined && method !== 'TRANSFER' && method !== 'QUEUE_TRANSFER';
  if (NOT_OFFERED.has(method) || NOT_A_LEG.has(method)) return { ok: true, events: [] };
  const run = new MappingRun(ctx.mapping, ctx.known);
  const look = new Lookups(run);
  const queue = queueInfoOf(d);
  const agent = agentInfoOf(d);
  const base = (part: string, t: string, at: number) => ({ id: `${PREFIX}:${contactId}:${part}`, type: t, occurredAt: iso(at), source: ctx.sourceId, contactId: chainId, revision: LIVE_REVISION });
  const events: Record<string, unknown>[] = [];
  const queueId = () => (queue.arn === undefined ? undefined : look.queue(queue.arn, nameIn(ctx.memory, `queue:${queue.arn}`)));
  switch (type) {
    case 'QUEUED': {
      if (!firstLeg) break;
      const q = queueId();
      const at = queue.enq ?? eventTime ?? started;
      if (q === undefined) return malformed(`contact event detail.queueInfo.queueArn: expected the queue's ARN on a QUEUED event, got ${got(d.queueInfo ?? d.QueueInfo)}`);
      if (channelName === undefined) return malformed('contact event detail.channel: expected VOICE, CHAT, TASK or EMAIL on a QUEUED event, got nothing');
      if (at === undefined) return malformed('contact event detail.queueInfo.enqueueTimestamp: expected an ISO-8601 date-time, got nothing');
      const channel = run.channel(channelName, CONNECT_DEFAULT_CHANNELS);
      if (channel !== undefined) events.push({ ...base(`live-offered:${at}`, 'contact.offered', at), channel, queueId: q, ...(method === 'CALLBACK' ? { callback: true } : {}) });
      break;
    }
    case 'CONNECTED_TO_AGENT': {
      const at = agent.conn ?? eventTime;
      if (agent.arn === undefined || at === undefined) return malformed('contact event detail.agentInfo: expected agentArn and connectedToAgentTimestamp on a CONNECTED_TO_AGENT event');
      const uid = arnTail(agent.arn, 'agent');
      const username = uid === undefined ? undefined : nameIn(ctx.memory, `user:${uid}`);
      if (username === undefined && ctx.mapping.agents[agent.arn] === undefined) {
        // Contact events carry only the agent's ARN: until a contact record or agent event has named the agent,
        // counting the answer would credit an ARN. The contact record will say who it was.
        return { ok: true, events: [], warnings: [`contact ${contactId}: agent ${agent.arn} is not known by name yet; the contact record will credit the answer`] };
      }
      const agentId = look.agent(agent.arn, username);
      const wait = firstLeg && queue.enq !== undefined ? Math.max(0, (at - queue.enq) / 1000) : undefined;
      events.push({ ...base('live-answered', 'contact.answered', at), agentId, ...(wait !== undefined ? { waitSeconds: wait } : {}) });
      break;
    }
    case 'DISCONNECTED': {
      // Not answered and waiting in a queue: abandoned (provisional until the contact record says otherwise).
      const at = disconnected ?? eventTime;
      if (!firstLeg || agent.arn !== undefined || queue.arn === undefined || at === undefined) break;
      const wait = queue.enq !== undefined ? Math.max(0, (at - queue.enq) / 1000) : undefined;
      events.push({ ...base('live-abandoned', 'contact.abandoned', at), abandonedIn: 'queue', ...(wait !== undefined ? { waitSeconds: wait } : {}) });
      break;
    }
    default:
      // INITIATED, CONNECTED_TO_SYSTEM and later kinds: nothing Frontline counts (the record follows).
      break;
  }
  return run.finish(events);
}

function nameIn(memory: MapperMemory, key: string): string | undefined {
  const v = memory.get(key);
  return typeof v === 'string' ? v : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Agent event stream

function mapAgentEvent(body: unknown, ctx: MapContext): MapOutcome {
  if (!isObject(body)) return malformed('agent event: expected a JSON object');
  const f = new FieldReader('agent event');
  const type = f.str(body, 'EventType');
  if (type !== '' && !AGENT_EVENT_TYPES.has(type)) f.fail('EventType', 'one of STATE_CHANGE, HEART_BEAT, LOGIN, LOGOUT', type);
  const arn = f.str(body, 'AgentARN');
  const eventId = f.str(body, 'EventId');
  const at = f.time(body, 'EventTimestamp');
  const snapshot = f.optObj(body, 'CurrentAgentSnapshot');
  if (snapshot === undefined && type !== 'LOGOUT') f.fail('CurrentAgentSnapshot', 'the agent snapshot (AgentStatus, Configuration, Contacts)', body.CurrentAgentSnapshot);
  const config = snapshot ? f.optObj(snapshot, 'Configuration', 'CurrentAgentSnapshot.Configuration') : undefined;
  const username = config ? f.optStr(config, 'Username', 'CurrentAgentSnapshot.Configuration.Username') : undefined;
  let name = 'Offline';
  if (type !== 'LOGOUT' && snapshot !== undefined) {
    const contacts = Array.isArray(snapshot.Contacts) ? snapshot.Contacts : [];
    const states = contacts.map((c) => (isObject(c) ? c.State : undefined));
    if (states.some((s) => typeof s === 'string' && CONNECTED_STATES.has(s))) name = 'On contact';
    else if (states.includes('ENDED')) name = 'After contact work';
    else {
      const status = f.optObj(snapshot, 'AgentStatus', 'CurrentAgentSnapshot.AgentStatus');
      name = status ? f.str(status, 'Name', 'CurrentAgentSnapshot.AgentStatus.Name') : '';
      if (status === undefined) f.fail('CurrentAgentSnapshot.AgentStatus', 'an object with the status Name', snapshot.AgentStatus);
    }
  }
  if (f.problems.length > 0) return malformed(...f.problems);
  const uid = arnTail(arn, 'agent');
  const known = username ?? (uid === undefined ? undefined : nameIn(ctx.memory, `user:${uid}`));
  // Heartbeats (every 120 s) and configuration changes repeat the state: only a change of activity is an event.
  const lastKey = `agent:${arn}`;
  const last = ctx.memory.get(lastKey);
  const held = isObject(last) && typeof last.n === 'string' && typeof last.t === 'number' ? { n: last.n, t: last.t } : undefined;
  if (held !== undefined && held.t <= at && held.n === name) return { ok: true, events: [] };
  const run = new MappingRun(ctx.mapping, ctx.known);
  const look = new Lookups(run);
  const agentId = look.agent(arn, known);
  const state = run.state(name, CONNECT_DEFAULT_STATES);
  const events = state === undefined ? [] : [{ id: `${PREFIX}:agent:${eventId}`, type: 'agent.state', occurredAt: iso(at), source: ctx.sourceId, agentId, state, stateName: name.slice(0, 100) }];
  const outcome = run.finish(events);
  if (outcome.ok) {
    // A late event (older than the one held) is stored for the timeline but does not move the held state.
    if (held === undefined || at >= held.t) ctx.memory.set(lastKey, { n: name, t: at });
    if (username !== undefined && uid !== undefined && nameIn(ctx.memory, `user:${uid}`) !== username) ctx.memory.set(`user:${uid}`, username);
  }
  return outcome;
}

// ---------------------------------------------------------------------------------------------------------------
// Contact evaluations

function mapEvaluation(body: unknown, ctx: MapContext): MapOutcome {
  const read = readEvaluation(body);
  if (!read.ok) return malformed(...read.reasons);
  const e = read.value;
  if (!e.submitted) return { ok: true, events: [], warnings: [`evaluation ${e.evaluationId} is a draft: only submitted evaluations count`] };
  if (e.score === null) return { ok: true, events: [], warnings: [`evaluation ${e.evaluationId} has no score (scoring is not enabled on its form, or nothing scored was answered)`] };
  const chain = loadChain(ctx.memory, e.contactId);
  const contactId = chain?.c || e.contactId;
  const legAgent = chain?.legs[e.contactId]?.ag;
  const username = (e.agentUserId !== undefined ? nameIn(ctx.memory, `user:${e.agentUserId}`) : undefined) ?? legAgent?.user;
  const arn = e.agentUserId !== undefined && e.instanceArn !== undefined ? `${e.instanceArn}/agent/${e.agentUserId}` : legAgent?.arn;
  const run = new MappingRun(ctx.mapping, ctx.known);
  const platformId = arn ?? e.agentUserId;
  if (platformId === undefined) return { ok: false, reason: 'unmapped', reasons: [`evaluation ${e.evaluationId} names no agent (Metadata.ContactAgentId) and its contact record has not arrived: replay it once the contact record is in`] };
  const table = ctx.mapping.agents;
  const mappedById = table[platformId] !== undefined || (e.agentUserId !== undefined && table[e.agentUserId] !== undefined);
  if (username === undefined && !mappedById) {
    run.agent(platformId);
    return {
      ok: false,
      reason: 'unmapped',
      reasons: [`evaluation ${e.evaluationId}: agent user ${e.agentUserId ?? platformId} is not known yet (usernames are learnt from contact records and agent events): replay it after the agent's contact record arrives, or map the agent's ARN on the source's agent mapping`],
      seen: run.seen,
    };
  }
  let agentId: string;
  const byUserId = e.agentUserId === undefined ? undefined : table[e.agentUserId];
  if (e.agentUserId !== undefined && byUserId !== undefined) {
    run.agent(e.agentUserId, username);
    agentId = byUserId;
  } else agentId = new Lookups(run).agent(platformId, username);
  const evaluatorId = e.evaluatorName ?? (e.evaluatorUserId !== undefined ? (nameIn(ctx.memory, `user:${e.evaluatorUserId}`) ?? e.evaluatorUserId) : 'connect-evaluator');
  return run.finish([
    {
      id: `${PREFIX}:evaluation:${e.evaluationId}`,
      type: 'qa.evaluated',
      occurredAt: iso(e.revisionMs),
      source: ctx.sourceId,
      contactId,
      agentId,
      evaluatorId,
      score: e.score,
      criticalFail: e.criticalFail,
      evaluationId: e.evaluationId,
      revision: e.revisionMs,
      ...(e.notes !== undefined ? { notes: e.notes } : {}),
      ext: e.ext,
    },
  ]);
}

// ---------------------------------------------------------------------------------------------------------------
// The mapper

function ctrKeys(body: unknown): string[] {
  if (!isObject(body) || typeof body.ContactId !== 'string') return [];
  const id = body.ContactId;
  const chain = typeof body.InitialContactId === 'string' && body.InitialContactId !== '' ? body.InitialContactId : id;
  const keys = [chainKey(chain)];
  if (chain !== id) keys.push(chainKey(id));
  const agent = isObject(body.Agent) && typeof body.Agent.ARN === 'string' ? arnTail(body.Agent.ARN, 'agent') : undefined;
  if (agent !== undefined) keys.push(`user:${agent}`);
  if (isObject(body.Queue) && typeof body.Queue.ARN === 'string') keys.push(`queue:${body.Queue.ARN}`);
  return keys;
}

export const connectMapper: PlatformMapper = {
  platform: 'connect',

  recordKey(record: RawRecord): string {
    const b = record.body;
    if (!isObject(b)) return '(not an object)';
    switch (record.kind) {
      case 'ctr':
        return typeof b.ContactId === 'string' ? b.ContactId : '(no ContactId)';
      case 'contact-event': {
        const d = contactDetail(b);
        return d && typeof d.contactId === 'string' ? d.contactId : '(no contactId)';
      }
      case 'agent-event': {
        const config = isObject(b.CurrentAgentSnapshot) && isObject(b.CurrentAgentSnapshot.Configuration) ? b.CurrentAgentSnapshot.Configuration : {};
        return typeof config.Username === 'string' ? config.Username : typeof b.AgentARN === 'string' ? b.AgentARN : '(no AgentARN)';
      }
      case 'contact-lens':
        return lensContactId(b) ?? '(no ContactId)';
      case 'evaluation':
        return evaluationKeys(b).evaluationId ?? '(no evaluation id)';
      default:
        return '(unknown record)';
    }
  },

  memoryKeys(record: RawRecord): string[] {
    const b = record.body;
    switch (record.kind) {
      case 'ctr':
        return ctrKeys(b);
      case 'contact-event': {
        const d = contactDetail(b);
        if (d === undefined) return [];
        const keys: string[] = [];
        const uid = agentInfoOf(d).arn;
        const tail = uid === undefined ? undefined : arnTail(uid, 'agent');
        if (tail !== undefined) keys.push(`user:${tail}`);
        const q = queueInfoOf(d).arn;
        if (q !== undefined) keys.push(`queue:${q}`);
        return keys;
      }
      case 'agent-event': {
        if (!isObject(b) || typeof b.AgentARN !== 'string') return [];
        const uid = arnTail(b.AgentARN, 'agent');
        return [`agent:${b.AgentARN}`, ...(uid !== undefined ? [`user:${uid}`] : [])];
      }
      case 'contact-lens': {
        const id = lensContactId(b);
        return id === undefined ? [] : [chainKey(id)];
      }
      case 'evaluation': {
        const k = evaluationKeys(b);
        return [
          ...(k.contactId !== undefined ? [chainKey(k.contactId)] : []),
          ...(k.agentUserId !== undefined ? [`user:${k.agentUserId}`] : []),
          ...(k.evaluatorUserId !== undefined ? [`user:${k.evaluatorUserId}`] : []),
        ];
      }
      default:
        return [];
    }
  },

  map(record: RawRecord, ctx: MapContext): MapOutcome {
    try {
      switch (record.kind) {
        case 'ctr':
          return mapCtr(record.body, ctx);
        case 'contact-event':
          return mapContactEvent(record.body, ctx);
        case 'agent-event':
          return mapAgentEvent(record.body, ctx);
        case 'contact-lens':
          return mapLens(record.body, ctx);
        case 'evaluation':
          return mapEvaluation(record.body, ctx);
        default: {
          const b = record.body;
          if (isObject(b) && typeof b.error === 'string' && record.kind === 'unreadable') return malformed(`record: ${b.error}`);
          const fields = isObject(b) ? `an object with fields ${Object.keys(b).slice(0, 8).join(', ') || '(none)'}` : got(b);
          return malformed(
            `record: expected an Amazon Connect contact record, agent event, EventBridge contact event, Contact Lens analysis or contact evaluation, got ${fields}`,
          );
        }
      }
    } catch (err) {
      // Never throw from map: a record that breaks the reader is the record's problem, shown in the dead letters.
      return malformed(`record could not be read: ${err instanceof Error ? err.message : String(err)}`);
    }
  },
};
