/**
 * Zendesk test records, built from Zendesk's own documentation: each builder starts from the documented example and
 * the tests change only the fields a scenario needs (ids, times, status, assignee).
 */
import type {
  ZendeskGroup,
  ZendeskMetricEvent,
  ZendeskSatisfactionRating,
  ZendeskTicket,
  ZendeskTicketRecord,
  ZendeskUser,
} from '../../../server/connectors/zendesk/mapping.js';
import type { RawRecord } from '../../../server/connectors/types.js';

/**
 * The ticket of the "Incremental Ticket Export, Cursor Based" example response:
 * https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/#incremental-ticket-export-cursor-based
 */
export const DOC_TICKET: ZendeskTicket = {
  assignee_id: 235323,
  collaborator_ids: [35334, 234],
  created_at: '2009-07-20T22:55:29Z',
  custom_fields: [
    { id: 27642, value: '745' },
    { id: 27648, value: 'yes' },
  ],
  description: 'The fire is very colorful.',
  due_at: null,
  external_id: 'ahg35h3jh',
  follower_ids: [35334, 234],
  from_messaging_channel: false,
  generated_timestamp: 1304553600,
  group_id: 98738,
  has_incidents: false,
  id: 35436,
  organization_id: 509974,
  priority: 'high',
  problem_id: 9873764,
  raw_subject: '{{dc.printer_on_fire}}',
  recipient: 'support@company.com',
  requester_id: 20978392,
  satisfaction_rating: { comment: 'Great support!', id: 1234, score: 'good' },
  sharing_agreement_ids: [84432],
  status: 'open',
  subject: 'Help, my printer is on fire!',
  submitter_id: 76872,
  tags: ['enterprise', 'other_tag'],
  type: 'incident',
  updated_at: '2011-05-05T10:38:52Z',
  url: 'https://company.zendesk.com/api/v2/tickets/35436',
  via: { channel: 'web' },
};

/**
 * The user of the "Incremental User Export" example response (a side-loaded user has the same shape):
 * https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/#incremental-user-export-cursor-based
 */
export const DOC_USER: ZendeskUser = {
  active: true,
  alias: 'Mr. Johnny',
  created_at: '2009-07-20T22:55:29Z',
  email: 'johnny@example.com',
  external_id: 'sai989sur98w9',
  id: 35436,
  locale: 'en-US',
  name: 'Johnny Agent',
  role: 'agent',
  time_zone: 'Copenhagen',
  updated_at: '2011-05-05T10:38:52Z',
  url: 'https://company.zendesk.com/api/v2/users/35436.json',
};

/** A group: `id` and `name` are the Groups API's fields (https://developer.zendesk.com/api-reference/ticketing/groups/groups/). */
export function group(id: number, name: string): ZendeskGroup {
  return { id, name, default: false, deleted: false, created_at: '2009-07-20T22:55:29Z', updated_at: '2011-05-05T10:38:52Z', url: `https://company.zendesk.com/api/v2/groups/${id}.json` };
}

/** A user like DOC_USER with its own id, email and external id. */
export function user(id: number, externalId: string | null, name = `Agent ${id}`): ZendeskUser {
  return { ...DOC_USER, id, name, email: `${name.toLowerCase().replace(/[^a-z0-9]+/g, '.')}@example.com`, external_id: externalId, url: `https://company.zendesk.com/api/v2/users/${id}.json` };
}

/** DOC_TICKET with a scenario's fields; `updated_at` also sets `generated_timestamp` (a change of the ticket). */
export function ticket(over: Partial<ZendeskTicket> & { id: number; updated_at: string }): ZendeskTicket {
  return { ...DOC_TICKET, url: `https://company.zendesk.com/api/v2/tickets/${over.id}`, generated_timestamp: Math.floor(Date.parse(over.updated_at) / 1000), ...over };
}

/** The Time Tracking app's "Total time spent (sec)" field in the test account (its id is the account's own). */
export const TIME_SPENT_FIELD_ID = 360028226712;

/** A `ticket` record as the poller delivers it: the ticket, its side-loaded assignee and group, the time field. */
export function ticketRecord(t: ZendeskTicket, side: { users?: ZendeskUser[]; groups?: ZendeskGroup[]; timeSpentFieldId?: number | null } = {}): RawRecord {
  const body: ZendeskTicketRecord = { ticket: t };
  const a = side.users?.find((u) => u.id === t.assignee_id);
  const g = side.groups?.find((x) => x.id === t.group_id);
  if (a) body.assignee = a;
  if (g) body.group = g;
  if (side.timeSpentFieldId !== undefined) body.timeSpentFieldId = side.timeSpentFieldId;
  return { kind: 'ticket', body };
}

/** The Time Tracking total on a ticket, as a custom field value (seconds). */
export function timeSpent(seconds: number): { id: number; value: unknown }[] {
  return [
    { id: 27642, value: '745' },
    { id: TIME_SPENT_FIELD_ID, value: seconds },
  ];
}

/**
 * A ticket metric event, shaped as the List Ticket Metric Events example and the event types reference:
 * https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_metric_events/
 * https://developer.zendesk.com/documentation/ticketing/reference-guides/ticket-metric-event-types-reference
 * (`status` = minutes in calendar and business hours, on update_status events; `sla` on apply_sla events).
 */
export function metricEvent(over: Partial<ZendeskMetricEvent> & { id: number; ticket_id: number; metric: string; type: string; time: string }): RawRecord {
  return { kind: 'metric-event', body: { instance_id: 1, ...over } satisfies ZendeskMetricEvent };
}

/**
 * A satisfaction rating, shaped as the JSON format example of
 * https://developer.zendesk.com/api-reference/ticketing/ticket-management/satisfaction_ratings/
 */
export function rating(over: Partial<ZendeskSatisfactionRating> & { id: number; ticket_id: number; score: string; updated_at: string }): RawRecord {
  const body: ZendeskSatisfactionRating = {
    assignee_id: 135,
    created_at: over.updated_at,
    group_id: 44,
    requester_id: 7881,
    url: `https://company.zendesk.com/api/v2/satisfaction_ratings/${over.id}`,
    ...over,
  };
  return { kind: 'rating', body };
}

/** The documented satisfaction rating example, as a record. */
export const DOC_RATING: RawRecord = {
  kind: 'rating',
  body: { assignee_id: 135, created_at: '2011-07-20T22:55:29Z', group_id: 44, id: 35436, requester_id: 7881, score: 'good', ticket_id: 208, updated_at: '2011-07-20T22:55:29Z', url: 'https://company.zendesk.com/api/v2/satisfaction_ratings/62' },
};

/** The documented metric event example (a "measure" event: nothing a contact's figures use). */
export const DOC_METRIC_EVENT: RawRecord = {
  kind: 'metric-event',
  body: { id: 926256957613, instance_id: 1, metric: 'agent_work_time', ticket_id: 155, time: '2020-10-26T12:53:12Z', type: 'measure' },
};
