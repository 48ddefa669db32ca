/**
 * Genesys Cloud records for the connector's tests, built field by field from the platform's documentation:
 * - conversation detail records: the models of POST /api/v2/analytics/conversations/details/query in the official
 *   SDK's documentation, MyPureCloud/platform-client-sdk-python build/docs/AnalyticsConversationWithoutAttributes.md,
 *   AnalyticsParticipantWithoutAttributes.md (purpose: customer, acd, agent, ivr, ...), AnalyticsSession.md (mediaType
 *   voice/chat/...), AnalyticsConversationSegment.md (segmentType interact/hold/wrapup/alert/ivr, disconnectType
 *   transfer/peer/endpoint/..., queueId, wrapUpCode, wrapUpNote), AnalyticsSessionMetric.md ({name, value, emitDate};
 *   value in milliseconds for t-metrics), AnalyticsSurvey.md (surveyPromoterScore, surveyCompletedDate);
 *   the enum values are those of build/PureCloudPlatformClientV2/models/*.py (allowed_values).
 * - evaluation records: GET /api/v2/quality/conversations/{conversationId}/evaluations/{evaluationId}, model
 *   build/docs/EvaluationResponse.md with build/docs/EvaluationScoringSet.md (totalScore, anyFailedKillQuestions);
 *   status values PENDING, INPROGRESS, FINISHED, INREVIEW, RETRACTED (models/evaluation_response.py).
 * Not in the documentation reached: the values `surveyStatus` takes (the model lists none; 'Finished' is used here,
 * and the mapper does not read it), and whether `oTotalScore` is on a 0–100 scale (the mapper does not read it).
 */
import type { SourceMapping } from '../../../shared/sources.js';
import { EMPTY_MAPPING } from '../../../shared/sources.js';
import type { GenesysConversation, GenesysEvaluation } from '../../../server/connectors/genesys/mapping.js';

/** Monday 2 November 2026, 09:00 UTC (09:00 in London). */
export const T0 = Date.UTC(2026, 10, 2, 9);
export const at = (seconds: number): string => new Date(T0 + seconds * 1000).toISOString();

// Platform ids (UUIDs, as Genesys Cloud gives them).
export const CONV_TRANSFER = '5773eca4-0874-4617-a6e8-85591aa94609';
export const CONV_ABANDON = '25c4a260-d72b-4c47-969d-b93fc21294ae';
export const CONV_CHAT = '0bd86ddf-80f1-423d-afa8-0050569c1a86';
export const Q_BILLING = '39988345-a7c5-4ce5-851e-334cb54efc79';
export const Q_TECH = 'db3ceec4-eb54-48f7-bf52-373b86dd4ebc';
export const Q_CHAT = '7fb7130d-e76c-450f-8bcd-72a730bacb0a';
export const U_ANN = '2eb54224-120e-47b0-aab1-8c2daeac20d9';
export const U_BOB = '8dd0819f-9903-4913-85dd-22b10c388859';
export const U_CAT = 'a845c325-d129-40b2-bf7e-12e4584892c2';
export const U_LEE = 'f001e992-b736-49dd-bf9a-1324e1f9759e';
export const WRAP_RESOLVED = '659abad8-a6ef-4f03-abde-0346b6b2e814';
export const WRAP_TRANSFERRED = '19993269-789e-4f58-851e-502acccfe7e9';
export const WRAP_NOT_RESOLVED = '163ef82f-d77a-43c2-a7f7-3a4c62767d02';
export const SURVEY_FORM = 'e4185e91-656e-453c-9fa6-97a5bc4f1d2e';
export const SURVEY_1 = 'adb1b6d2-a855-4b95-8281-f5a0395f21a9';
export const EVAL_BOB = '311e5afe-fb13-476a-8dc3-04520e730ee8';
export const EVAL_CAT = '42674c26-8a14-4c48-b0be-a27ccdb128be';

/**
 * The source mapping the tests use: agents by name (participantName) or user id, queues by id or by name (the acd
 * participant's participantName), wrap-up codes by id.
 */
