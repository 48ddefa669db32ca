/**
 * What follows a contact: resolution, a late survey, a QA evaluation a day or two later, the odd complaint, and
 * the customer coming back (repeat contacts make repeat-contact FCR real; abandoners often call again).
 */
import { complaintFor, qaNote, surveyComment } from './comments.js';
import { arrivalShape, REASONS, SHAPE_MAX } from './model.js';
import { sigmoid } from './random.js';
import { effectAt } from './scenarios.js';
import type { AgentRt, ContactRt, EventBody, QueueRt, SimContext } from './state.js';
import { addDays, DAY_MS, localParts, MINUTE_MS, weekdayOf, windowAtOrAfter, zonedEpoch } from './zoned-time.js';

const NEUTRAL = { csat: 0, fcr: 0, aht: 0 };
/** Typical NPS answer by CSAT score. */
const NPS_BY_CSAT = [0, 1.5, 3.5, 6, 7.8, 9.3];
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** Decides the outcome of a handled contact and schedules what follows; returns `resolved`. */
export function finishContact(ctx: SimContext, agent: AgentRt, contact: ContactRt, t: number): boolean {
  const { rng, tuning } = ctx;
  const profile = agent.profile;
  const queue = contact.queue;
  const legStart = contact.leg?.startMs ?? t;
  const effect = effectAt(ctx.scenarios, legStart, profile.id, profile.teamId, queue.queue.id);
  const reason = REASONS[contact.reason] ?? NEUTRAL;
  // Waiting costs some satisfaction: minutes for live channels, hours for email.
  const waitUnitS = queue.params.patienceMeanS === undefined ? 3600 : 60;
  const waitPenalty = -0.1 * Math.log1p(contact.waitS / waitUnitS);
  const csatLogit = tuning.csatLogit + queue.effect.csat + reason.csat + profile.csatEffect + queue.shock.csat + effect.csatLogit + waitPenalty;
  const fcrLogit = tuning.fcrLogit + queue.effect.fcr + reason.fcr + profile.fcrEffect + queue.shock.fcr + effect.fcrLogit;
  const pResolved = sigmoid(fcrLogit);
  const resolved = rng.chance(pResolved);
  // Centred on the expected resolution, so the agent's CSAT level stays governed by csatLogit.
  const satisfied = rng.chance(sigmoid(csatLogit + tuning.resolutionOnCsat * ((resolved ? 1 : 0) - pResolved)));
  const csat = satisfied ? (rng.chance(0.62) ? 5 : 4) : rng.weighted([[3, 0.45], [2, 0.3], [1, 0.25]] as const);

  if (rng.chance(tuning.surveyRate)) scheduleSurvey(ctx, agent, contact, t, csat, resolved);
  if ((csat <= 2 && rng.chance(tuning.complaintIfUnhappy)) || (!resolved && csat > 2 && rng.chance(tuning.complaintIfUnresolved))) {
    const { category, summary } = complaintFor(resolved, contact.waitS > 600, rng);
    const delayS = clamp(rng.lognormal(3 * 3600, 1), 600, 5 * 86_400);
    later(ctx, t + delayS * 1000, {
      type: 'complaint.logged', category, contactId: contact.id, customerId: contact.customerId, agentId: profile.id, summary,
    });
  }
  if (rng.chance(tuning.qaSampleRate)) scheduleQa(ctx, agent, contact, t, resolved, effect.qaPoints);
  if (rng.chance(resolved ? tuning.repeatIfResolved : tuning.repeatIfUnresolved)) {
    const delayS = clamp(rng.lognormal(18 * 3600, 1), 1800, 6.5 * 86_400);
    const sameQueue = rng.chance(0.8);
    const others = ctx.queues.filter((q) => q !== queue && q.site === queue.site && q.agents.length > 0);
    const target = sameQueue || others.length === 0 ? queue : rng.pick(others);
    scheduleReturn(ctx, target, contact.customerId, contact.reason, t + delayS * 1000);
  }
  return resolved;
}

