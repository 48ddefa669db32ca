/**
 * Genesys Cloud → contract v2 (issue 16): a PURE mapper of the records the Genesys Cloud API returns.
 *
 * Record kinds (shapes from the official SDK's model documentation, MyPureCloud/platform-client-sdk-python
 * build/docs/*.md, which is generated from the platform's OpenAPI definition):
 * - `conversation`: one `AnalyticsConversationWithoutAttributes`, an element of `conversations` in the answer of
 *   POST /api/v2/analytics/conversations/details/query (build/docs/AnalyticsConversationWithoutAttributes.md,
 *   AnalyticsParticipantWithoutAttributes.md, AnalyticsSession.md, AnalyticsConversationSegment.md,
 *   AnalyticsSessionMetric.md, AnalyticsSurvey.md). A conversation still in progress has no `conversationEnd` and
 *   its open segments no `segmentEnd`; it is read again until it ends, each reading a higher revision.
 * - `evaluation`: one `EvaluationResponse` of GET /api/v2/quality/conversations/{conversationId}/evaluations/{evaluationId}
 *   (build/docs/EvaluationResponse.md, EvaluationScoringSet.md) → `qa.evaluated`. It may arrive before its
 *   conversation: ingest holds it as an orphan until the contact comes.
 *
 * How a conversation becomes events:
 * - the contact is the conversation (`contactId` = `conversationId`, a UUID); its channel is the media type of the
 *   first ACD (queue) session, else of the customer's first session (voice, callback, chat, email, message);
 * - `contact.offered`: when the conversation entered its first queue (the first `acd` participant's first segment),
 *   with that queue (`queueId`, and the acd participant's `participantName` — the queue's name — as its label);
 * - each `agent` participant's session with an `interact` segment is a leg: `contact.answered` at its first interact
 *   (with the platform's own wait, the session's `tAnswered` metric, on voice and chat; on email and messages, at the
 *   session's first `tAgentResponseTime` metric when there is one: Frontline's "answered" there is the first reply),
 *   and, once every segment of
 *   the session has ended, `contact.ended` with talk = Σ interact segments, hold = Σ hold segments (holdCount = their
 *   number), wrap = Σ wrapup segments, resolved from the wrapup segment's `wrapUpCode` (an id, or a system code such
 *   as ININ-WRAP-UP-TIMEOUT) through the source's wrap-up table, and the `wrapUpNote` as the leg's notes.
 *   Handle time is talk + hold + after-call work, as the Genesys Cloud glossary defines it
 *   (https://help.mypurecloud.com/glossary/handle-time/). Segments are consecutive, not nested (a hold segment sits
 *   between interact segments), so talk is the interact segments alone. Segments are used rather than the tTalk /
 *   tHeld / tAcw metrics because every segment carries its own start and end, so a partial (in-progress) reading
 *   is exact as far as it goes; the metrics are emitted only when a phase completes;
 * - a leg whose last interact segment ended with a transfer `disconnectType` (transfer, consultTransfer,
 *   forwardTransfer, conferenceTransfer) → `contact.transferred` to the participant that joined next: an `acd`
 *   participant (toQueueId), an `agent` (toAgentId) or an `external` one (toExternal);
 * - an ended conversation no agent interacted with, whose ACD session carries the `tAbandon` (or `tShortAbandon`)
 *   metric → `contact.abandoned` in the queue, with that wait;
 * - `surveys` with a `surveyCompletedDate` and a `surveyPromoterScore` (0–10, "score of the survey used with NPS") →
 *   `survey.responded` (responseId = surveyId, revision = completion time), every survey → `survey.offered`;
 * - evaluations listed on the conversation are not mapped from it (the analytics list has no critical-failure flag):
 *   the poller fetches each one as an `evaluation` record.
 * Lifecycle events carry `revision` = the latest segment or conversation time in epoch ms, so a later reading of a
 * conversation in progress replaces the earlier one as a whole, and a re-read of an unchanged one is a duplicate.
 * Conversations that never reach a queue (outbound calls, internal calls, IVR-only calls) are not contacts in
 * Frontline's sense: they map to no events, with a warning.
 */
