/**
 * Amazon Connect records for tests, each built field by field from the public documentation named above it, and a
 * helper that maps records the way the pipeline does (memory keys loaded, events checked against contract v2).
 */
import { gzipSync } from 'node:zlib';
import { normaliseV2 } from '../../../shared/contract-v2.js';
import type { FrontlineEvent } from '../../../shared/events.js';
import { EMPTY_MAPPING, sourceMapping, type SourceMapping } from '../../../shared/sources.js';
import { connectMapper } from '../../../server/connectors/connect/mapping.js';
import type { MapOutcome, MapperMemory, RawRecord } from '../../../server/connectors/types.js';

export const ACCOUNT = '123456789012';
export const INSTANCE = `arn:aws:connect:eu-west-2:${ACCOUNT}:instance/aaaaaaaa-bbbb-cccc-dddd-111111111111`;
export const SOURCE_ID = 'src-connect';

/** Connect users (agent ARN ends with the user id) and queues (ARN ends with the queue id). */
export const USERS = {
  ann: '4d2c1b0a-1111-4aaa-8aaa-000000000001',
  bob: '4d2c1b0a-2222-4aaa-8aaa-000000000002',
  cat: '4d2c1b0a-3333-4aaa-8aaa-000000000003',
  lee: '4d2c1b0a-4444-4aaa-8aaa-000000000004',
} as const;
export type User = keyof typeof USERS;
export const agentArn = (u: User) => `${INSTANCE}/agent/${USERS[u]}`;

export const QUEUES = {
  Billing: 'b7e5a3c1-0001-4bbb-9bbb-00000000000a',
  Tech: 'b7e5a3c1-0002-4bbb-9bbb-00000000000b',
} as const;
export type QueueName = keyof typeof QUEUES;
export const queueArn = (q: QueueName) => `${INSTANCE}/queue/${QUEUES[q]}`;

/** Connect writes contact record times as yyyy-mm-ddThh:mm:ssZ (whole seconds, UTC). */
export const ctrTime = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export interface CtrSpec {
  contactId: string;
  /** InitiationTimestamp (ms). */
  at: number;
  channel?: 'VOICE' | 'CHAT' | 'TASK' | 'EMAIL';
  method?: string;
  /** Seconds in the flow (IVR) before the contact entered the queue. */
  ivrS?: number;
  queue?: QueueName;
  /** Queue.Duration: seconds between EnqueueTimestamp and DequeueTimestamp. */
  waitS?: number;
  agent?: User;
  talkS?: number;
  holdS?: number;
  holds?: number;
  acwS?: number;
  attributes?: Record<string, string>;
  initialContactId?: string;
  previousContactId?: string;
  nextContactId?: string;
  /** LastUpdateTimestamp, seconds after the end of after-contact work (or after the disconnect). */
  updatedAfterS?: number;
  disconnectReason?: string;
  caller?: string;
  transferredTo?: string;
}

/**
 * A contact record as "Contact records data model" describes it
 * (https://docs.aws.amazon.com/connect/latest/adminguide/ctr-data-model.html; archived copy:
 * github.com/awsdocs/amazon-connect-admin-guide doc_source/ctr-data-model.md): Agent {ARN, Username,
 * ConnectedToAgentTimestamp, AgentInteractionDuration, CustomerHoldDuration, NumberOfHolds, LongestHoldDuration,
 * AfterContactWorkStartTimestamp, AfterContactWorkEndTimestamp, AfterContactWorkDuration, RoutingProfile,
 * HierarchyGroups}, Queue {ARN, Name, EnqueueTimestamp, DequeueTimestamp, Duration}, Attributes, Channel, ContactId,
 * InitialContactId, PreviousContactId, NextContactId, InitiationMethod, InitiationTimestamp, ConnectedToSystemTimestamp,
 * DisconnectTimestamp, DisconnectReason, LastUpdateTimestamp, CustomerEndpoint, SystemEndpoint, TransferredToEndpoint,
 * TransferCompletedTimestamp, AWSAccountId, AWSContactTraceRecordFormatVersion, InstanceARN, MediaStreams, Recordings.
 * Times are whole seconds; the agent talks, holds and wraps in that order after the queue.
 */
