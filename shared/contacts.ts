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
  /** The agent who answered first (whom the KPIs attribute the contact to). */
  agentId: string | null;
  outcome: 'answered' | 'abandoned' | 'open';
  waitSeconds: number | null;
  handleSeconds: number | null;
  csat: number | null;
  nps: number | null;
  resolved: boolean | null;
  comment: string | null;
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
