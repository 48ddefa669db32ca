/**
 * Parameters of the simulated centre (flagging-methods.md 6.1), all overridable through SimulatorOptions.tuning.
 * Quality is modelled on the logit scale: centre level + queue + reason + agent + queue-day shock + scenarios.
 */
import type { Weekday } from '../../shared/directory.js';
import type { Channel } from '../../shared/events.js';

export interface ChannelParams {
  /** Handling: log-normal talk, optional hold, wrap (medians in seconds, sd of the log). */
  talkMedianS: number;
  talkSdLog: number;
  holdShare: number;
  holdMedianS: number;
  holdSdLog: number;
  wrapMedianS: number;
  wrapSdLog: number;
  /** Mean of the exponential patience; undefined means the customer never abandons (asynchronous channels). */
  patienceMeanS: number | undefined;
  /** Customers who hang up within 5 s (misdials, IVR confusion): "short abandons" in DOMAIN.md section 3. */
  shortAbandonShare: number;
  /** Asynchronous channels: time before a message reaches the agents' queue (triage, batching); median, sd of log. */
  triageMedianS: number | undefined;
  triageSdLog: number;
  /** Lower is served first when an agent frees up with several queues waiting. */
  priority: number;
  transferShare: number;
}

export const CHANNEL_PARAMS: Record<Channel, ChannelParams> = {
  voice: {
    talkMedianS: 285, talkSdLog: 0.5, holdShare: 0.3, holdMedianS: 45, holdSdLog: 0.7, wrapMedianS: 35, wrapSdLog: 0.5,
    patienceMeanS: 200, shortAbandonShare: 0.025, triageMedianS: undefined, triageSdLog: 0, priority: 0, transferShare: 0.03,
  },
  chat: {
    talkMedianS: 430, talkSdLog: 0.55, holdShare: 0, holdMedianS: 0, holdSdLog: 0, wrapMedianS: 40, wrapSdLog: 0.5,
    patienceMeanS: 300, shortAbandonShare: 0.015, triageMedianS: undefined, triageSdLog: 0, priority: 1, transferShare: 0.01,
  },
  messaging: {
    talkMedianS: 200, talkSdLog: 0.6, holdShare: 0, holdMedianS: 0, holdSdLog: 0, wrapMedianS: 30, wrapSdLog: 0.5,
    patienceMeanS: undefined, shortAbandonShare: 0, triageMedianS: 300, triageSdLog: 1, priority: 2, transferShare: 0.01,
  },
  email: {
    talkMedianS: 420, talkSdLog: 0.6, holdShare: 0, holdMedianS: 0, holdSdLog: 0, wrapMedianS: 30, wrapSdLog: 0.5,
    patienceMeanS: undefined, shortAbandonShare: 0, triageMedianS: 2400, triageSdLog: 1.1, priority: 3, transferShare: 0.01,
  },
};

export interface SimulatorTuning {
  /** Centre-level logits: about 85% CSAT (top-2-box) and 75% FCR. */
  csatLogit: number;
  fcrLogit: number;
  agentCsatSd: number;
  agentFcrSd: number;
  agentAhtSdLog: number;
  agentQaSd: number;
  /** Queue x day shocks: days differ a little for reasons no agent controls. */
  dayShockSd: number;
  ahtDayShockSdLog: number;
  /** How much more satisfied a resolved customer is than the average one (logit). */
  resolutionOnCsat: number;
  surveyRate: number;
  commentRate: number;
  piiCommentRate: number;
  npsRate: number;
  surveyResolvedRate: number;
  /** Median survey delay after the contact ends. */
  surveyDelayMedianS: number;
  qaSampleRate: number;
  qaEvaluators: number;
  qaCriticalFailRate: number;
  complaintIfUnhappy: number;
  complaintIfUnresolved: number;
  repeatIfUnresolved: number;
  repeatIfResolved: number;
  /** Chance an agent is absent (sick, leave) on a rostered day. */
  absenceRate: number;
  /** Multiplies every queue's volume. */
  volumeScale: number;
  /**
   * Fresh contacts per reference weekday (a Tuesday, 08:00-20:00) by queue id; replaces the default table when
   * given. Queues not listed get a volume from their staffing.
   */
  queueVolumes: Record<string, number>;
  /** Skills per agent id; agents not listed get their team's default skills or every queue at their site. */
  skills: Record<string, string[]>;
}

export const DEFAULT_TUNING: Omit<SimulatorTuning, 'queueVolumes' | 'skills'> = {
  csatLogit: 2.0,
  fcrLogit: 1.05,
  agentCsatSd: 0.3,
  agentFcrSd: 0.3,
  agentAhtSdLog: 0.1,
  agentQaSd: 3,
  dayShockSd: 0.1,
  ahtDayShockSdLog: 0.05,
  resolutionOnCsat: 1.2,
  surveyRate: 0.17,
  commentRate: 0.55,
  piiCommentRate: 0.05,
  npsRate: 0.75,
  surveyResolvedRate: 0.8,
  surveyDelayMedianS: 50 * 60,
  qaSampleRate: 0.021,
  qaEvaluators: 4,
  qaCriticalFailRate: 0.02,
  complaintIfUnhappy: 0.035,
  complaintIfUnresolved: 0.002,
  repeatIfUnresolved: 0.8,
  repeatIfResolved: 0.06,
  absenceRate: 0.04,
  volumeScale: 1,
};

