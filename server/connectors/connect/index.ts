/**
 * The Amazon Connect connector (issue 16): a push platform. Contact records and agent events arrive through an
 * Amazon Data Firehose HTTP endpoint destination (`firehose`), contact events through an EventBridge API destination
 * (`eventbridge`); see README.md in this folder for the setup in the AWS console's words.
 */
import type { PushConnector, PushReply } from '../types.js';
import { connectMapper } from './mapping.js';
import { handleEventBridge, handleFirehose } from './push.js';

export const CONNECT_ENDPOINTS = ['firehose', 'eventbridge'] as const;

export const connectConnector: PushConnector = {
  platform: 'connect',
  mapper: connectMapper,
  async handle(endpoint, req, credentials, sink): Promise<PushReply> {
    if (endpoint === 'firehose') return handleFirehose(req, credentials, sink);
    if (endpoint === 'eventbridge') return handleEventBridge(req, credentials, sink);
    return { status: 404, headers: { 'content-type': 'application/json' }, body: { ok: false, error: `Amazon Connect sources answer on ${CONNECT_ENDPOINTS.join(' and ')}, not ${JSON.stringify(endpoint)}` } };
  },
};

export { connectMapper, CONNECT_ATTRIBUTES, CONNECT_DEFAULT_CHANNELS, CONNECT_DEFAULT_STATES, CONNECT_NO_QUEUE, connectRecordKind } from './mapping.js';