import type { Channel } from '../../../shared/channels.js';
import type { SurveyAnswer } from '../../../shared/events.js';
import { PLATFORM_INFO } from '../../../shared/sources.js';
import { answerProblem } from '../../../shared/surveys.js';
import { MappingRun, malformed } from '../common.js';
import type { MapContext, MapOutcome, PlatformMapper, RawRecord } from '../types.js';

/** Genesys session media types → Frontline channels (AnalyticsSession.mediaType; `callback` is a voice callback). */
export const GENESYS_DEFAULT_CHANNELS: Readonly<Record<string, Channel>> = {
  voice: 'voice',
  callback: 'voice',
  chat: 'chat',
  email: 'email',
  message: 'messaging',
};

/** Segment disconnect types that end an agent's interaction by handing the customer on (AnalyticsConversationSegment). */
const TRANSFER_DISCONNECTS: ReadonlySet<string> = new Set(['transfer', 'consultTransfer', 'forwardTransfer', 'conferenceTransfer']);

export const GENESYS_RECORD_KINDS = ['conversation', 'evaluation'] as const;

// ---- The documented shapes (only the fields read here; every field is optional in the SDK models). ----

export interface GenesysMetric {
  name: string;
  value: number;
  emitDate?: string;
}

export interface GenesysSegment {
  segmentStart: string;
  segmentEnd?: string;
  segmentType: string;
  queueId?: string;
  disconnectType?: string;
  wrapUpCode?: string;
  wrapUpNote?: string;
  conference?: boolean;
}

export interface GenesysSession {
  sessionId?: string;
  mediaType?: string;
  direction?: string;
  ani?: string;
  dnis?: string;
  destinationAddresses?: string[];
  segments?: GenesysSegment[];
  metrics?: GenesysMetric[];
}

export interface GenesysParticipant {
  participantId?: string;
  participantName?: string;
  purpose: string;
  userId?: string;
  externalContactId?: string;
  sessions?: GenesysSession[];
}

export interface GenesysSurvey {
  surveyId: string;
  surveyFormId?: string;
  surveyFormContextId?: string;
  surveyFormName?: string;
  surveyStatus?: string;
  surveyType?: string;
  surveyCompletedDate?: string;
  surveyPromoterScore?: number;
  eventTime?: string;
  queueId?: string;
  userId?: string;
  oSurveyTotalScore?: number;
}

export interface GenesysAnalyticsEvaluation {
  evaluationId: string;
  evaluatorId?: string;
  userId?: string;
  eventTime?: string;
  evaluationStatus?: string;
  deleted?: boolean;
  rescored?: boolean;
  formName?: string;
  oTotalScore?: number;
  oTotalCriticalScore?: number;
}

export interface GenesysConversation {
  conversationId: string;
  conversationStart: string;
  conversationEnd?: string;
  originatingDirection?: string;
  divisionIds?: string[];
  participants: GenesysParticipant[];
  surveys?: GenesysSurvey[];
  evaluations?: GenesysAnalyticsEvaluation[];
}

export interface GenesysUserRef {
  id: string;
  name?: string;
  username?: string;
}

export interface GenesysEvaluation {
  id: string;
  conversation: { id: string };
  agent?: GenesysUserRef;
  evaluator?: GenesysUserRef;
  status?: string;
  answers?: { totalScore?: number; anyFailedKillQuestions?: boolean; comments?: string };
  releaseDate?: string;
  submittedDate?: string;
  changedDate?: string;
  createdDate?: string;
  conversationDate?: string;
  rescore?: boolean;
}

// ---- Shape checks: a few typeof checks per field, no schema per record. ----

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const got = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'string' ? `string ${JSON.stringify(v.slice(0, 40))}` : typeof v);

function timeProblem(v: unknown, path: string, required: boolean): string | null {
  if (v === undefined || v === null) return required ? `${path}: required ISO-8601 date-time (yyyy-MM-ddTHH:mm:ss[.mmm]Z) is missing` : null;
  if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) return `${path}: expected an ISO-8601 date-time (yyyy-MM-ddTHH:mm:ss[.mmm]Z), got ${got(v)}`;
  return null;
}

