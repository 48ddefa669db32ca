/** Factories for valid contract events. */
import type { FrontlineEvent } from '../../shared/events.js';

let counter = 0;
export const uid = (prefix = 'e') => `${prefix}-${process.pid}-${Date.now().toString(36)}-${++counter}`;

const at = (offsetS = 0) => new Date(Date.UTC(2026, 10, 2, 9, 0, 0) + offsetS * 1000).toISOString();

export function offered(over: Partial<Extract<FrontlineEvent, { type: 'contact.offered' }>> = {}): FrontlineEvent {
  return { id: uid(), type: 'contact.offered', occurredAt: at(), contactId: uid('c'), channel: 'voice', queueId: 'voice-billing', ...over };
}

export function survey(over: Partial<Extract<FrontlineEvent, { type: 'survey.responded' }>> = {}): FrontlineEvent {
  return { id: uid(), type: 'survey.responded', occurredAt: at(600), contactId: uid('c'), csat: 5, comment: 'Lovely and quick', ...over };
}

export function ended(over: Partial<Extract<FrontlineEvent, { type: 'contact.ended' }>> = {}): FrontlineEvent {
  return {
    id: uid(),
    type: 'contact.ended',
    occurredAt: at(300),
    contactId: uid('c'),
    agentId: 'agent-1',
    talkSeconds: 240,
    holdSeconds: 10,
    wrapSeconds: 30,
    resolved: true,
    ...over,
  };
}

/** One valid event of every type. */
export function oneOfEach(): FrontlineEvent[] {
  const contactId = uid('c');
  return [
    offered({ contactId, customerId: 'cust-1', reason: 'billing' }),
    { id: uid(), type: 'contact.answered', occurredAt: at(15), contactId, agentId: 'agent-1' },
    { id: uid(), type: 'contact.transferred', occurredAt: at(60), contactId, fromAgentId: 'agent-1', toQueueId: 'voice-tech' },
    ended({ contactId }),
    { id: uid(), type: 'contact.abandoned', occurredAt: at(20), contactId: uid('c') },
    survey({ contactId, nps: 9, resolved: true }),
    { id: uid(), type: 'qa.evaluated', occurredAt: at(86400), contactId, agentId: 'agent-1', evaluatorId: 'qa-1', score: 88, criticalFail: false },
    { id: uid(), type: 'complaint.logged', occurredAt: at(7200), category: 'attitude', contactId, summary: 'rude' },
    { id: uid(), type: 'agent.state', occurredAt: at(0), agentId: 'agent-1', state: 'busy' },
  ];
}