export function ctr(s: CtrSpec): Record<string, unknown> {
  const enqueue = s.at + (s.ivrS ?? 0) * 1000;
  const dequeue = enqueue + (s.waitS ?? 0) * 1000;
  const talkEnd = dequeue + ((s.talkS ?? 0) + (s.holdS ?? 0)) * 1000;
  const acwEnd = talkEnd + (s.acwS ?? 0) * 1000;
  const disconnect = s.agent ? talkEnd : s.queue ? dequeue : enqueue;
  const lastUpdate = (s.agent ? acwEnd : disconnect) + (s.updatedAfterS ?? 0) * 1000;
  const record: Record<string, unknown> = {
    AWSAccountId: ACCOUNT,
    AWSContactTraceRecordFormatVersion: '2017-03-10',
    Agent: s.agent
      ? {
          ARN: agentArn(s.agent),
          AfterContactWorkDuration: s.acwS ?? 0,
          AfterContactWorkEndTimestamp: ctrTime(acwEnd),
          AfterContactWorkStartTimestamp: ctrTime(talkEnd),
          AgentInteractionDuration: s.talkS ?? 0,
          ConnectedToAgentTimestamp: ctrTime(dequeue),
          CustomerHoldDuration: s.holdS ?? 0,
          HierarchyGroups: null,
          LongestHoldDuration: s.holdS ?? 0,
          NumberOfHolds: s.holds ?? (s.holdS ? 1 : 0),
          RoutingProfile: { ARN: `${INSTANCE}/routing-profile/rp-1`, Name: 'Basic Routing Profile' },
          Username: s.agent,
        }
      : null,
    AgentConnectionAttempts: s.agent ? 1 : 0,
    Attributes: s.attributes ?? {},
    Channel: s.channel ?? 'VOICE',
    ConnectedToSystemTimestamp: ctrTime(s.at),
    ContactId: s.contactId,
    CustomerEndpoint: { Address: s.caller ?? '+447700900123', Type: 'TELEPHONE_NUMBER' },
    DisconnectTimestamp: ctrTime(disconnect),
    DisconnectReason: s.disconnectReason ?? 'CUSTOMER_DISCONNECT',
    InitialContactId: s.initialContactId ?? null,
    InitiationMethod: s.method ?? 'INBOUND',
    InitiationTimestamp: ctrTime(s.at),
    InstanceARN: INSTANCE,
    LastUpdateTimestamp: ctrTime(lastUpdate),
    MediaStreams: [{ Type: 'AUDIO' }],
    NextContactId: s.nextContactId ?? null,
    PreviousContactId: s.previousContactId ?? null,
    Queue: s.queue
      ? { ARN: queueArn(s.queue), DequeueTimestamp: ctrTime(dequeue), Duration: s.waitS ?? 0, EnqueueTimestamp: ctrTime(enqueue), Name: s.queue }
      : null,
    Recording: null,
    Recordings: null,
    SystemEndpoint: { Address: '+441134960000', Type: 'TELEPHONE_NUMBER' },
    TransferCompletedTimestamp: s.transferredTo ? ctrTime(talkEnd) : null,
    TransferredToEndpoint: s.transferredTo ? { Address: s.transferredTo, Type: 'TELEPHONE_NUMBER' } : null,
  };
  return record;
}

/**
 * An agent event stream record as "Agent event streams data model" and "Sample agent event stream" describe it
 * (https://docs.aws.amazon.com/connect/latest/adminguide/agent-event-stream-model.html,
 * .../sample-agent-event-stream.html): AgentARN, AWSAccountId, CurrentAgentSnapshot {AgentStatus {ARN, Name,
 * StartTimestamp, Type}, Configuration {FirstName, LastName, Username, RoutingProfile, AgentHierarchyGroups},
 * Contacts [{ContactId, InitialContactId, Channel, InitiationMethod, State, StateStartTimestamp,
 * ConnectedToAgentTimestamp, QueueTimestamp, Queue}]}, EventId, EventTimestamp, EventType, InstanceARN,
 * PreviousAgentSnapshot, Version.
 */
