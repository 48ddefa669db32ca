/** Twilio Flex (issue 16): TaskRouter event callbacks and Event Streams webhooks, pushed to the source's endpoints. */
export { twilioPush as twilioConnector, TWILIO_ENDPOINTS } from './push.js';
export { twilioMapper, TWILIO_DEFAULT_CHANNELS, TWILIO_DEFAULT_STATES, SURVEY_ATTRIBUTE } from './mapping.js';
export { twilioTaskRouterRequests } from './simulate.js';
