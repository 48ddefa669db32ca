/**
 * One contact as the KPI engine holds it, and how each stored event changes it (contract v2 revisions included).
 *
 * A contact's lifecycle (offered, answered, transferred, ended, abandoned) may come in revisions: the highest revision
 * replaces everything lower revisions said, and a lower revision arriving late changes nothing. Lifecycle events
 * without a revision (contract v1) rank below every revision. Within one revision every rule is order-free (earliest
 * answer, earliest abandon, segments by id), so the state is a pure function of the set of events seen, in any order,
 * with any duplicates: the property test in test/integration/revisions-property.test.ts holds the engine to that.
 */
import type { Channel, FrontlineEvent, LifecycleEvent } from '../../shared/events.js';
import { isLifecycle } from '../../shared/events.js';
import { surveyScores, type SurveyScores } from '../../shared/surveys.js';
import { SharedEmptyMap, SharedEmptySet } from './shared-empty.js';

/** One handled leg: a `contact.ended`, for the agent (and queue) who handled it. */
export interface Leg {
  agentId: string;
  queueId: string | undefined;
  handleSeconds: number;
  holdSeconds: number;
  holds: number;
  resolved: boolean;
  atMs: number;
}

export interface ContactState {
  id: string;
  /** The lifecycle revision held: undefined while only unrevised (v1) lifecycle events were seen. */
  revision?: number;
  offeredMs?: number;
  queueId?: string;
  channel?: Channel;
  customerId?: string;
  reason?: string;
  callback?: boolean;
  answeredMs?: number;
  /** The agent who answered first: the wait, service level and ASA are theirs. */
  agentId?: string;
  /** The wait as the platform measured it (from the earliest answer or abandon that gave one). */
  platformWaitSeconds?: number;
  abandonedMs?: number;
  abandonedInIvr?: boolean;
  legs: Map<string, Leg>;
  /** Survey responses by response key (the platform's response id, else the event id), with their revision. */
  surveys: Map<string, HeldResponse>;
  /** Survey programmes offered for this contact. */
  surveysOffered: Set<string>;
  /** QA evaluations by evaluation key (the evaluationId, else the event id), with their revision. */
  qa: Map<string, HeldEvaluation>;
  complaints: Map<string, string | undefined>;
  /** For a complaint that names no contact: its own time stands in for the offer time. */
  standaloneMs?: number;
  repeated: boolean;
}

export const DEFAULT_PROGRAMME = 'default';

export interface HeldResponse {
  revision: number;
  eventId: string;
  programme: string;
  scores: SurveyScores;
}

export interface HeldEvaluation {
  agentId: string;
  score: number;
  revision: number;
  eventId: string;
}

/** A new contact shares read-only empty collections and gets its own on the first write (below, the only place they are written). */
const NO_SURVEYS: Map<string, HeldResponse> = new SharedEmptyMap();
const NO_PROGRAMMES: Set<string> = new SharedEmptySet();
const NO_EVALUATIONS: Map<string, HeldEvaluation> = new SharedEmptyMap();
const NO_COMPLAINTS: Map<string, string | undefined> = new SharedEmptyMap();

export function newContact(id: string): ContactState {
  return { id, legs: new Map(), surveys: NO_SURVEYS, surveysOffered: NO_PROGRAMMES, qa: NO_EVALUATIONS, complaints: NO_COMPLAINTS, repeated: false };
}

/** Forgets everything the lifecycle said (a higher revision is about to say it again). */
function resetLifecycle(c: ContactState): void {
  delete c.offeredMs;
  delete c.queueId;
  delete c.channel;
  delete c.customerId;
  delete c.reason;
  delete c.callback;
  delete c.answeredMs;
  delete c.agentId;
  delete c.platformWaitSeconds;
  delete c.abandonedMs;
  delete c.abandonedInIvr;
  c.legs.clear();
}

/** -1 ranks unrevised events below revision 0. */
const rank = (revision: number | undefined): number => revision ?? -1;

export type Change = 'ignored' | 'changed' | 'reset';

/**
 * Applies one lifecycle event. 'reset' when it started a higher revision (the offer may have moved: the engine
 * re-links the customer), 'ignored' when a higher revision is already held.
 */