/** Every problem with a conversation detail record's shape, at once (empty: it is what the documentation says). */
export function conversationProblems(body: unknown): string[] {
  if (!isObj(body)) return [`expected a conversation detail object (AnalyticsConversationWithoutAttributes), got ${got(body)}`];
  const p: string[] = [];
  if (typeof body.conversationId !== 'string' || body.conversationId === '') p.push(`conversationId: expected a non-empty string, got ${got(body.conversationId)}`);
  const t1 = timeProblem(body.conversationStart, 'conversationStart', true);
  if (t1) p.push(t1);
  const t2 = timeProblem(body.conversationEnd, 'conversationEnd', false);
  if (t2) p.push(t2);
  if (!Array.isArray(body.participants)) {
    p.push(`participants: expected an array of participants, got ${got(body.participants)}`);
    return p;
  }
  body.participants.forEach((part: unknown, i) => {
    const at = `participants[${i}]`;
    if (!isObj(part)) return void p.push(`${at}: expected a participant object, got ${got(part)}`);
    if (typeof part.purpose !== 'string') p.push(`${at}.purpose: expected a string (customer, external, agent, acd, ivr, ...), got ${got(part.purpose)}`);
    if (part.userId !== undefined && typeof part.userId !== 'string') p.push(`${at}.userId: expected a string, got ${got(part.userId)}`);
    if (part.sessions === undefined) return;
    if (!Array.isArray(part.sessions)) return void p.push(`${at}.sessions: expected an array, got ${got(part.sessions)}`);
    part.sessions.forEach((s: unknown, j) => {
      const sat = `${at}.sessions[${j}]`;
      if (!isObj(s)) return void p.push(`${sat}: expected a session object, got ${got(s)}`);
      if (s.mediaType !== undefined && typeof s.mediaType !== 'string') p.push(`${sat}.mediaType: expected a string, got ${got(s.mediaType)}`);
      if (s.segments !== undefined) {
        if (!Array.isArray(s.segments)) p.push(`${sat}.segments: expected an array, got ${got(s.segments)}`);
        else {
          s.segments.forEach((seg: unknown, k) => {
            const gat = `${sat}.segments[${k}]`;
            if (!isObj(seg)) return void p.push(`${gat}: expected a segment object, got ${got(seg)}`);
            if (typeof seg.segmentType !== 'string') p.push(`${gat}.segmentType: expected a string (interact, hold, wrapup, alert, ivr, ...), got ${got(seg.segmentType)}`);
            const a = timeProblem(seg.segmentStart, `${gat}.segmentStart`, true);
            if (a) p.push(a);
            const b = timeProblem(seg.segmentEnd, `${gat}.segmentEnd`, false);
            if (b) p.push(b);
            if (seg.queueId !== undefined && typeof seg.queueId !== 'string') p.push(`${gat}.queueId: expected a string, got ${got(seg.queueId)}`);
            if (seg.wrapUpCode !== undefined && typeof seg.wrapUpCode !== 'string') p.push(`${gat}.wrapUpCode: expected a string, got ${got(seg.wrapUpCode)}`);
          });
        }
      }
      if (s.metrics !== undefined) {
        if (!Array.isArray(s.metrics)) p.push(`${sat}.metrics: expected an array, got ${got(s.metrics)}`);
        else {
          s.metrics.forEach((m: unknown, k) => {
            if (!isObj(m) || typeof m.name !== 'string' || typeof m.value !== 'number' || !Number.isFinite(m.value)) {
              p.push(`${sat}.metrics[${k}]: expected {name: string, value: number, emitDate}, got ${isObj(m) ? `name ${got(m.name)}, value ${got(m.value)}` : got(m)}`);
            }
          });
        }
      }
    });
  });
  if (body.surveys !== undefined) {
    if (!Array.isArray(body.surveys)) p.push(`surveys: expected an array, got ${got(body.surveys)}`);
    else {
      body.surveys.forEach((s: unknown, i) => {
        const at = `surveys[${i}]`;
        if (!isObj(s)) return void p.push(`${at}: expected a survey object, got ${got(s)}`);
        if (typeof s.surveyId !== 'string' || s.surveyId === '') p.push(`${at}.surveyId: expected a non-empty string, got ${got(s.surveyId)}`);
        const a = timeProblem(s.surveyCompletedDate, `${at}.surveyCompletedDate`, false);
        if (a) p.push(a);
        const b = timeProblem(s.eventTime, `${at}.eventTime`, false);
        if (b) p.push(b);
        if (s.surveyPromoterScore !== undefined && typeof s.surveyPromoterScore !== 'number') p.push(`${at}.surveyPromoterScore: expected a whole number from 0 to 10, got ${got(s.surveyPromoterScore)}`);
      });
    }
  }
  return p;
}

