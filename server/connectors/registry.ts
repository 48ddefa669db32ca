/**
 * The platforms this server can connect (issue 16), one connector each (server/connectors/<platform>/index.ts).
 */
import type { Platform } from '../../shared/sources.js';
import { connectConnector } from './connect/index.js';
import { genesysConnector } from './genesys/index.js';
import { twilioConnector } from './twilio/index.js';
import { zendeskConnector } from './zendesk/index.js';
import type { Connector } from './types.js';

export const CONNECTORS: Readonly<Partial<Record<Platform, Connector>>> = {
  connect: connectConnector,
  genesys: genesysConnector,
  zendesk: zendeskConnector,
  twilio: twilioConnector,
};
