/**
 * The simulated centre as Amazon Connect would deliver it (`npm run simulate -- --as connect`): the simulator's events
 * (contract v1, server/simulator) turned into Connect's own records, in Firehose HTTP endpoint delivery requests.
 *
 * - A contact becomes one contact record per leg once it is over (Connect writes the record when the agent clears the
 *   contact after ACW): a transfer gives the first agent's record (NextContactId) and a new contact id for the second
 *   (InitiationMethod TRANSFER, InitialContactId/PreviousContactId), its queue time counted from the transfer. An
 *   abandoned contact is a record with a Queue and no Agent. Contact records use Connect's whole-second times.
 * - A survey answered later is the last leg's record delivered again with the survey's contact attributes
 *   (`surveyId`, `survey_result_1` = the 1–5 CSAT, `nps`, `surveyResolved`, `surveyComment`) and a later
 *   LastUpdateTimestamp, as Connect re-delivers a record whose attributes were updated.
 * - The contact's disposition is the `disposition` attribute, "Resolved" or "Not resolved": a source fed by the
 *   simulator maps them with CONNECT_SIM_MAPPING's wrap-up codes (Connect has no disposition of its own).
 * - Agent states become agent event stream records: STATE_CHANGE (LOGIN after Offline, LOGOUT to Offline), the
 *   status Available while on a contact (CONNECTED) or in after-contact work (ENDED), "Break" as a custom status,
 *   and a HEART_BEAT every 120 s without another event, as Connect publishes them.
 * - QA evaluations become DescribeContactEvaluation responses on a one-section form ("Overall quality", a 0–100
 *   question whose Connect percentage is the simulator's score; "Identity verified before discussing the account?",
 *   No = automatic fail, weight 0).
 * - Complaints have no Connect record and are left out.
 * Ids look like Connect's (UUIDs, ARNs), derived from the simulator's ids so a run is reproducible; the agent's
 * Username is the Frontline agent id and a queue's Name the Frontline queue id, so a source's default mapping finds them.
 * For email, the simulator's "answer" is the agent's first reply; it is written as ConnectedToAgentTimestamp.
 */
import { createHash } from 'node:crypto';
import type { FrontlineEvent } from '../../../shared/events.js';
import type { SourceMapping } from '../../../shared/sources.js';

export const CONNECT_SIM_ACCOUNT = '123456789012';
export const CONNECT_SIM_REGION = 'eu-west-2';

/** The mapping a source fed by the simulator needs (the simulated disposition codes). */
export const CONNECT_SIM_MAPPING: Partial<SourceMapping> = { wrapCodes: { Resolved: true, 'Not resolved': false }, resolvedByDefault: true };