// ---- Helpers over a (checked) conversation. ----

const ms = (iso: string | undefined): number | undefined => (iso === undefined ? undefined : Date.parse(iso));
const secondsOf = (a: number, b: number): number => Math.max(0, Math.round(b - a) / 1000);

function metric(session: GenesysSession, name: string): GenesysMetric | undefined {
  const list = session.metrics;
  if (!list) return undefined;
  for (const m of list) if (m.name === name) return m;
  return undefined;
}

/** A session's segments in time order (the API lists them so; sorted again in case a reader reordered them). */
function segmentsOf(session: GenesysSession): GenesysSegment[] {
  const segs = session.segments ?? [];
  for (let i = 1; i < segs.length; i++) {
    if ((segs[i] as GenesysSegment).segmentStart < (segs[i - 1] as GenesysSegment).segmentStart) {
      return [...segs].sort((a, b) => Date.parse(a.segmentStart) - Date.parse(b.segmentStart));
    }
  }
  return segs;
}

/** The latest time the record knows (segment starts and ends, the conversation's end): the lifecycle's revision. */
export function conversationRevision(c: GenesysConversation): number {
  let max = Date.parse(c.conversationStart);
  const end = ms(c.conversationEnd);
  if (end !== undefined && end > max) max = end;
  for (const p of c.participants) for (const s of p.sessions ?? []) for (const seg of s.segments ?? []) {
    const a = Date.parse(seg.segmentStart);
    if (a > max) max = a;
    if (seg.segmentEnd !== undefined) {
      const b = Date.parse(seg.segmentEnd);
      if (b > max) max = b;
    }
  }
  return max;
}

interface Leg {
  participant: GenesysParticipant;
  session: GenesysSession;
  segments: GenesysSegment[];
  key: string;
  startMs: number;
}

function isoMs(t: number): string {
  return new Date(t).toISOString();
}

// ---- The mapper. ----

