/**
 * The simulated centre as Genesys Cloud would show it (issue 16), and a stand-in Genesys Cloud API serving it:
 * - `genesysConversations(events)`: the simulator's stored events → conversation detail records, in the shapes of
 *   POST /api/v2/analytics/conversations/details/query (see mapping.ts for the documentation they follow);
 * - `genesysEvaluations(events)`: the simulated QA evaluations → Quality API evaluation records;
 * - `startGenesysStandIn(opts)`: a local HTTP server speaking the documented token and query API (client credentials
 *   grant, bearer tokens that expire, paging, interval and id filters, 429 with Retry-After, 5xx), used by the tests
 *   and by `npm run simulate -- --as genesys`. Given `now`, it serves every conversation as it stood at that instant
 *   (segments not begun yet hidden, open segments without an end): in-progress conversations, as the real API has.
 *
 * How the simulated events become Genesys records (round-trip tested in test/unit/connectors/genesys):
 * - a contact is a conversation (`conversationId` a UUID derived from the contact id), with a `customer` participant,
 *   an `acd` participant per queue it waited in (participantName = the Frontline queue id, queueId a UUID), and an
 *   `agent` participant per leg (userId a UUID, participantName = the Frontline agent id);
 * - a leg's talk, hold and wrap are its interact, hold and wrapup segments (a hold sits between two interact
 *   segments), resolved is the wrap-up code (GENESYS_SIM_WRAP_CODES), the wait is the `tAnswered` metric;
 * - the simulator emits no `contact.ended` for a leg that transferred the customer on (only the transfer itself):
 *   that leg's interact segment runs from its answer to the transfer, with no after-call work;
 * - a simulated survey (CSAT 1–5) is a completed web survey whose `surveyPromoterScore` (0–10) carries it:
 *   1 → 0, 2 → 3, 3 → 5, 4 → 8, 5 → 10, so "satisfied" (4–5 of 5; 8–10 of 10) is unchanged. The record has one score,
 *   so the simulated NPS and "was it resolved" answers are not carried;
 * - complaints and agent states have no place in a conversation detail record and are not carried.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Channel } from '../../../shared/channels.js';
import type { Directory } from '../../../shared/directory.js';
import type { EventOf, FrontlineEvent } from '../../../shared/events.js';
import type { SourceMapping } from '../../../shared/sources.js';
import { EMPTY_MAPPING } from '../../../shared/sources.js';
import type { GenesysAnalyticsEvaluation, GenesysConversation, GenesysEvaluation, GenesysMetric, GenesysParticipant, GenesysSegment, GenesysSession, GenesysSurvey } from './mapping.js';

/** A UUID derived from a name (SHA-1, version 5 layout): the same simulated id always gives the same platform id. */
export function simUuid(name: string): string {
  const h = createHash('sha1').update(`frontline-genesys:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

export const genesysConversationId = (contactId: string): string => simUuid(`conversation:${contactId}`);
export const genesysUserId = (agentId: string): string => simUuid(`user:${agentId}`);
export const genesysQueueId = (queueId: string): string => simUuid(`queue:${queueId}`);

/** The two wrap-up codes the simulated centre uses (ids, as the analytics records carry them). */
export const GENESYS_SIM_WRAP_CODES = { resolved: simUuid('wrapup:resolved'), unresolved: simUuid('wrapup:unresolved') } as const;
export const GENESYS_SIM_SURVEY_FORM = simUuid('survey-form:post-contact');
/** The simulated CSAT (1–5) as a 0–10 survey score, keeping satisfied (4–5) satisfied (8–10). */
export const CSAT_AS_0_10: Readonly<Record<number, number>> = { 1: 0, 2: 3, 3: 5, 4: 8, 5: 10 };

/**
 * The source mapping that makes the simulated centre's records map back to it: agents and queues by their readable
 * names (participantName = the Frontline id), the unresolved wrap-up code.
 */
export function genesysSimMapping(directory: Directory): SourceMapping {
  return {
    ...EMPTY_MAPPING,
    agents: Object.fromEntries(directory.agents.map((a) => [a.id, a.id])),
    queues: Object.fromEntries(directory.queues.map((q) => [q.id, q.id])),
    wrapCodes: { [GENESYS_SIM_WRAP_CODES.unresolved]: false, [GENESYS_SIM_WRAP_CODES.resolved]: true },
  };
}

const MEDIA: Record<Channel, string> = { voice: 'voice', chat: 'chat', email: 'email', messaging: 'message' };
const iso = (t: number): string => new Date(t).toISOString();
const seg = (segmentType: string, start: number, end: number, extra: Partial<GenesysSegment> = {}): GenesysSegment => ({ segmentStart: iso(start), segmentEnd: iso(end), segmentType, ...extra });
const met = (name: string, value: number, at: number): GenesysMetric => ({ name, value: Math.round(value), emitDate: iso(at) });

interface SimContact {
  offered?: EventOf<'contact.offered'>;
  answered: EventOf<'contact.answered'>[];
  transferred: EventOf<'contact.transferred'>[];
  ended: EventOf<'contact.ended'>[];
  abandoned?: EventOf<'contact.abandoned'>;
  surveys: EventOf<'survey.responded'>[];
  qa: EventOf<'qa.evaluated'>[];
}

function byContact(events: readonly FrontlineEvent[]): Map<string, SimContact> {
  const out = new Map<string, SimContact>();
  const get = (id: string): SimContact => {
    let c = out.get(id);
    if (!c) out.set(id, (c = { answered: [], transferred: [], ended: [], surveys: [], qa: [] }));
    return c;
  };
  for (const e of events) {
    switch (e.type) {
      case 'contact.offered':
        get(e.contactId).offered = e;
        break;
      case 'contact.answered':
        get(e.contactId).answered.push(e);
        break;
      case 'contact.transferred':
        get(e.contactId).transferred.push(e);
        break;
      case 'contact.ended':
        get(e.contactId).ended.push(e);
        break;
      case 'contact.abandoned':
        get(e.contactId).abandoned = e;
        break;
      case 'survey.responded':
        get(e.contactId).surveys.push(e);
        break;
      case 'qa.evaluated':
        get(e.contactId).qa.push(e);
        break;
      case 'survey.offered':
      case 'complaint.logged':
      case 'agent.state':
        break;
      default:
        e satisfies never;
    }
  }
  return out;
}

const t = (e: { occurredAt: string }): number => Date.parse(e.occurredAt);

function acdParticipant(key: string, media: string, queueId: string, start: number, end: number, waitMs: number, outcome: 'answered' | 'abandoned'): GenesysParticipant {
  return {
    participantId: simUuid(`participant:${key}`),
    participantName: queueId,
    purpose: 'acd',
    sessions: [{
      sessionId: simUuid(`session:${key}`),
      mediaType: media,
      direction: 'inbound',
      segments: [seg('interact', start, end, { queueId: genesysQueueId(queueId), disconnectType: outcome === 'answered' ? 'transfer' : 'peer' })],
      metrics: [met('nOffered', 1, start), ...(outcome === 'answered' ? [met('tAcd', waitMs, end)] : [met('tAbandon', waitMs, end)])],
    }],
  };
}

/** The simulator's stored events as Genesys Cloud conversation detail records (one per contact that was offered). */
export function genesysConversations(events: readonly FrontlineEvent[]): GenesysConversation[] {
  const out: GenesysConversation[] = [];
  for (const [contactId, c] of byContact(events)) {
    const o = c.offered;
    if (!o) continue;
    const convId = genesysConversationId(contactId);
    const media = MEDIA[o.channel];
    const sync = o.channel === 'voice' || o.channel === 'chat';
    const offeredMs = t(o);
    const participants: GenesysParticipant[] = [];
    const customer: GenesysParticipant = {
      participantId: simUuid(`participant:${contactId}:customer`),
      participantName: 'Customer',
      purpose: 'customer',
      ...(o.customerId ? { externalContactId: simUuid(`customer:${o.customerId}`) } : {}),
      sessions: [{ sessionId: simUuid(`session:${contactId}:customer`), mediaType: media, direction: 'inbound', segments: [], metrics: [] }],
    };
    participants.push(customer);
    let endMs = offeredMs;
    let customerEnd = offeredMs;
    let lastAgent: string | undefined;
    let lastQueue = o.queueId;
    let open = false;

    if (c.abandoned) {
      const at = t(c.abandoned);
      participants.push(acdParticipant(`${contactId}:acd:0`, media, o.queueId, offeredMs, at, at - offeredMs, 'abandoned'));
      endMs = customerEnd = at;
    } else {
      const final = c.ended[c.ended.length - 1];
      const transfer = c.transferred[0];
      // The leg that transferred the customer on (the simulator transfers at most once), then the final leg.
      let queueStart = offeredMs;
      let queueKey = 0;
      if (transfer) {
        const at = t(transfer);
        const answered = c.answered.find((a) => a.agentId === transfer.fromAgentId && t(a) <= at);
        const start = sync && answered ? t(answered) : at;
        participants.push(acdParticipant(`${contactId}:acd:${queueKey++}`, media, o.queueId, queueStart, start, start - queueStart, 'answered'));
        participants.push(agentParticipant(`${contactId}:leg:0`, media, transfer.fromAgentId, start - queueStart, [
          seg('interact', start, at, { queueId: genesysQueueId(o.queueId), disconnectType: 'transfer' }),
          seg('wrapup', at, at, { queueId: genesysQueueId(o.queueId) }),
        ]));
        queueStart = at;
        lastQueue = transfer.toQueueId ?? o.queueId;
        endMs = customerEnd = at;
      }
      if (final) {
        const end = t(final);
        const talk = final.talkSeconds * 1000;
        const hold = final.holdSeconds * 1000;
        const wrap = final.wrapSeconds * 1000;
        const start = end - talk - hold - wrap;
        const q = genesysQueueId(lastQueue);
        participants.push(acdParticipant(`${contactId}:acd:${queueKey}`, media, lastQueue, queueStart, start, start - queueStart, 'answered'));
        const half = Math.round(talk / 2);
        const segments = hold > 0
          ? [seg('interact', start, start + half, { queueId: q }), seg('hold', start + half, start + half + hold, { queueId: q }), seg('interact', start + half + hold, start + talk + hold, { queueId: q, disconnectType: 'peer' })]
          : [seg('interact', start, start + talk, { queueId: q, disconnectType: 'peer' })];
        segments.push(seg('wrapup', start + talk + hold, end, { queueId: q, wrapUpCode: final.resolved ? GENESYS_SIM_WRAP_CODES.resolved : GENESYS_SIM_WRAP_CODES.unresolved }));
        // Asynchronous channels: the simulator's "answered" is the first reply, the agent session's first response.
        const reply = sync ? undefined : c.answered.find((a) => a.agentId === final.agentId && t(a) >= start);
        participants.push(agentParticipant(`${contactId}:leg:1`, media, final.agentId, start - queueStart, segments, reply ? t(reply) : undefined, { talk, hold, wrap }));
        lastAgent = final.agentId;
        endMs = end;
        customerEnd = start + talk + hold;
      } else {
        // Still in progress where the simulated events stop: waiting in the queue, or with an agent.
        open = true;
        const answered = sync ? c.answered.filter((a) => t(a) >= queueStart).at(-1) : undefined;
        const acd = acdParticipant(`${contactId}:acd:${queueKey}`, media, lastQueue, queueStart, answered ? t(answered) : queueStart, answered ? t(answered) - queueStart : 0, 'answered');
        if (!answered) {
          const only = acd.sessions?.[0];
          if (only) {
            only.segments = [{ segmentStart: iso(queueStart), segmentType: 'interact', queueId: genesysQueueId(lastQueue) }];
            only.metrics = [met('nOffered', 1, queueStart)];
          }
        }
        participants.push(acd);
        if (answered) {
          participants.push(agentParticipant(`${contactId}:leg:1`, media, answered.agentId, t(answered) - queueStart, [{ segmentStart: answered.occurredAt, segmentType: 'interact', queueId: genesysQueueId(lastQueue) }]));
        }
      }
    }
    const customerSegment = seg('interact', offeredMs, customerEnd, { disconnectType: c.abandoned ? 'endpoint' : 'peer' });
    if (open) {
      delete customerSegment.segmentEnd;
      delete customerSegment.disconnectType;
    }
    (customer.sessions?.[0]?.segments as GenesysSegment[]).push(customerSegment);

    const conv: GenesysConversation = {
      conversationId: convId,
      conversationStart: iso(offeredMs),
      originatingDirection: 'inbound',
      participants,
    };
    if (!open) conv.conversationEnd = iso(Math.max(endMs, customerEnd));
    if (c.surveys.length > 0) {
      conv.surveys = c.surveys.map((s): GenesysSurvey => ({
        surveyId: simUuid(`survey:${s.id}`),
        surveyFormId: GENESYS_SIM_SURVEY_FORM,
        surveyFormContextId: GENESYS_SIM_SURVEY_FORM,
        surveyFormName: 'Post-contact survey',
        surveyType: 'Web',
        surveyStatus: 'Finished',
        eventTime: iso(endMs),
        surveyCompletedDate: s.occurredAt,
        surveyPromoterScore: CSAT_AS_0_10[s.csat ?? 3] ?? 5,
        queueId: genesysQueueId(lastQueue),
        ...(lastAgent ? { userId: genesysUserId(lastAgent) } : {}),
      }));
    }
    if (c.qa.length > 0) {
      conv.evaluations = c.qa.map((q): GenesysAnalyticsEvaluation => ({
        evaluationId: simUuid(`evaluation:${q.id}`),
        evaluatorId: simUuid(`user:${q.evaluatorId}`),
        userId: genesysUserId(q.agentId),
        eventTime: q.occurredAt,
        evaluationStatus: 'Finished',
        deleted: false,
        rescored: false,
        formName: 'Quality form',
        oTotalScore: q.score,
      }));
    }
    out.push(conv);
  }
  return out;
}

function agentParticipant(key: string, media: string, agentId: string, waitMs: number, segments: GenesysSegment[], firstReplyMs?: number, times?: { talk: number; hold: number; wrap: number }): GenesysParticipant {
  const start = Date.parse((segments[0] as GenesysSegment).segmentStart);
  const metrics: GenesysMetric[] = [met('tAnswered', waitMs, start)];
  if (firstReplyMs !== undefined) metrics.push(met('tAgentResponseTime', firstReplyMs - start, firstReplyMs));
  if (times) {
    const talkEnd = start + times.talk + times.hold;
    metrics.push(met('tTalk', times.talk, talkEnd), met('tTalkComplete', times.talk, talkEnd));
    if (times.hold > 0) metrics.push(met('tHeld', times.hold, talkEnd), met('tHeldComplete', times.hold, talkEnd));
    metrics.push(met('tAcw', times.wrap, talkEnd + times.wrap), met('tHandle', times.talk + times.hold + times.wrap, talkEnd + times.wrap));
  }
  const session: GenesysSession = { sessionId: simUuid(`session:${key}`), mediaType: media, direction: 'inbound', segments, metrics };
  return { participantId: simUuid(`participant:${key}`), participantName: agentId, purpose: 'agent', userId: genesysUserId(agentId), sessions: [session] };
}

/** The simulated QA evaluations as Quality API evaluation records (GET .../conversations/{id}/evaluations/{id}). */
export function genesysEvaluations(events: readonly FrontlineEvent[]): GenesysEvaluation[] {
  const offered = new Map<string, string>();
  for (const e of events) if (e.type === 'contact.offered') offered.set(e.contactId, e.occurredAt);
  const out: GenesysEvaluation[] = [];
  for (const e of events) {
    if (e.type !== 'qa.evaluated') continue;
    out.push({
      id: simUuid(`evaluation:${e.id}`),
      conversation: { id: genesysConversationId(e.contactId) },
      agent: { id: genesysUserId(e.agentId), name: e.agentId },
      evaluator: { id: simUuid(`user:${e.evaluatorId}`), name: e.evaluatorId },
      status: 'FINISHED',
      answers: { totalScore: e.score, anyFailedKillQuestions: e.criticalFail, ...(e.notes ? { comments: e.notes } : {}) },
      createdDate: e.occurredAt,
      submittedDate: e.occurredAt,
      releaseDate: e.occurredAt,
      changedDate: e.occurredAt,
      ...(offered.has(e.contactId) ? { conversationDate: offered.get(e.contactId) } : {}),
    });
  }
  return out;
}

// ---- A conversation as it stood at an instant. ----

/** The conversation as the API would have shown it at `nowMs`: undefined if it had not started. */
export function conversationAsOf(c: GenesysConversation, nowMs: number): GenesysConversation | undefined {
  if (Date.parse(c.conversationStart) > nowMs) return undefined;
  if (c.conversationEnd !== undefined && Date.parse(c.conversationEnd) <= nowMs && !laterThan(c, nowMs)) return c;
  const participants: GenesysParticipant[] = [];
  for (const p of c.participants) {
    const sessions: GenesysSession[] = [];
    for (const s of p.sessions ?? []) {
      const segments = (s.segments ?? []).filter((x) => Date.parse(x.segmentStart) <= nowMs).map((x) => {
        if (x.segmentEnd === undefined || Date.parse(x.segmentEnd) <= nowMs) return x;
        const { segmentEnd: _end, disconnectType: _d, wrapUpCode: _w, wrapUpNote: _n, ...open } = x;
        return open;
      });
      if (segments.length === 0) continue;
      sessions.push({ ...s, segments, metrics: (s.metrics ?? []).filter((m) => m.emitDate === undefined || Date.parse(m.emitDate) <= nowMs) });
    }
    if (sessions.length > 0) participants.push({ ...p, sessions });
  }
  const { conversationEnd, surveys, evaluations, ...rest } = c;
  const out: GenesysConversation = { ...rest, participants };
  if (conversationEnd !== undefined && Date.parse(conversationEnd) <= nowMs) out.conversationEnd = conversationEnd;
  const sv = (surveys ?? []).filter((s) => s.eventTime === undefined || Date.parse(s.eventTime) <= nowMs).map((s) => {
    if (s.surveyCompletedDate === undefined || Date.parse(s.surveyCompletedDate) <= nowMs) return s;
    const { surveyCompletedDate: _c, surveyPromoterScore: _p, ...pending } = s;
    return { ...pending, surveyStatus: 'Sent' };
  });
  if (sv.length > 0) out.surveys = sv;
  const ev = (evaluations ?? []).filter((e) => e.eventTime === undefined || Date.parse(e.eventTime) <= nowMs);
  if (ev.length > 0) out.evaluations = ev;
  return out;
}

function laterThan(c: GenesysConversation, nowMs: number): boolean {
  return (c.surveys ?? []).some((s) => (s.eventTime !== undefined && Date.parse(s.eventTime) > nowMs) || (s.surveyCompletedDate !== undefined && Date.parse(s.surveyCompletedDate) > nowMs))
    || (c.evaluations ?? []).some((e) => e.eventTime !== undefined && Date.parse(e.eventTime) > nowMs);
}

// ---- The stand-in API. ----

export interface GenesysFault {
  /** Which calls fail: the token endpoint, the details query, the evaluation GET, or any. */
  on: 'token' | 'query' | 'evaluation' | 'any';
  status: number;
  /** How many calls in a row fail (default 1). */
  times?: number;
  /** For 429: the Retry-After header, in seconds. */
  retryAfterSeconds?: number;
}

export interface GenesysStandInOptions {
  conversations: readonly unknown[];
  evaluations?: readonly unknown[];
  clientId: string;
  clientSecret: string;
  port?: number;
  /** Largest pageSize accepted (default 100); a larger one is answered 400. */
  maxPageSize?: number;
  /** Tokens' expires_in (default 86399 s, a day less a second). */
  tokenTtlSeconds?: number;
  /** Serve the conversations as they stood at this instant (default: as given). Token expiry follows it too. */
  now?: () => number;
  faults?: GenesysFault[];
}

export interface GenesysStandInRequest {
  method: string;
  path: string;
  body: unknown;
  status: number;
}

export interface GenesysStandIn {
  baseUrl: string;
  /** Every request answered, in order. */
  requests: GenesysStandInRequest[];
  /** Adds conversations, or replaces those with the same conversationId (a later state of one in progress). */
  add(conversations: readonly unknown[]): void;
  addEvaluations(evaluations: readonly unknown[]): void;
  /** Queues failures for the next matching calls. */
  fault(f: GenesysFault): void;
  /** Revokes every token issued: the next data call is answered 401. */
  expireTokens(): void;
  close(): Promise<void>;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

interface Predicate { dimension?: string; operator?: string; value?: string }
interface Filter { type?: string; predicates?: Predicate[]; clauses?: { predicates?: Predicate[] }[] }
const predicatesOf = (filters: unknown): Predicate[] => (Array.isArray(filters) ? (filters as Filter[]).flatMap((f) => [...(f.predicates ?? []), ...(f.clauses ?? []).flatMap((c) => c.predicates ?? [])]) : []);

export async function startGenesysStandIn(opts: GenesysStandInOptions): Promise<GenesysStandIn> {
  const conversations = new Map<string, GenesysConversation>();
  const evaluations = new Map<string, GenesysEvaluation>();
  const add = (list: readonly unknown[]): void => {
    for (const c of list) conversations.set((c as GenesysConversation).conversationId, c as GenesysConversation);
  };
  const addEvaluations = (list: readonly unknown[]): void => {
    for (const e of list) evaluations.set(`${(e as GenesysEvaluation).conversation.id}/${(e as GenesysEvaluation).id}`, e as GenesysEvaluation);
  };
  add(opts.conversations);
  addEvaluations(opts.evaluations ?? []);
  const faults: GenesysFault[] = [...(opts.faults ?? [])];
  const tokens = new Map<string, number>();
  const requests: GenesysStandInRequest[] = [];
  const now = (): number => opts.now?.() ?? Date.now();
  const maxPageSize = opts.maxPageSize ?? 100;
  let tokenSeq = 0;

  const takeFault = (kind: GenesysFault['on']): GenesysFault | undefined => {
    const i = faults.findIndex((f) => f.on === kind || f.on === 'any');
    if (i < 0) return undefined;
    const f = faults[i] as GenesysFault;
    if ((f.times ?? 1) <= 1) faults.splice(i, 1);
    else faults[i] = { ...f, times: (f.times ?? 1) - 1 };
    return f;
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      const text = await readBody(req);
      let parsed: unknown = text;
      try {
        parsed = text && (req.headers['content-type'] ?? '').includes('json') ? JSON.parse(text) : text;
      } catch {
        parsed = text;
      }
      const answer = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
        requests.push({ method: req.method ?? '', path: url.pathname + url.search, body: parsed, status });
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      const kind: GenesysFault['on'] = url.pathname === '/oauth/token' ? 'token' : url.pathname.startsWith('/api/v2/analytics/') ? 'query' : 'evaluation';
      const fault = takeFault(kind);
      if (fault) {
        return answer(fault.status, { status: fault.status, code: fault.status === 429 ? 'too.many.requests' : 'internal.server.error', message: `stand-in fault ${fault.status}` }, fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {});
      }

      if (req.method === 'POST' && url.pathname === '/oauth/token') {
        const expected = `Basic ${Buffer.from(`${opts.clientId}:${opts.clientSecret}`).toString('base64')}`;
        const form = new URLSearchParams(text);
        if (req.headers.authorization !== expected) return answer(401, { error: 'invalid_client', description: 'client credentials are invalid' });
        if (form.get('grant_type') !== 'client_credentials') return answer(400, { error: 'unsupported_grant_type' });
        const ttl = opts.tokenTtlSeconds ?? 86_399;
        const token = `stand-in-token-${++tokenSeq}`;
        tokens.set(token, now() + ttl * 1000);
        return answer(200, { access_token: token, token_type: 'bearer', expires_in: ttl });
      }

      const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const expires = bearer === undefined ? undefined : tokens.get(bearer);
      if (expires === undefined || expires <= now()) return answer(401, { status: 401, code: 'bad.credentials', message: 'Invalid login credentials.' });

      if (req.method === 'POST' && url.pathname === '/api/v2/analytics/conversations/details/query') {
        const q = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as { interval?: unknown; order?: string; paging?: { pageSize?: number; pageNumber?: number }; conversationFilters?: unknown; surveyFilters?: unknown; evaluationFilters?: unknown };
        const [a, b] = typeof q.interval === 'string' ? q.interval.split('/') : [];
        const from = Date.parse(a ?? '');
        const to = Date.parse(b ?? '');
        if (Number.isNaN(from) || Number.isNaN(to) || to < from) return answer(400, { status: 400, code: 'bad.request', message: 'interval must be start/end, ISO-8601' });
        const pageSize = q.paging?.pageSize ?? 25;
        const pageNumber = q.paging?.pageNumber ?? 1;
        if (pageSize > maxPageSize || pageSize < 1 || pageNumber < 1) return answer(400, { status: 400, code: 'bad.request', message: `pageSize must be from 1 to ${maxPageSize}` });
        const ids = new Set(predicatesOf(q.conversationFilters).filter((p) => p.dimension === 'conversationId').map((p) => p.value));
        const needSurvey = predicatesOf(q.surveyFilters).some((p) => p.operator === 'exists');
        const needEvaluation = predicatesOf(q.evaluationFilters).some((p) => p.operator === 'exists');
        const at = now();
        const matched: GenesysConversation[] = [];
        for (const raw of conversations.values()) {
          const start = Date.parse(raw.conversationStart);
          if (start < from || start >= to) continue;
          if (ids.size > 0 && !ids.has(raw.conversationId)) continue;
          const c = opts.now ? conversationAsOf(raw, at) : raw;
          if (!c) continue;
          if (needSurvey && !(c.surveys ?? []).some((s) => s.surveyCompletedDate !== undefined)) continue;
          if (needEvaluation && (c.evaluations ?? []).length === 0) continue;
          matched.push(c);
        }
        matched.sort((x, y) => x.conversationStart.localeCompare(y.conversationStart) || x.conversationId.localeCompare(y.conversationId));
        if (q.order === 'desc') matched.reverse();
        const page = matched.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
        return answer(200, page.length > 0 ? { conversations: page, totalHits: matched.length } : { totalHits: matched.length });
      }

      const ev = /^\/api\/v2\/quality\/conversations\/([^/]+)\/evaluations\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'GET' && ev) {
        const e = evaluations.get(`${decodeURIComponent(ev[1] as string)}/${decodeURIComponent(ev[2] as string)}`);
        if (!e || (opts.now && Date.parse(e.submittedDate ?? e.changedDate ?? '') > now())) return answer(404, { status: 404, code: 'not.found', message: 'evaluation not found' });
        return answer(200, e);
      }
      return answer(404, { status: 404, code: 'not.found', message: `no route ${req.method ?? ''} ${url.pathname}` });
    })().catch((err: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: err instanceof Error ? err.message : String(err) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    add,
    addEvaluations,
    fault: (f) => faults.push(f),
    expireTokens: () => tokens.clear(),
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
