/**
 * Additive counters behind every KPI. A bucket (scope × 15-minute interval) is a sum of contacts' contributions, so
 * any window is a sum of buckets and a late event changes its contact's contribution by a delta.
 * Quantiles (first response, AHT median) come from a log-scale histogram: 2% wide bins, so a quantile is within 1%
 * of the exact value, and histograms add like the other counters.
 */
export interface Counters {
  /** Contacts that reached an outcome (answered or abandoned). */
  offered: number;
  shortAbandoned: number;
  /** Abandoned after waiting 5 s or more. */
  abandoned: number;
  answered: number;
  answeredInSl: number;
  /** Answered voice and chat: wait sum for ASA. */
  syncWaitSum: number;
  syncAnswered: number;
  /** Answered email and messaging: first response. */
  asyncAnswered: number;
  asyncFirstResponseSum: number;
  asyncHist: Map<number, number>;
  handled: number;
  handleSum: number;
  handleHist: Map<number, number>;
  /** Contacts abandoned in the IVR, before entering a queue: not offered (contract v2 `abandonedIn: 'ivr'`). */
  ivrAbandoned: number;
  /** Contacts that were callbacks the customer chose instead of waiting. */
  callbacks: number;
  /** Hold time and number of holds over handled contacts. */
  holdSum: number;
  holds: number;
  csatN: number;
  csatTop2: number;
  /** Sum of CSAT scores on the 1–5 scale (other numeric scales rescaled; shared/surveys.ts). */
  csatSum: number;
  /** CSAT answers on good/bad, which have no score: the mean score leaves them out. */
  csatBinaryN: number;
  /** Survey programmes offered, and of those the ones answered: the response rate. */
  surveysOffered: number;
  surveysAnswered: number;
  npsN: number;
  promoters: number;
  detractors: number;
  fcrSurveyN: number;
  fcrSurveyYes: number;
  fcrEligible: number;
  fcrFirstTime: number;
  qaN: number;
  qaSum: number;
  complaints: number;
}

export function zero(): Counters {
  return {
    offered: 0,
    shortAbandoned: 0,
    abandoned: 0,
    answered: 0,
    answeredInSl: 0,
    syncWaitSum: 0,
    syncAnswered: 0,
    asyncAnswered: 0,
    asyncFirstResponseSum: 0,
    asyncHist: new Map(),
    handled: 0,
    handleSum: 0,
    handleHist: new Map(),
    ivrAbandoned: 0,
    callbacks: 0,
    holdSum: 0,
    holds: 0,
    csatN: 0,
    csatTop2: 0,
    csatSum: 0,
    csatBinaryN: 0,
    surveysOffered: 0,
    surveysAnswered: 0,
    npsN: 0,
    promoters: 0,
    detractors: 0,
    fcrSurveyN: 0,
    fcrSurveyYes: 0,
    fcrEligible: 0,
    fcrFirstTime: 0,
    qaN: 0,
    qaSum: 0,
    complaints: 0,
  };
}

type ScalarKey = Exclude<keyof Counters, 'asyncHist' | 'handleHist'>;
export const SCALAR_KEYS = (Object.keys(zero()) as (keyof Counters)[]).filter((k): k is ScalarKey => k !== 'asyncHist' && k !== 'handleHist');

/**
 * target += sign × source (sign is 1 or −1). Written out field by field: the hottest function of a replay (a loop over
 * the keys by name cost about ten times as much); test/unit/kpi/counters.test.ts checks that it adds every scalar key.
 */
export function addInto(target: Counters, source: Counters, sign: 1 | -1): void {
  target.offered += sign * source.offered;
  target.shortAbandoned += sign * source.shortAbandoned;
  target.abandoned += sign * source.abandoned;
  target.answered += sign * source.answered;
  target.answeredInSl += sign * source.answeredInSl;
  target.syncWaitSum += sign * source.syncWaitSum;
  target.syncAnswered += sign * source.syncAnswered;
  target.asyncAnswered += sign * source.asyncAnswered;
  target.asyncFirstResponseSum += sign * source.asyncFirstResponseSum;
  target.handled += sign * source.handled;
  target.handleSum += sign * source.handleSum;
  target.ivrAbandoned += sign * source.ivrAbandoned;
  target.callbacks += sign * source.callbacks;
  target.holdSum += sign * source.holdSum;
  target.holds += sign * source.holds;
  target.csatN += sign * source.csatN;
  target.csatTop2 += sign * source.csatTop2;
  target.csatSum += sign * source.csatSum;
  target.csatBinaryN += sign * source.csatBinaryN;
  target.surveysOffered += sign * source.surveysOffered;
  target.surveysAnswered += sign * source.surveysAnswered;
  target.npsN += sign * source.npsN;
  target.promoters += sign * source.promoters;
  target.detractors += sign * source.detractors;
  target.fcrSurveyN += sign * source.fcrSurveyN;
  target.fcrSurveyYes += sign * source.fcrSurveyYes;
  target.fcrEligible += sign * source.fcrEligible;
  target.fcrFirstTime += sign * source.fcrFirstTime;
  target.qaN += sign * source.qaN;
  target.qaSum += sign * source.qaSum;
  target.complaints += sign * source.complaints;
  if (source.asyncHist.size > 0) mergeHist(target.asyncHist, source.asyncHist, sign);
  if (source.handleHist.size > 0) mergeHist(target.handleHist, source.handleHist, sign);
}