export function agentEvent(o: { user: User; at: number; status: string; type?: string; eventId: string; contacts?: { contactId: string; state: string }[] }): Record<string, unknown> {
  const ts = new Date(o.at).toISOString();
  const snapshot = {
    AgentStatus: { ARN: `${INSTANCE}/agent-state/${o.status.toLowerCase()}`, Name: o.status, StartTimestamp: ts, Type: o.status === 'Available' ? 'ROUTABLE' : o.status === 'Offline' ? 'OFFLINE' : 'CUSTOM' },
    Configuration: {
      AgentHierarchyGroups: null,
      FirstName: o.user[0]?.toUpperCase() + o.user.slice(1),
      LastName: 'Agent',
      RoutingProfile: { ARN: `${INSTANCE}/routing-profile/rp-1`, Name: 'Basic Routing Profile', Concurrency: [{ AvailableSlots: 1, Channel: 'VOICE', MaximumSlots: 1 }], DefaultOutboundQueue: null, InboundQueues: [] },
      Username: o.user,
    },
    Contacts: (o.contacts ?? []).map((c) => ({
      Channel: 'VOICE',
      ConnectedToAgentTimestamp: ts,
      ContactId: c.contactId,
      InitialContactId: null,
      InitiationMethod: 'INBOUND',
      Queue: { ARN: queueArn('Billing') },
      QueueTimestamp: ts,
      State: c.state,
      StateStartTimestamp: ts,
    })),
  };
  return {
    AWSAccountId: ACCOUNT,
    AgentARN: agentArn(o.user),
    CurrentAgentSnapshot: snapshot,
    EventId: o.eventId,
    EventTimestamp: ts,
    EventType: o.type ?? 'STATE_CHANGE',
    InstanceARN: INSTANCE,
    PreviousAgentSnapshot: null,
    Version: '2019-05-25',
  };
}

/**
 * An EventBridge "Amazon Connect Contact Event" as "Amazon Connect contact events" shows it
 * (https://docs.aws.amazon.com/connect/latest/adminguide/contact-events.html, "Sample contact event for when a voice
 * call is disconnected"): envelope {version, id, detail-type, source, account, time, region, resources} and detail
 * {eventType, contactId, initialContactId, previousContactId, channel, instanceArn, initiationMethod,
 * initiationTimestamp, connectedToSystemTimestamp, disconnectTimestamp, queueInfo {queueArn, queueType,
 * enqueueTimestamp}, agentInfo {agentArn, connectedToAgentTimestamp}}.
 */
export function contactEvent(o: { eventType: string; contactId: string; at: number; queue?: QueueName; enqueuedAt?: number; agent?: User; connectedAt?: number; disconnectedAt?: number; initialContactId?: string; method?: string }): Record<string, unknown> {
  const detail: Record<string, unknown> = {
    eventType: o.eventType,
    contactId: o.contactId,
    channel: 'VOICE',
    instanceArn: INSTANCE,
    initiationMethod: o.method ?? 'INBOUND',
    initiationTimestamp: new Date(o.at).toISOString(),
  };
  if (o.initialContactId) detail.initialContactId = o.initialContactId;
  if (o.queue) detail.queueInfo = { queueArn: queueArn(o.queue), queueType: 'STANDARD', enqueueTimestamp: new Date(o.enqueuedAt ?? o.at).toISOString() };
  if (o.agent) detail.agentInfo = { agentArn: agentArn(o.agent), connectedToAgentTimestamp: new Date(o.connectedAt ?? o.at).toISOString() };
  if (o.disconnectedAt !== undefined) detail.disconnectTimestamp = new Date(o.disconnectedAt).toISOString();
  return {
    version: '0',
    id: `ev-${o.contactId}-${o.eventType}`,
    'detail-type': 'Amazon Connect Contact Event',
    source: 'aws.connect',
    account: ACCOUNT,
    time: new Date(o.disconnectedAt ?? o.connectedAt ?? o.enqueuedAt ?? o.at).toISOString(),
    region: 'eu-west-2',
    resources: [`${INSTANCE}/contact/${o.contactId}`, INSTANCE],
    detail,
  };
}

/**
 * A Contact Lens analysis file for a call, trimmed from "Example Contact Lens output files for a call"
 * (https://docs.aws.amazon.com/connect/latest/adminguide/contact-lens-example-output-files.html): Version, AccountId,
 * Channel, ContentMetadata {Output}, JobStatus, LanguageCode, Participants, Categories, ConversationCharacteristics
 * {TotalConversationDurationMillis, Sentiment.OverallSentiment {AGENT, CUSTOMER}, Interruptions, NonTalkTime,
 * TalkSpeed, TalkTime}, Transcript [...]. The contact id in CustomerMetadata.ContactId as the chat example has it.
 */
