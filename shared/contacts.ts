/**
 * Drill-down to single contacts, shared by server and client: the contacts behind a chart point or bar (a scope, a
 * period and the KPI being looked at), and one contact's record with its whole timeline. Comments are masked in the
 * store already.
 */
import type { FrontlineEvent } from './events.js';

export interface ContactRow {
  contactId: string;
  offeredAt: string;
  channel: string | null;
  queueId: string | null;
  /** The contact reason the offer carried, if any. */
  reason: string | null;
  /**
   * The agent the contact's outcome (survey, FCR, complaint) is credited to: the last who handled it, or the first
   * who answered when the centre's credit rule says so (shared/kpis.ts CREDIT_RULES).
   */
  agentId: string | null;
  /** The agent who answered first: the wait, service level and ASA are theirs. */
  answeredBy: string | null;
  /** Each handled leg (a transfer adds one), with the agent whose handle time it is. */
  legs: { agentId: string; queueId: string | null; handleSeconds: number; holdSeconds: number }[];
  /** The lifecycle revision shown (contract v2), or null for an unrevised contact. */
  revision: number | null;
  /** For an abandoned contact: in the IVR (not counted as offered) or in the queue. */
  abandonedIn: 'ivr' | 'queue' | null;
  outcome: 'answered' | 'abandoned' | 'open';
  waitSeconds: number | null;
  handleSeconds: number | null;
  /** CSAT on the 1–5 scale (the programme's own answer mapped, shared/surveys.ts); null for good/bad or none. */
  csat: number | null;
  /** The answer as given ("4/5", "9/10", "good"), null when there is no CSAT answer. */
  csatLabel: string | null;
  /** Whether the CSAT answer counts as satisfied on its scale. */
  satisfied: boolean | null;
  nps: number | null;
  resolved: boolean | null;
  comment: string | null;
  /** Survey programmes offered for the contact, and how many of them were answered (response rate). */
  surveysOffered: number;
  surveysAnswered: number;
  complaints: number;
  qaScore: number | null;
  /** True when the contact counts against the KPI asked about (a dissatisfied survey, an abandon, ...). */
  against: boolean | null;
}

export interface ContactsReply {
  scope: string;
  from: string;
  to: string;
  kpi: string | null;
  /** Contacts that count towards the KPI in the period (all offered contacts when no KPI is given). */
  total: number;
  /** Of those, the ones that count against it. */
  against: number;
  contacts: ContactRow[];
}

export interface ContactRecord {
  contact: ContactRow;
  /** Every stored event of the contact in time order (free text masked). */
  timeline: FrontlineEvent[];
}