function mapConversation(c: GenesysConversation, ctx: MapContext): MapOutcome {
  const run = new MappingRun(ctx.mapping, ctx.known);
  const warnings: string[] = [];
  const cid = c.conversationId;
  const base = `genesys:${cid}`;
  const source = ctx.sourceId;
  const revision = conversationRevision(c);
  const ended = c.conversationEnd !== undefined;
  const participants = c.participants;

  if (c.originatingDirection === 'outbound') {
    return run.finish([], [`conversation ${cid} is outbound: Frontline counts contacts offered to a queue, so it maps to no events`]);
  }

  // The routed media: the first ACD session's, else the customer's (or external caller's) first session's.
  let acdSession: { p: GenesysParticipant; s: GenesysSession; seg: GenesysSegment } | undefined;
  for (const p of participants) {
    if (p.purpose !== 'acd') continue;
    for (const s of p.sessions ?? []) {
      const seg = segmentsOf(s).find((x) => x.queueId !== undefined);
      if (seg && (acdSession === undefined || Date.parse(seg.segmentStart) < Date.parse(acdSession.seg.segmentStart))) acdSession = { p, s, seg };
    }
  }
  let media = acdSession?.s.mediaType;
  if (media === undefined) {
    for (const p of participants) {
      if (p.purpose !== 'customer' && p.purpose !== 'external') continue;
      media = p.sessions?.find((s) => s.mediaType !== undefined)?.mediaType;
      if (media !== undefined) break;
    }
  }
  if (media === undefined) return malformed(`conversation ${cid}: no session names a mediaType (expected voice, callback, chat, email or message on the acd or customer session)`);
  const channel = run.channel(media, GENESYS_DEFAULT_CHANNELS);
  const channelOf = (m: string | undefined): Channel | undefined => (m === undefined ? undefined : (ctx.mapping.channels[m] ?? GENESYS_DEFAULT_CHANNELS[m]));

  // Legs: agent sessions on the contact's channel that reached an interact segment.
  const legs: Leg[] = [];
  for (const p of participants) {
    if (p.purpose !== 'agent' && p.purpose !== 'user') continue;
    const sessions = (p.sessions ?? []).filter((s) => channelOf(s.mediaType) === channel);
    // A callback: the agent's callback session is followed by the voice call itself; the call is the leg.
    const hasVoice = sessions.some((s) => s.mediaType === 'voice' && s.segments?.some((x) => x.segmentType === 'interact'));
    sessions.forEach((s, i) => {
      if (hasVoice && s.mediaType === 'callback') return;
      const segments = segmentsOf(s);
      const firstInteract = segments.find((x) => x.segmentType === 'interact');
      if (!firstInteract) return;
      legs.push({ participant: p, session: s, segments, key: `${p.participantId ?? p.userId ?? 'agent'}:${s.sessionId ?? i}`, startMs: Date.parse(firstInteract.segmentStart) });
    });
  }
  legs.sort((a, b) => a.startMs - b.startMs);

  // The first queue: where the contact was offered.
  let queueSeg = acdSession?.seg;
  let queueName = acdSession?.p.participantName;
  let offeredMs = acdSession ? Date.parse((segmentsOf(acdSession.s)[0] ?? acdSession.seg).segmentStart) : undefined;
  if (!queueSeg) {
    for (const leg of legs) {
      const seg = leg.segments.find((x) => x.queueId !== undefined);
      if (seg) {
        queueSeg = seg;
        queueName = undefined;
        offeredMs = Date.parse((leg.segments[0] as GenesysSegment).segmentStart);
        break;
      }
    }
  }
  if (!queueSeg?.queueId || offeredMs === undefined) {
    return run.finish([], [`conversation ${cid} never entered a queue (IVR-only, internal or direct): it maps to no events`]);
  }
  // Queue names: an acd participant's participantName is its queue's name (the agent segments carry the id only).
  const queueNames = new Map<string, string>();
  for (const p of participants) {
    if (p.purpose !== 'acd' || !p.participantName) continue;
    for (const s of p.sessions ?? []) for (const x of s.segments ?? []) if (x.queueId !== undefined) queueNames.set(x.queueId, p.participantName);
  }
  const queueId = run.queue(queueSeg.queueId, queueName ?? queueNames.get(queueSeg.queueId));
  const agentOf = (p: GenesysParticipant): string => run.agent(p.userId ?? p.participantId ?? 'unknown-agent', p.participantName);

  const events: Record<string, unknown>[] = [];
  const customer = participants.find((p) => p.purpose === 'customer');
  events.push({
    id: `${base}:offered`, type: 'contact.offered', source, occurredAt: isoMs(offeredMs), contactId: cid, channel, queueId,
    ...(customer?.externalContactId ? { customerId: customer.externalContactId } : {}),
    ...(media === 'callback' ? { callback: true } : {}),
    revision,
  });

  const sync = channel === 'voice' || channel === 'chat';
  for (const leg of legs) {
    const agentId = agentOf(leg.participant);
    const answered = leg.segments.find((x) => x.segmentType === 'interact') as GenesysSegment;
    const waited = sync ? metric(leg.session, 'tAnswered') : undefined;
    // Email and messages: "answered" is the agent's first reply (the session's first tAgentResponseTime), when given.
    const reply = sync ? undefined : metric(leg.session, 'tAgentResponseTime')?.emitDate;
    events.push({
      id: `${base}:answered:${leg.key}`, type: 'contact.answered', source, occurredAt: reply ?? answered.segmentStart, contactId: cid, agentId,
      ...(waited ? { waitSeconds: Math.max(0, waited.value) / 1000 } : {}),
      revision,
    });

    // A transfer: the leg's last interact segment ended by handing the customer on.
    const lastInteract = [...leg.segments].reverse().find((x) => x.segmentType === 'interact');
    if (lastInteract?.segmentEnd !== undefined && lastInteract.disconnectType !== undefined && TRANSFER_DISCONNECTS.has(lastInteract.disconnectType)) {
      const atMs = Date.parse(lastInteract.segmentEnd);
      const target = transferTarget(participants, leg, atMs);
      const kind = lastInteract.disconnectType === 'conferenceTransfer' ? 'conference' : 'transfer';
      const common = { id: `${base}:transfer:${leg.key}`, type: 'contact.transferred', source, occurredAt: lastInteract.segmentEnd, contactId: cid, fromAgentId: agentId, kind, revision };
      if (target?.kind === 'queue') events.push({ ...common, toQueueId: run.queue(target.id, target.label) });
      else if (target?.kind === 'agent') events.push({ ...common, toAgentId: run.agent(target.id, target.label) });
      else if (target?.kind === 'external') events.push({ ...common, toExternal: target.id.slice(0, 200) });
      else warnings.push(`conversation ${cid}: a transfer by ${agentId} at ${lastInteract.segmentEnd} names no participant that joined after it; not counted as a transfer`);
    }

    // The leg's end: every segment closed, and after-call work done (or the conversation over without any).
    const open = leg.segments.some((x) => x.segmentEnd === undefined);
    const wrapups = leg.segments.filter((x) => x.segmentType === 'wrapup');
    if (open || (wrapups.length === 0 && !ended)) continue;
    let talkMs = 0;
    let holdMs = 0;
    let wrapMs = 0;
    let holds = 0;
    let lastMs = leg.startMs;
    for (const seg of leg.segments) {
      const a = Date.parse(seg.segmentStart);
      const b = Date.parse(seg.segmentEnd as string);
      if (b > lastMs) lastMs = b;
      if (seg.segmentType === 'interact') talkMs += b - a;
      else if (seg.segmentType === 'hold') {
        holdMs += b - a;
        holds++;
      } else if (seg.segmentType === 'wrapup') wrapMs += b - a;
    }
    const codes: string[] = [];
    let note: string | undefined;
    for (const w of wrapups) {
      if (w.wrapUpCode) codes.push(w.wrapUpCode);
      if (w.wrapUpNote) note = w.wrapUpNote;
    }
    const legQueue = leg.segments.find((x) => x.queueId !== undefined)?.queueId;
    const legQueueId = legQueue !== undefined && legQueue !== queueSeg.queueId ? run.queue(legQueue, queueNames.get(legQueue)) : undefined;
    events.push({
      id: `${base}:ended:${leg.key}`, type: 'contact.ended', source, occurredAt: isoMs(lastMs), contactId: cid, agentId,
      talkSeconds: secondsOf(0, talkMs), holdSeconds: secondsOf(0, holdMs), holdCount: holds, wrapSeconds: secondsOf(0, wrapMs),
      resolved: run.resolved(codes),
      ...(legQueueId !== undefined ? { queueId: legQueueId } : {}),
      ...(note ? { notes: note.slice(0, 5_000) } : {}),
      revision,
    });
  }

  // An abandon: the conversation is over, no agent interacted, and the queue says the customer gave up.
  if (legs.length === 0 && ended) {
    let abandon: { s: GenesysSession; m: GenesysMetric } | undefined;
    for (const p of participants) {
      if (p.purpose !== 'acd') continue;
      for (const s of p.sessions ?? []) {
        const m = metric(s, 'tAbandon') ?? metric(s, 'tShortAbandon');
        if (m) abandon = { s, m };
      }
    }
    if (abandon) {
      const segs = segmentsOf(abandon.s);
      const at = abandon.m.emitDate ?? segs[segs.length - 1]?.segmentEnd ?? c.conversationEnd;
      events.push({
        id: `${base}:abandoned`, type: 'contact.abandoned', source, occurredAt: at, contactId: cid,
        waitSeconds: Math.max(0, abandon.m.value) / 1000, abandonedIn: 'queue', revision,
      });
    } else {
      warnings.push(`conversation ${cid} left the queue without an agent and without an abandon (a flow-out, voicemail or system disconnect): offered only`);
    }
  }

  // Surveys (web or voice surveys listed on the conversation).
  const scale = ctx.mapping.surveyScale ?? PLATFORM_INFO.genesys.defaultSurveyScale;
  for (const s of c.surveys ?? []) {
    const programmeId = s.surveyFormContextId ?? s.surveyFormId ?? 'genesys-survey';
    const offeredAt = s.eventTime ?? s.surveyCompletedDate;
    if (offeredAt !== undefined) {
      events.push({ id: `${base}:survey-offered:${s.surveyId}`, type: 'survey.offered', source, occurredAt: offeredAt, contactId: cid, programmeId });
    }
    if (s.surveyCompletedDate === undefined || s.surveyPromoterScore === undefined) continue;
    const answers: SurveyAnswer[] = [{ measure: 'csat', scale, value: s.surveyPromoterScore }];
    if (scale === '0-10') answers.push({ measure: 'nps', scale, value: s.surveyPromoterScore });
    const problem = answerProblem(answers[0] as SurveyAnswer);
    if (problem) return malformed(`surveys[${s.surveyId}].surveyPromoterScore: ${problem} (the source's survey scale is ${scale})`);
    events.push({
      id: `${base}:survey:${s.surveyId}`, type: 'survey.responded', source, occurredAt: s.surveyCompletedDate, contactId: cid,
      programmeId, responseId: s.surveyId, answers, revision: Date.parse(s.surveyCompletedDate),
    });
  }

  return run.finish(events, warnings);
}