/** Volume by day of week relative to a Tuesday; Monday is the busiest day in most centres. */
export const WEEKDAY_FACTOR: Record<Weekday, number> = {
  mon: 1.2, tue: 1, wed: 0.97, thu: 0.95, fri: 0.9, sat: 0.4, sun: 0.3,
};

/** Relative arrival intensity by local hour: a morning peak about 10:00-11:00 and an early-afternoon one at 14:00. */
const HOURLY_SHAPE: readonly (readonly [number, number])[] = [
  [0, 0.05], [6, 0.1], [7.5, 0.3], [8, 0.42], [9, 0.74], [10, 0.95], [11, 0.93], [12, 0.8], [12.5, 0.76],
  [13, 0.8], [14, 0.92], [15, 0.86], [16, 0.72], [17, 0.55], [18, 0.42], [19, 0.32], [20, 0.22], [22, 0.1], [24, 0.05],
];

export function arrivalShape(minuteOfDay: number): number {
  const h = minuteOfDay / 60;
  for (let i = 1; i < HOURLY_SHAPE.length; i++) {
    const [h1, v1] = HOURLY_SHAPE[i] as readonly [number, number];
    if (h <= h1) {
      const [h0, v0] = HOURLY_SHAPE[i - 1] as readonly [number, number];
      return v0 + ((v1 - v0) * (h - h0)) / (h1 - h0);
    }
  }
  return HOURLY_SHAPE[HOURLY_SHAPE.length - 1]?.[1] ?? 0;
}

/** Integral of the shape over [fromMin, toMin] in hours, by the trapezium rule on 5-minute steps. */
export function shapeIntegralHours(fromMin: number, toMin: number): number {
  let sum = 0;
  for (let m = fromMin; m < toMin; m += 5) {
    const step = Math.min(5, toMin - m);
    sum += ((arrivalShape(m) + arrivalShape(m + step)) / 2) * (step / 60);
  }
  return sum;
}

export const SHAPE_MAX = Math.max(...HOURLY_SHAPE.map(([, v]) => v));

export interface ReasonEffect {
  csat: number;
  fcr: number;
  /** Log multiplier on handle time. */
  aht: number;
}

/** Contact reasons: case mix shifting CSAT/FCR by up to about 0.3 on the logit scale (flagging-methods.md 6.1). */
export const REASONS: Record<string, ReasonEffect> = {
  'billing-query': { csat: 0.2, fcr: 0.25, aht: -0.1 },
  'payment-issue': { csat: 0, fcr: 0.05, aht: 0 },
  refund: { csat: -0.15, fcr: -0.1, aht: 0.1 },
  'bill-dispute': { csat: -0.3, fcr: -0.3, aht: 0.2 },
  'direct-debit': { csat: 0.15, fcr: 0.2, aht: -0.1 },
  'no-service': { csat: -0.3, fcr: -0.25, aht: 0.15 },
  'slow-broadband': { csat: -0.2, fcr: -0.2, aht: 0.15 },
  'device-setup': { csat: 0.1, fcr: 0.1, aht: 0.1 },
  'app-login': { csat: 0.2, fcr: 0.3, aht: -0.2 },
  'account-update': { csat: 0.3, fcr: 0.3, aht: -0.25 },
  'order-status': { csat: 0.1, fcr: 0.2, aht: -0.2 },
  'complaint-follow-up': { csat: -0.3, fcr: -0.2, aht: 0.2 },
};

export const QUEUE_REASONS: Record<string, readonly (readonly [string, number])[]> = {
  'voice-billing': [['billing-query', 4], ['payment-issue', 2], ['refund', 1.5], ['bill-dispute', 1.5], ['direct-debit', 1]],
  'voice-tech': [['no-service', 2], ['slow-broadband', 3], ['device-setup', 2], ['app-login', 1.5]],
  'chat-general': [['billing-query', 2], ['order-status', 2], ['account-update', 2], ['app-login', 1.5], ['slow-broadband', 1], ['refund', 1]],
  'email-support': [['refund', 2], ['complaint-follow-up', 1.5], ['account-update', 2], ['bill-dispute', 1.5], ['order-status', 1]],
};

/** Any other queue draws from every reason. */
export const ALL_REASONS: readonly (readonly [string, number])[] = Object.keys(REASONS).map((r) => [r, 1] as const);

/** Small persistent queue effects (logit CSAT/FCR): technical queues are harder. */
export const QUEUE_EFFECT: Record<string, { csat: number; fcr: number }> = {
  'voice-billing': { csat: 0, fcr: 0.05 },
  'voice-tech': { csat: -0.15, fcr: -0.15 },
  'chat-general': { csat: 0.1, fcr: 0.05 },
  'email-support': { csat: -0.1, fcr: 0 },
};