function mergeHist(into: Map<number, number>, from: Map<number, number>, sign: 1 | -1): void {
  for (const [bin, n] of from) {
    const next = (into.get(bin) ?? 0) + sign * n;
    if (next === 0) into.delete(bin);
    else into.set(bin, next);
  }
}

export function isEmpty(c: Counters): boolean {
  if (c.asyncHist.size !== 0 || c.handleHist.size !== 0) return false;
  for (const k of SCALAR_KEYS) if (c[k] !== 0) return false;
  return true;
}

const RATIO = 1.02;
const LOG_RATIO = Math.log(RATIO);

export function binOf(seconds: number): number {
  return Math.floor(Math.log1p(Math.max(0, seconds)) / LOG_RATIO);
}

/** Middle of a bin, in seconds. */
function binValue(bin: number): number {
  return Math.expm1((bin + 0.5) * LOG_RATIO);
}

/** Count, mean and variance of f(bin middle) over a histogram. */
function momentsOf(hist: Map<number, number>, f: (logSeconds: number) => number): { n: number; mean: number; variance: number } {
  let n = 0;
  let sum = 0;
  let sq = 0;
  for (const [bin, count] of hist) {
    const x = f((bin + 0.5) * LOG_RATIO);
    n += count;
    sum += count * x;
    sq += count * x * x;
  }
  if (n === 0) return { n: 0, mean: 0, variance: 0 };
  const mean = sum / n;
  return { n, mean, variance: n > 1 ? Math.max(0, (sq - n * mean * mean) / (n - 1)) : 0 };
}

/** Count, mean and variance of ln(1 + seconds) over a histogram (bin middles): the spread behind time KPIs. */
export function logMoments(hist: Map<number, number>): { n: number; mean: number; variance: number } {
  return momentsOf(hist, (x) => x);
}

/** Count, mean and variance in seconds over a histogram (bin middles, within 1%): the spread behind a mean time. */
export function secondsMoments(hist: Map<number, number>): { n: number; mean: number; variance: number } {
  return momentsOf(hist, Math.expm1);
}

/** The q-quantile (0-1) of a histogram, or null when it is empty. Nearest-rank definition. */
export function quantile(hist: Map<number, number>, q: number): number | null {
  let total = 0;
  for (const n of hist.values()) total += n;
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const bin of [...hist.keys()].sort((a, b) => a - b)) {
    seen += hist.get(bin) ?? 0;
    if (seen >= rank) return binValue(bin);
  }
  return null;
}

/** Stored form of a bucket: the scalars, then each histogram as [bin, count] pairs in bin order. */
export function serializeCounters(c: Counters): string {
  const out: Record<string, unknown> = {};
  for (const k of SCALAR_KEYS) if (c[k] !== 0) out[k] = c[k];
  if (c.asyncHist.size > 0) out.asyncHist = [...c.asyncHist].sort((a, b) => a[0] - b[0]);
  if (c.handleHist.size > 0) out.handleHist = [...c.handleHist].sort((a, b) => a[0] - b[0]);
  return JSON.stringify(out);
}

export function parseCounters(text: string): Counters {
  const raw = JSON.parse(text) as Record<string, unknown>;
  const c = zero();
  for (const k of SCALAR_KEYS) if (typeof raw[k] === 'number') c[k] = raw[k];
  if (Array.isArray(raw.asyncHist)) c.asyncHist = new Map(raw.asyncHist as [number, number][]);
  if (Array.isArray(raw.handleHist)) c.handleHist = new Map(raw.handleHist as [number, number][]);
  return c;
}