type Target = { kind: 'queue' | 'agent' | 'external'; id: string; label?: string };

/** Who took the customer on after a transfer at `atMs`: the first session that joined during the leg and outlived it. */
function transferTarget(participants: readonly GenesysParticipant[], leg: Leg, atMs: number): Target | undefined {
  let best: { p: GenesysParticipant; s: GenesysSession; t: number } | undefined;
  for (const p of participants) {
    if (p.purpose === 'customer' || p.purpose === 'ivr') continue;
    for (const s of p.sessions ?? []) {
      if (s === leg.session) continue;
      const segs = s.segments;
      const first = segs?.[0];
      const last = segs?.[segs.length - 1];
      if (!first || !last) continue;
      const t = Date.parse(first.segmentStart);
      // A session that joined during the leg (a consult) or at the transfer, and was still there after it.
      if (t < leg.startMs) continue;
      if (last.segmentEnd !== undefined && Date.parse(last.segmentEnd) <= atMs) continue;
      if (best === undefined || t < best.t) best = { p, s, t };
    }
  }
  if (!best) {
    const address = leg.session.destinationAddresses?.[0];
    return address ? { kind: 'external', id: address } : undefined;
  }
  const { p, s } = best;
  if (p.purpose === 'acd') {
    const q = (s.segments ?? []).find((x) => x.queueId !== undefined)?.queueId;
    return q ? { kind: 'queue', id: q, ...(p.participantName ? { label: p.participantName } : {}) } : undefined;
  }
  const userId = p.userId ?? p.participantId;
  if ((p.purpose === 'agent' || p.purpose === 'user') && userId) {
    return { kind: 'agent', id: userId, ...(p.participantName ? { label: p.participantName } : {}) };
  }
  const address = s.dnis ?? p.participantName ?? s.ani;
  return address ? { kind: 'external', id: address } : undefined;
}

