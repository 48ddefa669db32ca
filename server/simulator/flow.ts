/**
 * Contact flow and agent states: offer, route to the longest-idle skilled agent or wait, abandon, handle
 * (talk, hold, wrap), transfer, and agents' shifts and breaks.
 */
import { ASYNC_CHANNELS } from '../../shared/events.js';
import { REASONS } from './model.js';
import { finishContact, recordAbandon } from './outcomes.js';
import { effectAt } from './scenarios.js';
import type { AgentRt, ContactRt, QueueRt, SimContext } from './state.js';

export function offerContact(ctx: SimContext, queue: QueueRt, customerId: string, reason: string, t: number): void {
  const contact: ContactRt = {
    id: ctx.newContactId(), queue, customerId, reason, offeredMs: t, status: 'waiting', waitS: 0, transferred: false, leg: undefined,
  };
  ctx.emit(t, { type: 'contact.offered', contactId: contact.id, channel: queue.channel, queueId: queue.queue.id, customerId, reason });
  const { triageMedianS, triageSdLog } = queue.params;
  if (triageMedianS === undefined) releaseContact(ctx, contact, t);
  else ctx.at(t + Math.round(ctx.rng.lognormal(triageMedianS, triageSdLog) * 1000), { kind: 'release', contact });
}

/** The contact reaches the agents: straight to the longest-idle skilled agent, or it waits. */
export function releaseContact(ctx: SimContext, contact: ContactRt, t: number): void {
  const queue = contact.queue;
  const agent = longestIdle(queue);
  if (agent) {
    startLeg(ctx, agent, contact, t);
    return;
  }
  queue.waiting.push(contact);
  const { patienceMeanS, shortAbandonShare } = queue.params;
  if (patienceMeanS !== undefined) {
    // A few hang up at once (short abandons, < 5 s); the rest have exponential patience.
    const patienceS = ctx.rng.chance(shortAbandonShare) ? ctx.rng.between(0.5, 4.9) : ctx.rng.exponential(patienceMeanS);
    ctx.at(t + Math.round(patienceS * 1000), { kind: 'abandon', contact });
  }
}

function longestIdle(queue: QueueRt): AgentRt | undefined {
  let best: AgentRt | undefined;
  for (const a of queue.agents) {
    if (a.state === 'available' && a.onShift && (best === undefined || a.idleSince < best.idleSince)) best = a;
  }
  return best;
}

export function onAbandon(ctx: SimContext, contact: ContactRt, t: number): void {
  // A contact already answered (and now waiting again after a transfer) has had its patience tested.
  if (contact.status !== 'waiting' || contact.leg !== undefined) return;
  contact.status = 'abandoned';
  ctx.emit(t, { type: 'contact.abandoned', contactId: contact.id });
  recordAbandon(ctx, contact, t);
}

/** The next contact for an agent: transferred-in first, then by channel priority, then the longest waiting. */
function nextFor(agent: AgentRt): ContactRt | undefined {
  let best: QueueRt | undefined;
  let bestHead: ContactRt | undefined;
  for (const q of agent.queues) {
    if (q.priority.length > 0) {
      return q.priority.shift();
    }
  }
  for (const q of agent.queues) {
    while (q.head < q.waiting.length && q.waiting[q.head]?.status !== 'waiting') q.head++;
    if (q.head > 1024) {
      q.waiting = q.waiting.slice(q.head);
      q.head = 0;
    }
    const head = q.waiting[q.head];
    if (!head) continue;
    if (best === undefined || q.params.priority < best.params.priority || (q.params.priority === best.params.priority && bestHead !== undefined && head.offeredMs < bestHead.offeredMs)) {
      best = q;
      bestHead = head;
    }
  }
  if (best) best.head++;
  return bestHead;
}

