/**
 * The Zendesk Support connector (issue 16): a pull source on the incremental export APIs (ticket metric events,
 * tickets, satisfaction ratings). README.md in this folder is the "Connect your platform: Zendesk" section.
 */
import type { PullConnector } from '../types.js';
import { zendeskMapper } from './mapping.js';
import { pollZendesk, testZendesk } from './poll.js';

export const zendeskConnector: PullConnector = {
  platform: 'zendesk',
  mapper: zendeskMapper,
  poll: pollZendesk,
  test: testZendesk,
};

export { zendeskMapper, ZENDESK_DEFAULT_CHANNELS, ZENDESK_CSAT_PROGRAMME, ZENDESK_TIME_SPENT_FIELD_TITLE } from './mapping.js';
export { pollZendesk, testZendesk, zendeskBaseUrl, type ZendeskCursor } from './poll.js';