function evaluationProblems(body: unknown): string[] {
  if (!isObj(body)) return [`expected an evaluation object (EvaluationResponse), got ${got(body)}`];
  const p: string[] = [];
  if (typeof body.id !== 'string' || body.id === '') p.push(`id: expected the evaluation's id (a non-empty string), got ${got(body.id)}`);
  if (!isObj(body.conversation) || typeof body.conversation.id !== 'string') p.push(`conversation.id: expected the evaluated conversation's id, got ${isObj(body.conversation) ? got(body.conversation.id) : got(body.conversation)}`);
  if (!isObj(body.agent) || typeof body.agent.id !== 'string') p.push(`agent.id: expected the evaluated agent's user id, got ${isObj(body.agent) ? got(body.agent.id) : got(body.agent)}`);
  if (body.status !== undefined && typeof body.status !== 'string') p.push(`status: expected one of PENDING, INPROGRESS, FINISHED, INREVIEW, RETRACTED, got ${got(body.status)}`);
  for (const f of ['releaseDate', 'submittedDate', 'changedDate', 'createdDate'] as const) {
    const t = timeProblem(body[f], f, false);
    if (t) p.push(t);
  }
  if (body.status === 'FINISHED') {
    const a = body.answers;
    if (!isObj(a) || typeof a.totalScore !== 'number' || !Number.isFinite(a.totalScore) || a.totalScore < 0 || a.totalScore > 100) {
      p.push(`answers.totalScore: a finished evaluation needs its score from 0 to 100, got ${isObj(a) ? got(a.totalScore) : got(a)}`);
    }
    if (isObj(a) && a.anyFailedKillQuestions !== undefined && typeof a.anyFailedKillQuestions !== 'boolean') p.push(`answers.anyFailedKillQuestions: expected a boolean, got ${got(a.anyFailedKillQuestions)}`);
    if (body.submittedDate === undefined && body.releaseDate === undefined && body.changedDate === undefined) p.push('submittedDate: a finished evaluation needs submittedDate, releaseDate or changedDate');
  }
  return p;
}