/** Many abandoners try again within the hour. */
export function recordAbandon(ctx: SimContext, contact: ContactRt, t: number): void {
  if (!ctx.rng.chance(0.45)) return;
  const delayS = clamp(ctx.rng.lognormal(15 * 60, 1), 60, 86_400);
  scheduleReturn(ctx, contact.queue, contact.customerId, contact.reason, t + delayS * 1000);
}

function later(ctx: SimContext, ms: number, body: EventBody): void {
  ctx.at(Math.round(ms), { kind: 'emit', body });
}

/**
 * Contacts only arrive while the site is open: a return due while closed comes on the next open day, at a time
 * drawn from the usual intraday arrival shape (not all at opening, which would swamp the first hour).
 */
function scheduleReturn(ctx: SimContext, queue: QueueRt, customerId: string, reason: string, due: number): void {
  const site = queue.site;
  let at = due;
  if (site) {
    const w = windowAtOrAfter(site, due);
    if (!w) return;
    if (due < w.openMs) {
      const lengthMs = w.closeMs - w.openMs;
      for (let tries = 0; tries < 50; tries++) {
        at = w.openMs + ctx.rng.uniform() * lengthMs;
        if (ctx.rng.uniform() * SHAPE_MAX < arrivalShape(w.openMinute + (at - w.openMs) / MINUTE_MS)) break;
      }
    }
  }
  ctx.at(Math.round(at), { kind: 'return', queue, customerId, reason });
}

function scheduleSurvey(ctx: SimContext, agent: AgentRt, contact: ContactRt, t: number, csat: number, resolved: boolean): void {
  const { rng, tuning } = ctx;
  const delayS = clamp(rng.lognormal(tuning.surveyDelayMedianS, 1), 60, 3 * 86_400);
  const body: Extract<EventBody, { type: 'survey.responded' }> = { type: 'survey.responded', contactId: contact.id, csat };
  if (rng.chance(tuning.npsRate)) body.nps = Math.round(clamp(rng.normal(NPS_BY_CSAT[csat] ?? 7, 1.1), 0, 10));
  // Customers mostly agree with the agent's disposition, not always.
  if (rng.chance(tuning.surveyResolvedRate)) body.resolved = rng.chance(0.9) ? resolved : !resolved;
  if (rng.chance(tuning.commentRate)) {
    body.comment = surveyComment(csat, rng, agent.profile.firstName, contact.waitS / 60, tuning.piiCommentRate).text;
  }
  later(ctx, t + delayS * 1000, body);
}

/** QA evaluators work office hours on weekdays, a day or two after the contact. */
function scheduleQa(ctx: SimContext, agent: AgentRt, contact: ContactRt, t: number, resolved: boolean, scenarioPoints: number): void {
  const { rng, tuning } = ctx;
  const site = contact.queue.site;
  let at = t + rng.between(1, 2) * DAY_MS;
  if (site) {
    let date = addDays(localParts(t, site.timeZone), rng.int(1, 2));
    while (weekdayOf(date) === 'sat' || weekdayOf(date) === 'sun') date = addDays(date, 1);
    at = zonedEpoch(date, 9 * 60 + rng.int(0, 8 * 60 - 1), site.timeZone);
  }
  const evaluator = rng.pick(ctx.evaluators);
  const mean = 85 + agent.profile.qaEffect + evaluator.effect + scenarioPoints + (resolved ? 1 : -2);
  const criticalFail = rng.chance(tuning.qaCriticalFailRate * (agent.profile.qaEffect < -3 ? 2 : 1));
  const body: Extract<EventBody, { type: 'qa.evaluated' }> = {
    type: 'qa.evaluated', contactId: contact.id, agentId: agent.profile.id, evaluatorId: evaluator.id,
    score: Math.round(clamp(rng.normal(mean, 7), 0, 100)), criticalFail,
  };
  if (rng.chance(0.6)) body.notes = criticalFail ? 'Critical fail: identity not verified before discussing the account.' : qaNote(rng);
  later(ctx, Math.round(at / MINUTE_MS) * MINUTE_MS, body);
}