export const TEST_MAPPING: SourceMapping = {
  ...EMPTY_MAPPING,
  agents: { 'Ann Smith': 'ann', 'Bob Jones': 'bob', [U_CAT]: 'cat' },
  queues: { [Q_BILLING]: 'q-billing', 'Technical Support': 'q-tech', [Q_CHAT]: 'q-chat' },
  wrapCodes: { [WRAP_RESOLVED]: true, [WRAP_TRANSFERRED]: false, [WRAP_NOT_RESOLVED]: false },
};

const metric = (name: string, value: number, emitSeconds: number) => ({ name, value, emitDate: at(emitSeconds) });

/**
 * A voice call transferred between queues, as the details query returns it once ended: the caller spends 20 s in the
 * IVR, waits 12 s in Billing (tAcd 12 000 ms), Ann answers (tAnswered 12 000 ms), talks 120 s, holds 30 s, talks 90 s
 * and transfers to the Technical Support queue (disconnectType "transfer"), then wraps up 20 s (wrap-up code
 * "transferred"). The call waits 28 s in Technical Support; Bob answers, talks 300 s, the caller hangs up (disconnectType
 * "peer"), Bob wraps up 60 s with the code "resolved". The caller answers the web survey 0–10 with 9 at 09:30.
 */
export function transferredCall(): GenesysConversation {
  return {
    conversationId: CONV_TRANSFER,
    conversationStart: at(0),
    conversationEnd: at(660),
    originatingDirection: 'inbound',
    divisionIds: ['5b703b3e-b3d6-4733-994e-bf09ceecd1a1'],
    participants: [
      {
        participantId: 'd3d039dd-f1c5-482f-944d-90a5f184b503', participantName: '+44 113 496 0001', purpose: 'customer',
        externalContactId: 'd281ff23-af8a-48da-8ce3-7a7296405d4d',
        sessions: [{
          sessionId: 'cf755403-a3f3-486d-a4c2-6439ef5a4df4', mediaType: 'voice', direction: 'inbound', ani: 'tel:+441134960001', dnis: 'tel:+441134960000',
          segments: [
            { segmentStart: at(0), segmentEnd: at(0.2), segmentType: 'system' },
            { segmentStart: at(0.2), segmentEnd: at(600), segmentType: 'interact', disconnectType: 'endpoint' },
          ],
          metrics: [metric('nConnected', 1, 0.2), metric('tConnected', 599_800, 600)],
        }],
      },
      {
        participantId: '01179df0-fd39-419d-ad53-9196fe03191e', participantName: 'Main IVR', purpose: 'ivr',
        sessions: [{
          sessionId: '15c2f388-0bf4-455b-8471-20489194a644', mediaType: 'voice', direction: 'inbound',
          segments: [{ segmentStart: at(0), segmentEnd: at(20), segmentType: 'ivr', disconnectType: 'transfer' }],
          metrics: [metric('nFlow', 1, 0), metric('tIvr', 20_000, 20)],
        }],
      },
      {
        participantId: '7a1c0d2e-1b3f-4e5a-9c6d-0e1f2a3b4c5d', participantName: 'Billing', purpose: 'acd',
        sessions: [{
          sessionId: '6c3f058d-27ac-4b5b-889b-aed3ec88a149', mediaType: 'voice', direction: 'inbound',
          segments: [{ segmentStart: at(20), segmentEnd: at(32), segmentType: 'interact', queueId: Q_BILLING, disconnectType: 'transfer' }],
          metrics: [metric('nOffered', 1, 20), metric('tAcd', 12_000, 32)],
        }],
      },
      {
        participantId: 'dd15dcc6-e122-49fc-9107-a8d46317e680', participantName: 'Ann Smith', purpose: 'agent', userId: U_ANN,
        sessions: [{
          sessionId: '42674c26-8a14-4c48-b0be-a27ccdb12801', mediaType: 'voice', direction: 'inbound',
          segments: [
            { segmentStart: at(30), segmentEnd: at(32), segmentType: 'alert', queueId: Q_BILLING },
            { segmentStart: at(32), segmentEnd: at(152), segmentType: 'interact', queueId: Q_BILLING },
            { segmentStart: at(152), segmentEnd: at(182), segmentType: 'hold', queueId: Q_BILLING },
            { segmentStart: at(182), segmentEnd: at(272), segmentType: 'interact', queueId: Q_BILLING, disconnectType: 'transfer' },
            { segmentStart: at(272), segmentEnd: at(292), segmentType: 'wrapup', queueId: Q_BILLING, wrapUpCode: WRAP_TRANSFERRED, wrapUpNote: 'Broadband fault, passed to tech' },
          ],
          metrics: [
            metric('tAlert', 2_000, 32), metric('tAnswered', 12_000, 32), metric('tHeld', 30_000, 182), metric('tHeldComplete', 30_000, 182),
            metric('tTalk', 210_000, 272), metric('tTalkComplete', 210_000, 272), metric('nTransferred', 1, 272),
            metric('tAcw', 20_000, 292), metric('tHandle', 260_000, 292),
          ],
        }],
      },
      {
        participantId: '9f2e3d4c-5b6a-4789-8abc-def012345678', participantName: 'Technical Support', purpose: 'acd',
        sessions: [{
          sessionId: '828040b7-736e-4e89-aa54-9c7c29a08d72', mediaType: 'voice', direction: 'inbound',
          segments: [{ segmentStart: at(272), segmentEnd: at(300), segmentType: 'interact', queueId: Q_TECH, disconnectType: 'transfer' }],
          metrics: [metric('nOffered', 1, 272), metric('tAcd', 28_000, 300)],
        }],
      },
      {
        participantId: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d', participantName: 'Bob Jones', purpose: 'agent', userId: U_BOB,
        sessions: [{
          sessionId: 'ea6e6341-bc32-4ae7-86be-b00e81b754fa', mediaType: 'voice', direction: 'inbound',
          segments: [
            { segmentStart: at(298), segmentEnd: at(300), segmentType: 'alert', queueId: Q_TECH },
            { segmentStart: at(300), segmentEnd: at(600), segmentType: 'interact', queueId: Q_TECH, disconnectType: 'peer' },
            { segmentStart: at(600), segmentEnd: at(660), segmentType: 'wrapup', queueId: Q_TECH, wrapUpCode: WRAP_RESOLVED },
          ],
          metrics: [
            metric('tAlert', 2_000, 300), metric('tAnswered', 28_000, 300), metric('tTalk', 300_000, 600), metric('tTalkComplete', 300_000, 600),
            metric('tAcw', 60_000, 660), metric('tHandle', 360_000, 660),
          ],
        }],
      },
    ],
    surveys: [{
      surveyId: SURVEY_1, surveyFormId: SURVEY_FORM, surveyFormContextId: SURVEY_FORM, surveyFormName: 'Post-call survey',
      surveyType: 'Web', surveyStatus: 'Finished', eventTime: at(660), surveyCompletedDate: at(1_800), surveyPromoterScore: 9,
      queueId: Q_TECH, userId: U_BOB,
    }],
    evaluations: [{
      evaluationId: EVAL_BOB, evaluatorId: U_LEE, userId: U_BOB, eventTime: at(86_400), evaluationStatus: 'Finished',
      deleted: false, rescored: false, formName: 'Voice quality', oTotalScore: 85,
    }],
  };
}