function startLeg(ctx: SimContext, agent: AgentRt, contact: ContactRt, t: number): void {
  const { rng } = ctx;
  const queue = contact.queue;
  const p = queue.params;
  const first = contact.leg === undefined;
  contact.status = 'handling';
  if (first) contact.waitS = (t - contact.offeredMs) / 1000;
  agent.contact = contact;
  ctx.setState(agent, 'busy', t);
  if (!ASYNC_CHANNELS.includes(queue.channel)) ctx.emit(t, { type: 'contact.answered', contactId: contact.id, agentId: agent.profile.id });

  const profile = agent.profile;
  const effect = effectAt(ctx.scenarios, t, profile.id, profile.teamId, queue.queue.id);
  const scale = Math.exp(profile.ahtLogEffect + (REASONS[contact.reason]?.aht ?? 0) + queue.shock.ahtLog + effect.ahtLog);
  let talkS = Math.max(5, Math.round(rng.lognormal(p.talkMedianS * scale, p.talkSdLog)));
  const holdS = rng.chance(p.holdShare) ? Math.round(rng.lognormal(p.holdMedianS * scale, p.holdSdLog)) : 0;
  let wrapS = Math.max(3, Math.round(rng.lognormal(p.wrapMedianS * scale, p.wrapSdLog)));
  let transferTo: QueueRt | undefined;
  if (!contact.transferred && rng.chance(p.transferShare)) {
    const targets = ctx.queues.filter((q) => q !== queue && q.channel === queue.channel && q.agents.some((a) => a.onShift));
    if (targets.length > 0) {
      transferTo = rng.pick(targets);
      // The first advisor finds out it belongs elsewhere part-way through, and wraps briefly.
      talkS = Math.max(5, Math.round(talkS * 0.4));
      wrapS = Math.max(3, Math.round(wrapS * 0.5));
    }
  }
  contact.leg = { agent, startMs: t, talkS, holdS: transferTo ? 0 : holdS, wrapS, transferTo };
  ctx.at(t + (talkS + contact.leg.holdS) * 1000, { kind: 'talkEnd', agent, contact });
}

export function onTalkEnd(ctx: SimContext, agent: AgentRt, contact: ContactRt, t: number): void {
  const leg = contact.leg;
  if (!leg) return;
  if (leg.transferTo) {
    ctx.emit(t, { type: 'contact.transferred', contactId: contact.id, fromAgentId: agent.profile.id, toQueueId: leg.transferTo.queue.id });
  } else if (ASYNC_CHANNELS.includes(contact.queue.channel)) {
    // Asynchronous channels: "answered" is the first agent reply, sent at the end of composing it.
    ctx.emit(t, { type: 'contact.answered', contactId: contact.id, agentId: agent.profile.id });
  }
  ctx.setState(agent, 'wrap', t);
  ctx.at(t + leg.wrapS * 1000, { kind: 'wrapEnd', agent, contact });
}

export function onWrapEnd(ctx: SimContext, agent: AgentRt, contact: ContactRt, t: number): void {
  const leg = contact.leg;
  agent.contact = undefined;
  if (leg?.transferTo) {
    const target = leg.transferTo;
    contact.queue = target;
    contact.transferred = true;
    contact.status = 'waiting';
    const next = longestIdle(target);
    if (next) startLeg(ctx, next, contact, t);
    else target.priority.push(contact);
  } else if (leg) {
    contact.status = 'done';
    ctx.emit(t, {
      type: 'contact.ended', contactId: contact.id, agentId: agent.profile.id,
      talkSeconds: leg.talkS, holdSeconds: leg.holdS, wrapSeconds: leg.wrapS, resolved: finishContact(ctx, agent, contact, t),
    });
  }
  agentFree(ctx, agent, t);
}

/** The agent has nothing in hand: end the shift, take a due break, or take the next contact. */
export function agentFree(ctx: SimContext, agent: AgentRt, t: number): void {
  if (agent.contact) return;
  if (!agent.onShift) {
    ctx.setState(agent, 'offline', t);
    return;
  }
  if (agent.breakDueMs > 0) {
    const duration = agent.breakDueMs;
    agent.breakDueMs = 0;
    ctx.setState(agent, 'break', t);
    ctx.at(t + duration, { kind: 'breakEnd', agent, seq: agent.breakSeq });
    return;
  }
  const next = nextFor(agent);
  if (next) {
    startLeg(ctx, agent, next, t);
    return;
  }
  if (agent.state !== 'available') agent.idleSince = t;
  ctx.setState(agent, 'available', t);
}

export function onShiftStart(ctx: SimContext, agent: AgentRt, t: number): void {
  agent.onShift = true;
  agent.breakDueMs = 0;
  agent.breakSeq++;
  agent.idleSince = t;
  ctx.setState(agent, 'available', t);
  agentFree(ctx, agent, t);
}

export function onShiftEnd(ctx: SimContext, agent: AgentRt, t: number): void {
  agent.onShift = false;
  agent.breakDueMs = 0;
  agent.breakSeq++;
  if (!agent.contact) ctx.setState(agent, 'offline', t);
}

export function onBreakStart(ctx: SimContext, agent: AgentRt, durationMs: number, t: number): void {
  if (!agent.onShift) return;
  agent.breakDueMs = durationMs;
  if (!agent.contact) agentFree(ctx, agent, t);
}

export function onBreakEnd(ctx: SimContext, agent: AgentRt, seq: number, t: number): void {
  if (seq !== agent.breakSeq || agent.state !== 'break' || !agent.onShift) return;
  agentFree(ctx, agent, t);
}