function mapEvaluation(e: GenesysEvaluation, ctx: MapContext): MapOutcome {
  const run = new MappingRun(ctx.mapping, ctx.known);
  if (e.status !== 'FINISHED') {
    // PENDING / INPROGRESS / INREVIEW: not scored yet; RETRACTED: withdrawn (a retracted score is not counted).
    return run.finish([], [`evaluation ${e.id} is ${e.status ?? 'without a status'}: only FINISHED evaluations are scores`]);
  }
  const agent = e.agent as GenesysUserRef;
  const at = (e.submittedDate ?? e.releaseDate ?? e.changedDate) as string;
  const revisionAt = e.changedDate ?? e.submittedDate ?? e.releaseDate ?? at;
  const answers = e.answers ?? {};
  return run.finish([{
    id: `genesys:${e.conversation.id}:evaluation:${e.id}`, type: 'qa.evaluated', source: ctx.sourceId, occurredAt: at,
    contactId: e.conversation.id, agentId: run.agent(agent.id, agent.name ?? agent.username),
    evaluatorId: e.evaluator?.id ?? 'genesys-evaluator',
    score: answers.totalScore, criticalFail: answers.anyFailedKillQuestions === true,
    ...(answers.comments ? { notes: answers.comments.slice(0, 5_000) } : {}),
    evaluationId: e.id, revision: Date.parse(revisionAt),
  }]);
}

export const genesysMapper: PlatformMapper = {
  platform: 'genesys',
  recordKey(record: RawRecord): string {
    const b = record.body as { conversationId?: unknown; id?: unknown; conversation?: { id?: unknown } } | null;
    if (record.kind === 'evaluation') {
      const conv = typeof b?.conversation?.id === 'string' ? b.conversation.id : '?';
      return `${conv}/${typeof b?.id === 'string' ? b.id : '?'}`;
    }
    return typeof b?.conversationId === 'string' ? b.conversationId : '?';
  },
  map(record: RawRecord, ctx: MapContext): MapOutcome {
    try {
      if (record.kind === 'conversation') {
        const problems = conversationProblems(record.body);
        if (problems.length > 0) return malformed(...problems);
        return mapConversation(record.body as GenesysConversation, ctx);
      }
      if (record.kind === 'evaluation') {
        const problems = evaluationProblems(record.body);
        if (problems.length > 0) return malformed(...problems);
        return mapEvaluation(record.body as GenesysEvaluation, ctx);
      }
      return malformed(`record kind ${JSON.stringify(record.kind)}: expected one of ${GENESYS_RECORD_KINDS.join(', ')}`);
    } catch (err) {
      // Never throw from map: a shape the checks above missed is still a malformed record.
      return malformed(`could not read the record: ${err instanceof Error ? err.message : String(err)}`);
    }
  },
};