/**
 * The same call read at 09:03:00, while Ann has the caller on hold: no conversationEnd, Ann's hold segment and the
 * caller's interact segment have no segmentEnd yet, no survey, no evaluation.
 */
export function transferredCallInProgress(): GenesysConversation {
  const c = transferredCall();
  const cut = Date.parse(at(180));
  delete c.conversationEnd;
  delete c.surveys;
  delete c.evaluations;
  c.participants = c.participants
    .map((p) => ({
      ...p,
      sessions: (p.sessions ?? []).map((s) => ({
        ...s,
        segments: (s.segments ?? []).filter((x) => Date.parse(x.segmentStart) <= cut).map((x) => {
          if (x.segmentEnd === undefined || Date.parse(x.segmentEnd) <= cut) return x;
          const { segmentEnd: _e, disconnectType: _d, ...rest } = x;
          return rest;
        }),
        metrics: (s.metrics ?? []).filter((m) => m.emitDate === undefined || Date.parse(m.emitDate) <= cut),
      })).filter((s) => s.segments.length > 0),
    }))
    .filter((p) => p.sessions.length > 0);
  return c;
}

/**
 * A voice call abandoned in the Billing queue: 10 s in the IVR, then 60 s waiting; the caller hangs up (customer
 * disconnectType "endpoint"); the acd session carries tAbandon = 60 000 ms.
 */