/** A UUID-shaped id derived from the simulator's (name-based, version 5 layout). */
export function simUuid(...parts: (string | number)[]): string {
  const h = createHash('sha1').update(parts.join('|')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

export interface ConnectSimOptions {
  instanceArn?: string;
}

export interface ConnectSimRecord {
  /** When Connect would deliver it (the record's LastUpdateTimestamp, the event's time). */
  atMs: number;
  kind: 'ctr' | 'agent-event' | 'evaluation';
  doc: Record<string, unknown>;
}

const HEARTBEAT_MS = 120_000;
const IVR_SECONDS: Record<string, number> = { voice: 8, chat: 3, email: 0, messaging: 3 };
const CHANNEL: Record<string, string> = { voice: 'VOICE', chat: 'CHAT', email: 'EMAIL', messaging: 'CHAT' };

const ctrTime = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
const secs = (ms: number) => Math.max(0, Math.round(ms / 1000));

type Ev<T extends FrontlineEvent['type']> = Extract<FrontlineEvent, { type: T }>;

interface SimContact {
  id: string;
  offered?: Ev<'contact.offered'>;
  answers: Ev<'contact.answered'>[];
  transfer?: Ev<'contact.transferred'>;
  ended?: Ev<'contact.ended'>;
  abandoned?: Ev<'contact.abandoned'>;
  surveys: Ev<'survey.responded'>[];
  evaluations: Ev<'qa.evaluated'>[];
}

interface Leg {
  id: string;
  record: Record<string, unknown>;
}

class Ids {
  constructor(readonly instance: string) {}
  user(agentId: string): string {
    return simUuid('user', agentId);
  }
  agentArn(agentId: string): string {
    return `${this.instance}/agent/${this.user(agentId)}`;
  }
  queueArn(queueId: string): string {
    return `${this.instance}/queue/${simUuid('queue', queueId)}`;
  }
  contact(simId: string, leg: number): string {
    return simUuid('contact', simId, leg);
  }
}

/** Every Connect record of the simulated events, in delivery order. */
export function connectSimRecords(events: readonly FrontlineEvent[], opts: ConnectSimOptions = {}): ConnectSimRecord[] {
  const instance = opts.instanceArn ?? `arn:aws:connect:${CONNECT_SIM_REGION}:${CONNECT_SIM_ACCOUNT}:instance/${simUuid('instance')}`;
  const ids = new Ids(instance);
  const ordered = [...events].sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
  const contacts = new Map<string, SimContact>();
  const states = new Map<string, { at: number; state: string }[]>();
  /** Per agent, the times they finished a leg (transfer or end) and the Connect contact id of that leg. */
  const legMarks = new Map<string, { at: number; contactId: string }[]>();
  const contactOf = (id: string) => {
    let c = contacts.get(id);
    if (!c) contacts.set(id, (c = { id, answers: [], surveys: [], evaluations: [] }));
    return c;
  };
  for (const e of ordered) {
    switch (e.type) {
      case 'contact.offered':
        contactOf(e.contactId).offered = e;
        break;
      case 'contact.answered':
        contactOf(e.contactId).answers.push(e);
        break;
      case 'contact.transferred':
        contactOf(e.contactId).transfer ??= e;
        break;
      case 'contact.ended':
        contactOf(e.contactId).ended = e;
        break;
      case 'contact.abandoned':
        contactOf(e.contactId).abandoned = e;
        break;
      case 'survey.responded':
        contactOf(e.contactId).surveys.push(e);
        break;
      case 'qa.evaluated':
        contactOf(e.contactId).evaluations.push(e);
        break;
      case 'agent.state': {
        let list = states.get(e.agentId);
        if (!list) states.set(e.agentId, (list = []));
        list.push({ at: Date.parse(e.occurredAt), state: e.state });
        break;
      }
      case 'complaint.logged':
      case 'survey.offered':
        break;
    }
  }

  const out: ConnectSimRecord[] = [];
  const mark = (agentId: string, at: number, contactId: string) => {
    let list = legMarks.get(agentId);
    if (!list) legMarks.set(agentId, (list = []));
    list.push({ at, contactId });
  };
  /** When the agent left the state they entered at `at` (their next state change). */
  const nextStateAfter = (agentId: string, at: number): number | undefined => states.get(agentId)?.find((s) => s.at > at)?.at;

  for (const c of contacts.values()) {
    const o = c.offered;
    if (!o) continue;
    const offeredMs = Date.parse(o.occurredAt);
    const started = offeredMs - (IVR_SECONDS[o.channel] ?? 0) * 1000;
    const attrs: Record<string, string> = {};
    if (o.customerId !== undefined) attrs.customerId = o.customerId;
    if (o.reason !== undefined) attrs.contactReason = o.reason;
    const common = (contactId: string, channel: string) => ({
      AWSAccountId: CONNECT_SIM_ACCOUNT,
      AWSContactTraceRecordFormatVersion: '2017-03-10',
      AgentConnectionAttempts: 1,
      Channel: CHANNEL[channel] ?? 'VOICE',
      ContactId: contactId,
      // Ofcom's drama range (07700 900000–900999): never a real caller.
      CustomerEndpoint: channel === 'voice' ? { Address: `+447700900${String(parseInt(simUuid('caller', o.customerId ?? c.id).slice(0, 6), 16) % 1000).padStart(3, '0')}`, Type: 'TELEPHONE_NUMBER' } : null,
      InstanceARN: instance,
      MediaStreams: [{ Type: channel === 'voice' ? 'AUDIO' : 'CHAT' }],
      SystemEndpoint: channel === 'voice' ? { Address: '+441134960000', Type: 'TELEPHONE_NUMBER' } : null,
      Recording: null,
      Recordings: null,
    });
    const agentBlock = (agentId: string, connected: number, talk: number, hold: number, acw: number, acwEnd: number) => ({
      ARN: ids.agentArn(agentId),
      AfterContactWorkDuration: acw,
      AfterContactWorkEndTimestamp: ctrTime(acwEnd),
      AfterContactWorkStartTimestamp: ctrTime(acwEnd - acw * 1000),
      AgentInteractionDuration: talk,
      ConnectedToAgentTimestamp: ctrTime(connected),
      CustomerHoldDuration: hold,
      HierarchyGroups: null,
      LongestHoldDuration: hold,
      NumberOfHolds: hold > 0 ? 1 : 0,
      RoutingProfile: { ARN: `${instance}/routing-profile/${simUuid('routing-profile', 'default')}`, Name: 'Frontline simulated profile' },
      Username: agentId,
    });
    const queueBlock = (queueId: string, enqueue: number, dequeue: number) => ({
      ARN: ids.queueArn(queueId),
      DequeueTimestamp: ctrTime(dequeue),
      Duration: secs(dequeue - enqueue),
      EnqueueTimestamp: ctrTime(enqueue),
      Name: queueId,
    });

    if (c.abandoned && c.answers.length === 0) {
      const at = Date.parse(c.abandoned.occurredAt);
      const id = ids.contact(c.id, 1);
      out.push({
        atMs: at,
        kind: 'ctr',
        doc: {
          ...common(id, o.channel),
          AgentConnectionAttempts: 0,
          Agent: null,
          Attributes: attrs,
          ConnectedToSystemTimestamp: ctrTime(started),
          DisconnectTimestamp: ctrTime(at),
          DisconnectReason: 'CUSTOMER_DISCONNECT',
          InitialContactId: null,
          InitiationMethod: 'INBOUND',
          InitiationTimestamp: ctrTime(started),
          LastUpdateTimestamp: ctrTime(at),
          NextContactId: null,
          PreviousContactId: null,
          Queue: queueBlock(o.queueId, offeredMs, at),
        },
      });
      continue;
    }
    const end = c.ended;
    if (!end) continue; // still in progress when the events stop: Connect has not written its record yet
    const endMs = Date.parse(end.occurredAt);
    const legs: Leg[] = [];
    const first = c.answers[0];
    const firstAt = first ? Date.parse(first.occurredAt) : endMs - (end.talkSeconds + end.holdSeconds + end.wrapSeconds) * 1000;
    const t = c.transfer;
    if (t && c.answers.length >= 2) {
      const tAt = Date.parse(t.occurredAt);
      const id1 = ids.contact(c.id, 1);
      const id2 = ids.contact(c.id, 2);
      const acwEnd1 = nextStateAfter(t.fromAgentId, tAt) ?? tAt;
      legs.push({
        id: id1,
        record: {
          ...common(id1, o.channel),
          Agent: agentBlock(t.fromAgentId, firstAt, secs(tAt - firstAt), 0, secs(acwEnd1 - tAt), acwEnd1),
          Attributes: attrs,
          ConnectedToSystemTimestamp: ctrTime(started),
          DisconnectTimestamp: ctrTime(tAt),
          DisconnectReason: 'AGENT_DISCONNECT',
          InitialContactId: null,
          InitiationMethod: 'INBOUND',
          InitiationTimestamp: ctrTime(started),
          LastUpdateTimestamp: ctrTime(acwEnd1),
          NextContactId: id2,
          PreviousContactId: null,
          Queue: queueBlock(o.queueId, offeredMs, firstAt),
        },
      });
      mark(t.fromAgentId, tAt, id1);
      const second = c.answers[1] as Ev<'contact.answered'>;
      const secondAt = Date.parse(second.occurredAt);
      legs.push({
        id: id2,
        record: {
          ...common(id2, o.channel),
          Agent: agentBlock(end.agentId, secondAt, end.talkSeconds, end.holdSeconds, end.wrapSeconds, endMs),
          Attributes: { ...attrs, disposition: end.resolved ? 'Resolved' : 'Not resolved' },
          ConnectedToSystemTimestamp: ctrTime(tAt),
          DisconnectTimestamp: ctrTime(endMs - end.wrapSeconds * 1000),
          DisconnectReason: 'CUSTOMER_DISCONNECT',
          InitialContactId: id1,
          InitiationMethod: 'TRANSFER',
          InitiationTimestamp: ctrTime(tAt),
          LastUpdateTimestamp: ctrTime(endMs),
          NextContactId: null,
          PreviousContactId: id1,
          Queue: queueBlock(t.toQueueId ?? o.queueId, tAt, secondAt),
        },
      });
      mark(end.agentId, endMs, id2);
    } else {
      const id = ids.contact(c.id, 1);
      legs.push({
        id,
        record: {
          ...common(id, o.channel),
          Agent: agentBlock(end.agentId, firstAt, end.talkSeconds, end.holdSeconds, end.wrapSeconds, endMs),
          Attributes: { ...attrs, disposition: end.resolved ? 'Resolved' : 'Not resolved' },
          ConnectedToSystemTimestamp: ctrTime(started),
          DisconnectTimestamp: ctrTime(endMs - end.wrapSeconds * 1000),
          DisconnectReason: 'CUSTOMER_DISCONNECT',
          InitialContactId: null,
          InitiationMethod: 'INBOUND',
          InitiationTimestamp: ctrTime(started),
          LastUpdateTimestamp: ctrTime(endMs),
          NextContactId: null,
          PreviousContactId: null,
          Queue: queueBlock(o.queueId, offeredMs, firstAt),
        },
      });
      mark(end.agentId, endMs, id);
    }
    for (const leg of legs) out.push({ atMs: Date.parse(leg.record.LastUpdateTimestamp as string), kind: 'ctr', doc: leg.record });

    // Surveys: the last leg's record again, with the answers as contact attributes and a later update time.
    const last = legs.at(-1) as Leg;
    let surveyAttrs: Record<string, string> = { ...(last.record.Attributes as Record<string, string>) };
    for (const s of c.surveys) {
      const at = Date.parse(s.occurredAt);
      surveyAttrs = { ...surveyAttrs, surveyId: 'post-contact' };
      if (s.csat !== undefined) surveyAttrs.survey_result_1 = String(s.csat);
      if (s.nps !== undefined) surveyAttrs.nps = String(s.nps);
      if (s.resolved !== undefined) surveyAttrs.surveyResolved = s.resolved ? 'yes' : 'no';
      if (s.comment !== undefined) surveyAttrs.surveyComment = s.comment;
      out.push({ atMs: at, kind: 'ctr', doc: { ...last.record, Attributes: surveyAttrs, LastUpdateTimestamp: ctrTime(at) } });
    }
    for (const q of c.evaluations) out.push({ atMs: Date.parse(q.occurredAt), kind: 'evaluation', doc: evaluationDoc(q, last.id, ids, instance) });
  }

  for (const [agentId, list] of states) out.push(...agentEvents(agentId, list, legMarks.get(agentId) ?? [], ids, instance));
  return out.sort((a, b) => a.atMs - b.atMs);
}

function evaluationDoc(q: Ev<'qa.evaluated'>, contactId: string, ids: Ids, instance: string): Record<string, unknown> {
  const at = Date.parse(q.occurredAt);
  const evaluationId = simUuid('evaluation', q.id);
  return {
    Evaluation: {
      EvaluationId: evaluationId,
      EvaluationArn: `${instance}/contact-evaluation/${evaluationId}`,
      Metadata: {
        ContactId: contactId,
        EvaluatorArn: ids.agentArn(q.evaluatorId),
        ContactAgentId: ids.user(q.agentId),
        Score: { Percentage: q.criticalFail ? 0 : q.score, NotApplicable: false, AutomaticFail: q.criticalFail },
      },
      Answers: { 'q-overall': { Value: { NumericValue: q.score } }, 'q-identity': { Value: { StringValue: q.criticalFail ? 'no' : 'yes' } } },
      Notes: q.notes !== undefined ? { 'q-overall': { Value: q.notes } } : {},
      Scores: {
        'q-overall': { Percentage: q.score, NotApplicable: false, AutomaticFail: false },
        'q-identity': { Percentage: q.criticalFail ? 0 : 100, NotApplicable: false, AutomaticFail: q.criticalFail },
      },
      Status: 'SUBMITTED',
      CreatedTime: at / 1000 - 900,
      LastModifiedTime: at / 1000,
      Tags: {},
    },
    EvaluationForm: {
      EvaluationFormVersion: 1,
      EvaluationFormId: simUuid('form', 'quality'),
      EvaluationFormArn: `${instance}/evaluation-form/${simUuid('form', 'quality')}`,
      Title: 'Frontline simulated quality form',
      Items: [
        {
          Section: {
            Title: 'Overall',
            RefId: 's-overall',
            Items: [
              { Question: { Title: 'Overall quality (0-100)', RefId: 'q-overall', NotApplicableEnabled: false, QuestionType: 'NUMERIC', QuestionTypeProperties: { Numeric: { MinValue: 0, MaxValue: 100, Options: [{ MinValue: 0, MaxValue: 100, Score: 10 }] } }, Weight: 100 } },
              {
                Question: {
                  Title: 'Identity verified before discussing the account?',
                  RefId: 'q-identity',
                  NotApplicableEnabled: false,
                  QuestionType: 'SINGLESELECT',
                  QuestionTypeProperties: { SingleSelect: { Options: [{ RefId: 'yes', Text: 'Yes', Score: 10 }, { RefId: 'no', Text: 'No', Score: 0, AutomaticFail: true }] } },
                  Weight: 0,
                },
              },
            ],
            Weight: 100,
          },
        },
      ],
      ScoringStrategy: { Mode: 'QUESTION_ONLY', Status: 'ENABLED' },
    },
  };
}

function agentEvents(agentId: string, list: { at: number; state: string }[], marks: { at: number; contactId: string }[], ids: Ids, instance: string): ConnectSimRecord[] {
  const out: ConnectSimRecord[] = [];
  const arn = ids.agentArn(agentId);
  let seq = 0;
  let prev = 'offline';
  /** The leg an agent is on or wrapping at `at`: the next leg they finish. */
  const legAt = (at: number) => marks.find((m) => m.at >= at)?.contactId;
  const snapshot = (state: string, at: number) => {
    const status = state === 'break' ? 'Break' : state === 'offline' ? 'Offline' : 'Available';
    const leg = state === 'busy' || state === 'wrap' ? legAt(at) : undefined;
    return {
      AgentStatus: { ARN: `${instance}/agent-state/${simUuid('status', status)}`, Name: status, StartTimestamp: new Date(at).toISOString(), Type: status === 'Available' ? 'ROUTABLE' : status === 'Offline' ? 'OFFLINE' : 'CUSTOM' },
      Configuration: { AgentHierarchyGroups: null, FirstName: agentId, LastName: '', RoutingProfile: { ARN: `${instance}/routing-profile/${simUuid('routing-profile', 'default')}`, Name: 'Frontline simulated profile' }, Username: agentId },
      Contacts: leg ? [{ ContactId: leg, Channel: 'VOICE', InitiationMethod: 'INBOUND', State: state === 'busy' ? 'CONNECTED' : 'ENDED', StateStartTimestamp: new Date(at).toISOString() }] : [],
    };
  };
  const event = (type: string, state: string, at: number, snapshotAt = at): ConnectSimRecord => ({
    atMs: at,
    kind: 'agent-event',
    doc: {
      AWSAccountId: CONNECT_SIM_ACCOUNT,
      AgentARN: arn,
      CurrentAgentSnapshot: snapshot(state, snapshotAt),
      EventId: simUuid('agent-event', agentId, at, seq++),
      EventTimestamp: new Date(at).toISOString(),
      EventType: type,
      InstanceARN: instance,
      PreviousAgentSnapshot: null,
      Version: '2019-05-25',
    },
  });
  for (let i = 0; i < list.length; i++) {
    const s = list[i] as { at: number; state: string };
    const type = s.state === 'offline' ? 'LOGOUT' : prev === 'offline' ? 'LOGIN' : 'STATE_CHANGE';
    out.push(event(type, s.state, s.at));
    prev = s.state;
    if (s.state === 'offline') continue;
    const until = list[i + 1]?.at ?? s.at;
    for (let hb = s.at + HEARTBEAT_MS; hb < until; hb += HEARTBEAT_MS) out.push(event('HEART_BEAT', s.state, hb, s.at));
  }
  return out;
}

/**
 * The simulated centre in Firehose HTTP endpoint delivery requests, as Firehose would POST them to the source's
 * `firehose` endpoint: records Base64-encoded, `recordsPerRequest` to a request (default 500), in delivery order.
 */
export function connectFirehoseRequests(
  events: readonly FrontlineEvent[],
  opts: { accessKey: string; recordsPerRequest?: number; instanceArn?: string },
): { endpoint: 'firehose'; headers: Record<string, string>; body: string }[] {
  const per = Math.max(1, Math.min(10_000, opts.recordsPerRequest ?? 500));
  const records = connectSimRecords(events, opts.instanceArn !== undefined ? { instanceArn: opts.instanceArn } : {});
  const out: { endpoint: 'firehose'; headers: Record<string, string>; body: string }[] = [];
  for (let i = 0; i < records.length; i += per) {
    const chunk = records.slice(i, i + per);
    const requestId = simUuid('firehose-request', i, chunk[0]?.atMs ?? 0);
    const timestamp = chunk.at(-1)?.atMs ?? 0;
    out.push({
      endpoint: 'firehose',
      headers: {
        'content-type': 'application/json',
        'x-amz-firehose-protocol-version': '1.0',
        'x-amz-firehose-request-id': requestId,
        'x-amz-firehose-source-arn': `arn:aws:firehose:${CONNECT_SIM_REGION}:${CONNECT_SIM_ACCOUNT}:deliverystream/frontline-connect`,
        'x-amz-firehose-access-key': opts.accessKey,
      },
      body: JSON.stringify({ requestId, timestamp, records: chunk.map((r) => ({ data: Buffer.from(JSON.stringify(r.doc)).toString('base64') })) }),
    });
  }
  return out;
}