export function contactLensCall(contactId: string, o: { redacted?: boolean; categories?: string[] } = {}): Record<string, unknown> {
  return {
    Version: 'VOICE-2022-11-30',
    AccountId: ACCOUNT,
    Channel: 'VOICE',
    ContentMetadata: o.redacted ? { Output: 'Redacted', RedactionTypes: ['PII'] } : { Output: 'Raw' },
    JobStatus: 'COMPLETED',
    LanguageCode: 'en-US',
    Participants: [
      { ParticipantId: 'CUSTOMER', ParticipantRole: 'CUSTOMER' },
      { ParticipantId: 'AGENT', ParticipantRole: 'AGENT' },
    ],
    Categories: { MatchedCategories: o.categories ?? [], MatchedDetails: {} },
    ConversationCharacteristics: {
      TotalConversationDurationMillis: 32110,
      Sentiment: { OverallSentiment: { AGENT: 0, CUSTOMER: 3.1 }, SentimentByPeriod: { QUARTER: { AGENT: [], CUSTOMER: [] } } },
      Interruptions: { InterruptionsByInterrupter: {}, TotalCount: 0, TotalTimeMillis: 0 },
      NonTalkTime: { TotalTimeMillis: 0, Instances: [] },
      TalkSpeed: { DetailsByParticipant: { AGENT: { AverageWordsPerMinute: 239 }, CUSTOMER: { AverageWordsPerMinute: 163 } } },
      TalkTime: { TotalTimeMillis: 28698, DetailsByParticipant: { AGENT: { TotalTimeMillis: 15079 }, CUSTOMER: { TotalTimeMillis: 13619 } } },
    },
    CustomModels: [],
    CustomerMetadata: { ContactId: contactId, InputS3Uri: `s3://connect-bucket/Analysis/Voice/2026/11/02/${contactId}_analysis_2026-11-02T09:20:00Z.json`, InstanceId: 'aaaaaaaa-bbbb-cccc-dddd-111111111111' },
    Transcript: [
      { BeginOffsetMillis: 0, Content: 'Okay.', EndOffsetMillis: 90, Id: 't1', ParticipantId: 'AGENT', Sentiment: 'NEUTRAL', LoudnessScore: [79.27] },
      { BeginOffsetMillis: 160, Content: o.redacted ? 'Just hello. My name is [PII] and help.' : 'Just hello. My name is Peter and help.', EndOffsetMillis: 4640, Id: 't2', ParticipantId: 'CUSTOMER', Sentiment: 'NEUTRAL' },
      { BeginOffsetMillis: 7370, Content: 'I need to cancel. I want to cancel my plan subscription. Call me on 07700 900123.', EndOffsetMillis: 11190, Id: 't3', ParticipantId: 'CUSTOMER', Sentiment: 'NEGATIVE' },
      { BeginOffsetMillis: 11220, Content: 'That sounds very bad. I can offer a 20% discount to make you stay with us.', EndOffsetMillis: 15210, Id: 't4', ParticipantId: 'AGENT', Sentiment: 'NEGATIVE' },
    ],
  };
}

export interface EvaluationSpec {
  evaluationId: string;
  contactId: string;
  agent?: User;
  evaluator?: User;
  /** LastModifiedTime, epoch seconds as the AWS JSON protocol sends timestamps. */
  modifiedS: number;
  status?: 'SUBMITTED' | 'DRAFT';
  /** Answers by question RefId: an option RefId (single select), a number (numeric) or 'N/A'. */
  answers: Record<string, string | number>;
  notes?: Record<string, string>;
  mode?: 'QUESTION_ONLY' | 'SECTION_ONLY';
  connectScore?: number;
}

/**
 * A DescribeContactEvaluation response (https://docs.aws.amazon.com/connect/latest/APIReference/API_DescribeContactEvaluation.html,
 * request/response syntax and the documented example): Evaluation {EvaluationId, EvaluationArn, Metadata {ContactId,
 * EvaluatorArn, ContactAgentId, Score}, Answers {refId: {Value {StringValue | NumericValue | NotApplicable}}}, Notes,
 * Scores, Status, CreatedTime, LastModifiedTime}, EvaluationForm {EvaluationFormVersion, EvaluationFormId,
 * EvaluationFormArn, Title, Items [{Section {Title, RefId, Items [{Question {Title, RefId, NotApplicableEnabled,
 * QuestionType, QuestionTypeProperties {SingleSelect {Options [{RefId, Text, Score, AutomaticFail}]} | Numeric
 * {MinValue, MaxValue, Options [{MinValue, MaxValue, Score, AutomaticFail}]}}, Weight}}], Weight}}], ScoringStrategy
 * {Mode, Status}}.
 *
 * The form (version 3 of "Voice quality"): section "Greeting" (weight 40) with q-greet "Did the agent introduce
 * themselves?" (Yes 10 / Partly 5 / No 0; weight 20) and q-verify "Identity verified before discussing the account?"
 * (Yes 10 / No 0 AutomaticFail; weight 20, N/A allowed); section "Resolution" (weight 60) with q-resolve "Was the issue
 * resolved?" (Yes 10 / No 0; weight 40), q-hold "Holds explained" (numeric 0–5 holds: 0 → 10, 1–2 → 6, 3–5 → 0;
 * weight 20, N/A allowed) and q-notes (TEXT, unscored).
 */