export function abandonedCall(): GenesysConversation {
  return {
    conversationId: CONV_ABANDON,
    conversationStart: at(3_600),
    conversationEnd: at(3_670),
    originatingDirection: 'inbound',
    participants: [
      {
        participantId: '3b9c1d2e-4f5a-4b6c-8d7e-9f0a1b2c3d4e', participantName: '+44 113 496 0002', purpose: 'customer',
        externalContactId: '6e5d4c3b-2a19-4807-b6f5-e4d3c2b1a098',
        sessions: [{ sessionId: 'c0ffee00-1111-4222-8333-444455556666', mediaType: 'voice', direction: 'inbound', segments: [{ segmentStart: at(3_600), segmentEnd: at(3_670), segmentType: 'interact', disconnectType: 'endpoint' }] }],
      },
      {
        participantId: '4c0d2e3f-5a6b-4c7d-9e8f-0a1b2c3d4e5f', participantName: 'Main IVR', purpose: 'ivr',
        sessions: [{ sessionId: 'c0ffee00-2222-4333-8444-555566667777', mediaType: 'voice', segments: [{ segmentStart: at(3_600), segmentEnd: at(3_610), segmentType: 'ivr', disconnectType: 'transfer' }] }],
      },
      {
        participantId: '5d1e3f4a-6b7c-4d8e-af90-1b2c3d4e5f60', participantName: 'Billing', purpose: 'acd',
        sessions: [{
          sessionId: 'c0ffee00-3333-4444-8555-666677778888', mediaType: 'voice', direction: 'inbound',
          segments: [{ segmentStart: at(3_610), segmentEnd: at(3_670), segmentType: 'interact', queueId: Q_BILLING, disconnectType: 'peer' }],
          metrics: [metric('nOffered', 1, 3_610), metric('tAbandon', 60_000, 3_670)],
        }],
      },
    ],
  };
}

/**
 * A web chat (mediaType "chat") on the chat queue: 5 s in queue; Cat (user id only, no participantName) chats 480 s and
 * wraps up 60 s with the code "not resolved".
 */
export function chatConversation(): GenesysConversation {
  return {
    conversationId: CONV_CHAT,
    conversationStart: at(7_200),
    conversationEnd: at(7_745),
    originatingDirection: 'inbound',
    participants: [
      {
        participantId: '6e2f4a5b-7c8d-4e9f-a0b1-2c3d4e5f6a7b', participantName: 'Jo', purpose: 'customer', externalContactId: '7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2910',
        sessions: [{ sessionId: 'c0ffee00-4444-4555-8666-777788889999', mediaType: 'chat', direction: 'inbound', segments: [{ segmentStart: at(7_200), segmentEnd: at(7_685), segmentType: 'interact', disconnectType: 'client' }] }],
      },
      {
        participantId: '7f3a5b6c-8d9e-4fa0-b1c2-3d4e5f6a7b8c', participantName: 'Web chat', purpose: 'acd',
        sessions: [{
          sessionId: 'c0ffee00-5555-4666-8777-88889999aaaa', mediaType: 'chat', direction: 'inbound',
          segments: [{ segmentStart: at(7_200), segmentEnd: at(7_205), segmentType: 'interact', queueId: Q_CHAT, disconnectType: 'transfer' }],
          metrics: [metric('nOffered', 1, 7_200), metric('tAcd', 5_000, 7_205)],
        }],
      },
      {
        participantId: '8a4b6c7d-9e0f-4a1b-82c3-4d5e6f7a8b9c', purpose: 'agent', userId: U_CAT,
        sessions: [{
          sessionId: 'c0ffee00-6666-4777-8888-9999aaaabbbb', mediaType: 'chat', direction: 'inbound',
          segments: [
            { segmentStart: at(7_205), segmentEnd: at(7_685), segmentType: 'interact', queueId: Q_CHAT, disconnectType: 'peer' },
            { segmentStart: at(7_685), segmentEnd: at(7_745), segmentType: 'wrapup', queueId: Q_CHAT, wrapUpCode: WRAP_NOT_RESOLVED },
          ],
          metrics: [metric('tAnswered', 5_000, 7_205), metric('tTalkComplete', 480_000, 7_685), metric('tAcw', 60_000, 7_745), metric('tHandle', 540_000, 7_745)],
        }],
      },
    ],
  };
}