function applyLifecycle(c: ContactState, e: LifecycleEvent): Change {
  const r = rank(e.revision);
  const held = rank(c.revision);
  if (r < held) return 'ignored';
  let change: Change = 'changed';
  if (r > held) {
    resetLifecycle(c);
    c.revision = e.revision;
    change = 'reset';
  }
  const at = Date.parse(e.occurredAt);
  switch (e.type) {
    case 'contact.offered':
      if (c.offeredMs === undefined) {
        c.offeredMs = at;
        c.queueId = e.queueId;
        c.channel = e.channel;
        if (e.customerId !== undefined) c.customerId = e.customerId;
        if (e.reason !== undefined) c.reason = e.reason;
        if (e.callback) c.callback = true;
        if (change === 'changed') change = 'reset';
      }
      break;
    case 'contact.answered':
      if (c.answeredMs === undefined || at < c.answeredMs) {
        c.answeredMs = at;
        c.agentId = e.agentId;
        if (e.waitSeconds !== undefined) c.platformWaitSeconds = e.waitSeconds;
        else delete c.platformWaitSeconds;
      }
      break;
    case 'contact.abandoned':
      if (c.abandonedMs === undefined || at < c.abandonedMs) {
        c.abandonedMs = at;
        c.abandonedInIvr = e.abandonedIn === 'ivr';
        if (c.answeredMs === undefined) {
          if (e.waitSeconds !== undefined) c.platformWaitSeconds = e.waitSeconds;
          else delete c.platformWaitSeconds;
        }
      }
      break;
    case 'contact.ended':
      c.legs.set(e.id, {
        agentId: e.agentId,
        queueId: e.queueId,
        handleSeconds: e.talkSeconds + e.holdSeconds + e.wrapSeconds,
        holdSeconds: e.holdSeconds,
        holds: e.holdCount ?? (e.holdSeconds > 0 ? 1 : 0),
        resolved: e.resolved,
        atMs: at,
      });
      break;
    case 'contact.transferred':
      break;
  }
  return change;
}

/** Applies any event of this contact; what changed tells the engine whether to re-link the customer. */
export function applyToContact(c: ContactState, e: FrontlineEvent): Change {
  if (isLifecycle(e)) return applyLifecycle(c, e);
  const at = Date.parse(e.occurredAt);
  switch (e.type) {
    case 'survey.offered':
      if (c.surveysOffered === NO_PROGRAMMES) c.surveysOffered = new Set();
      c.surveysOffered.add(e.programmeId ?? DEFAULT_PROGRAMME);
      break;
    case 'survey.responded': {
      const key = e.responseId === undefined ? `event:${e.id}` : `response:${e.responseId}`;
      const revision = e.responseId === undefined ? 0 : (e.revision ?? at);
      const held = c.surveys.get(key);
      if (held && held.revision > revision) return 'ignored';
      // Equal revisions of one response: the larger event id wins, so arrival order never matters.
      if (held && held.revision === revision && held.eventId > e.id) return 'ignored';
      if (c.surveys === NO_SURVEYS) c.surveys = new Map();
      c.surveys.set(key, { revision, eventId: e.id, programme: e.programmeId ?? DEFAULT_PROGRAMME, scores: surveyScores(e) });
      break;
    }
    case 'qa.evaluated': {
      // An amended evaluation (same evaluationId, higher revision) replaces the earlier one, like a survey response.
      const key = e.evaluationId === undefined ? `event:${e.id}` : `evaluation:${e.evaluationId}`;
      const revision = e.evaluationId === undefined ? 0 : (e.revision ?? at);
      const held = c.qa.get(key);
      if (held && held.revision > revision) return 'ignored';
      if (held && held.revision === revision && held.eventId > e.id) return 'ignored';
      if (c.qa === NO_EVALUATIONS) c.qa = new Map();
      c.qa.set(key, { agentId: e.agentId, score: e.criticalFail ? 0 : e.score, revision, eventId: e.id });
      break;
    }
    case 'complaint.logged':
      if (c.complaints === NO_COMPLAINTS) c.complaints = new Map();
      c.complaints.set(e.id, e.agentId);
      if (e.contactId === undefined) c.standaloneMs = at;
      break;
    case 'agent.state':
      return 'ignored';
    default:
      return 'ignored';
  }
  return 'changed';
}

/** Legs in time order (ties by agent), so "the last handling agent" is the same whatever order events came in. */
export function legsInOrder(c: ContactState): Leg[] {
  return [...c.legs.entries()].sort((a, b) => a[1].atMs - b[1].atMs || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, l]) => l);
}