export function evaluation(s: EvaluationSpec): Record<string, unknown> {
  const answer = (refId: string) => {
    const v = s.answers[refId];
    if (v === undefined) return undefined;
    if (v === 'N/A') return { Value: { NotApplicable: true } };
    return { Value: typeof v === 'number' ? { NumericValue: v } : { StringValue: v } };
  };
  const answers: Record<string, unknown> = {};
  for (const q of ['q-greet', 'q-verify', 'q-resolve', 'q-hold', 'q-notes']) {
    const a = answer(q);
    if (a) answers[q] = a;
  }
  const yesNo = (fail: boolean) => [
    { RefId: 'yes', Text: 'Yes', Score: 10, AutomaticFail: false },
    { RefId: 'no', Text: 'No', Score: 0, AutomaticFail: fail },
  ];
  const q = (refId: string, title: string, weight: number, props: Record<string, unknown> | undefined, na = false, type = 'SINGLESELECT') => ({
    Question: { Title: title, RefId: refId, NotApplicableEnabled: na, QuestionType: type, ...(props ? { QuestionTypeProperties: props } : {}), Weight: weight },
  });
  return {
    Evaluation: {
      EvaluationId: s.evaluationId,
      EvaluationArn: `${INSTANCE}/contact-evaluation/${s.evaluationId}`,
      Metadata: {
        ContactId: s.contactId,
        EvaluatorArn: agentArn(s.evaluator ?? 'lee'),
        ...(s.agent ? { ContactAgentId: USERS[s.agent] } : {}),
        ...(s.connectScore !== undefined ? { Score: { Percentage: s.connectScore, NotApplicable: false, AutomaticFail: false } } : {}),
      },
      Answers: answers,
      Notes: Object.fromEntries(Object.entries(s.notes ?? {}).map(([k, v]) => [k, { Value: v }])),
      Status: s.status ?? 'SUBMITTED',
      CreatedTime: s.modifiedS - 600,
      LastModifiedTime: s.modifiedS,
      Tags: {},
    },
    EvaluationForm: {
      EvaluationFormVersion: 3,
      EvaluationFormId: 'form-voice-quality',
      EvaluationFormArn: `${INSTANCE}/evaluation-form/form-voice-quality`,
      Title: 'Voice quality',
      Items: [
        {
          Section: {
            Title: 'Greeting',
            RefId: 's-greeting',
            Items: [
              q('q-greet', 'Did the agent introduce themselves?', 20, { SingleSelect: { Options: [{ RefId: 'yes', Text: 'Yes', Score: 10 }, { RefId: 'partly', Text: 'Partly', Score: 5 }, { RefId: 'no', Text: 'No', Score: 0 }] } }),
              q('q-verify', 'Identity verified before discussing the account?', 20, { SingleSelect: { Options: yesNo(true) } }, true),
            ],
            Weight: 40,
          },
        },
        {
          Section: {
            Title: 'Resolution',
            RefId: 's-resolution',
            Items: [
              q('q-resolve', 'Was the issue resolved?', 40, { SingleSelect: { Options: yesNo(false) } }),
              q('q-hold', 'How many holds went unexplained?', 20, { Numeric: { MinValue: 0, MaxValue: 5, Options: [{ MinValue: 0, MaxValue: 0, Score: 10 }, { MinValue: 1, MaxValue: 2, Score: 6 }, { MinValue: 3, MaxValue: 5, Score: 0 }] } }, true, 'NUMERIC'),
              q('q-notes', 'Describe the outcome.', 0, undefined, false, 'TEXT'),
            ],
            Weight: 60,
          },
        },
      ],
      ScoringStrategy: { Mode: s.mode ?? 'QUESTION_ONLY', Status: 'ENABLED' },
    },
  };
}