/** Bob's evaluation of the transferred call, released the next day: 85, no failed critical ("kill") question. */
export function bobEvaluation(): GenesysEvaluation {
  return {
    id: EVAL_BOB,
    conversation: { id: CONV_TRANSFER },
    agent: { id: U_BOB, name: 'Bob Jones', username: 'bob.jones@example.com' },
    evaluator: { id: U_LEE, name: 'Lee Quality' },
    status: 'FINISHED',
    answers: { totalScore: 85, anyFailedKillQuestions: false, comments: 'Good diagnosis, clear close.' },
    createdDate: at(86_000),
    submittedDate: at(86_400),
    releaseDate: at(86_400),
    changedDate: at(86_400),
    conversationDate: at(0),
  };
}

/** Cat's evaluation of the chat: 92 but a failed kill question (the score counts 0). Made before the chat arrives. */
export function catEvaluation(): GenesysEvaluation {
  return {
    id: EVAL_CAT,
    conversation: { id: CONV_CHAT },
    agent: { id: U_CAT },
    evaluator: { id: U_LEE, name: 'Lee Quality' },
    status: 'FINISHED',
    answers: { totalScore: 92, anyFailedKillQuestions: true, comments: 'Identity not verified before account details.' },
    submittedDate: at(90_000),
    changedDate: at(90_000),
  };
}

/** A record that is not what the documentation says: a segment without its segmentStart, participants not an array. */
export function malformedConversations(): unknown[] {
  const c = chatConversation();
  const noStart = JSON.parse(JSON.stringify(c)) as { participants: { sessions: { segments: Record<string, unknown>[] }[] }[] };
  delete noStart.participants[2]?.sessions[0]?.segments[0]?.segmentStart;
  return [noStart, { ...c, participants: 'none' }];
}

/** A documented media type the source has no channel for: a video call (AnalyticsSession.mediaType "video"). */
export function videoCall(): GenesysConversation {
  const c = chatConversation();
  c.conversationId = '9b5c7d8e-0f1a-4b2c-93d4-5e6f7a8b9c0d';
  for (const p of c.participants) for (const s of p.sessions ?? []) s.mediaType = 'video';
  return c;
}

/**
 * A copy of a documented record under another conversation id, every time moved by `shiftMs` (for paging tests that
 * need many conversations of the same documented shape).
 */
export function shifted(c: GenesysConversation, conversationId: string, shiftMs: number): GenesysConversation {
  const move = (iso: string): string => new Date(Date.parse(iso) + shiftMs).toISOString();
  const copy = JSON.parse(JSON.stringify(c)) as GenesysConversation;
  copy.conversationId = conversationId;
  copy.conversationStart = move(copy.conversationStart);
  if (copy.conversationEnd) copy.conversationEnd = move(copy.conversationEnd);
  for (const p of copy.participants) for (const s of p.sessions ?? []) {
    for (const x of s.segments ?? []) {
      x.segmentStart = move(x.segmentStart);
      if (x.segmentEnd) x.segmentEnd = move(x.segmentEnd);
    }
    for (const m of s.metrics ?? []) if (m.emitDate) m.emitDate = move(m.emitDate);
  }
  for (const s of copy.surveys ?? []) {
    if (s.eventTime) s.eventTime = move(s.eventTime);
    if (s.surveyCompletedDate) s.surveyCompletedDate = move(s.surveyCompletedDate);
  }
  for (const e of copy.evaluations ?? []) if (e.eventTime) e.eventTime = move(e.eventTime);
  return copy;
}

/** A UUID-shaped id for the n-th test conversation. */
export const nthId = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