/**
 * The evaluation file exported to S3, as "Example evaluation form output" shows it
 * (https://docs.aws.amazon.com/connect/latest/adminguide/evaluationforms-example-output-file.html): schemaVersion,
 * evaluationId, metadata {contactId, accountId, instanceId, agentId, evaluationDefinitionTitle, evaluator,
 * evaluationDefinitionId, evaluationDefinitionVersion, evaluationStartTimestamp, evaluationSubmitTimestamp,
 * score {percentage}}, sections [...], questions [...].
 */
export function exportedEvaluation(o: { evaluationId: string; contactId: string; agent: User; submittedAt: number; percentage: number; automaticFail?: boolean }): Record<string, unknown> {
  return {
    schemaVersion: '3.1',
    evaluationId: o.evaluationId,
    metadata: {
      contactId: o.contactId,
      accountId: ACCOUNT,
      instanceId: 'aaaaaaaa-bbbb-cccc-dddd-111111111111',
      agentId: USERS[o.agent],
      evaluationDefinitionTitle: 'Compliance Evaluation Form',
      evaluator: 'jane',
      evaluationDefinitionId: '15d8fbf1-b4b2-4ace-869b-82714e2f6e3e',
      evaluationDefinitionVersion: 2,
      evaluationStartTimestamp: new Date(o.submittedAt - 120_000).toISOString(),
      evaluationSubmitTimestamp: new Date(o.submittedAt).toISOString(),
      score: { percentage: o.percentage, ...(o.automaticFail ? { automaticFail: true } : {}) },
    },
    sections: [{ sectionRefId: 's1a1b58d6', sectionTitle: 'The title of the section', notes: 'Section note', score: { percentage: o.percentage } }],
    questions: [
      {
        questionRefId: 'q73bc5b9d',
        sectionRefId: 's1a1b58d6',
        questionType: 'SINGLESELECT',
        questionText: 'Did the agent introduce themselves?',
        answer: { values: [{ valueText: 'Yes', valueRefId: 'o6999aa94', selected: true }, { valueText: 'No', valueRefId: 'o284e4d9e', selected: false }], notes: 'Add more information here', metadata: { notApplicable: false } },
        score: { percentage: 100, ...(o.automaticFail ? { automaticFail: true } : {}) },
      },
    ],
  };
}

/** A Firehose HTTP endpoint delivery request body (records Base64-encoded), as the specification's example shows it. */
export function firehoseBody(docs: unknown[], requestId = 'ed4acda5-034f-9f42-bba1-f29aea6d7d8f'): { requestId: string; timestamp: number; records: { data: string }[] } {
  return { requestId, timestamp: 1578090901599, records: docs.map((d) => ({ data: Buffer.from(typeof d === 'string' ? d : JSON.stringify(d)).toString('base64') })) };
}

export function gzip(text: string): Buffer {
  return gzipSync(Buffer.from(text));
}

/** The mapper's memory as a plain Map (what the pipeline persists per source). */
export class MemoryMap implements MapperMemory {
  readonly data = new Map<string, unknown>();
  get(key: string): unknown {
    const v = this.data.get(key);
    return v === undefined ? undefined : (JSON.parse(JSON.stringify(v)) as unknown);
  }
  set(key: string, value: unknown): void {
    if (value === undefined) this.data.delete(key);
    else this.data.set(key, JSON.parse(JSON.stringify(value)) as unknown);
  }
}

export function mappingOf(m: Partial<SourceMapping> = {}): SourceMapping {
  return sourceMapping.parse({ ...EMPTY_MAPPING, ...m });
}

export interface Mapped {
  outcome: MapOutcome;
  /** The events as stored (contract v2 normalised: revision suffixes on ids); empty when not ok. */
  events: FrontlineEvent[];
}

/** Maps records one by one with one memory, as the pipeline does; every event must pass contract v2. */
export function mapRecords(records: RawRecord[], opts: { mapping?: SourceMapping; memory?: MemoryMap } = {}): Mapped[] {
  const mapping = opts.mapping ?? EMPTY_MAPPING;
  const memory = opts.memory ?? new MemoryMap();
  return records.map((record) => {
    connectMapper.memoryKeys?.(record);
    const outcome = connectMapper.map(record, { sourceId: SOURCE_ID, mapping, memory });
    const events: FrontlineEvent[] = [];
    if (outcome.ok) {
      for (const e of outcome.events) {
        const n = normaliseV2(e);
        if (!n.ok) throw new Error(`mapped event fails contract v2: ${JSON.stringify(n.issues)} in ${JSON.stringify(e)}`);
        events.push(n.event);
      }
    }
    return { outcome, events };
  });
}

export const rec = (kind: string, body: unknown): RawRecord => ({ kind, body });
