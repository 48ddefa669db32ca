/**
 * Additive counters behind every KPI. A bucket (scope × 15-minute interval) is a sum of contacts' contributions, so
 * any window is a sum of buckets and a late event changes its contact's contribution by a delta.
 * Quantiles (first response, AHT median) come from a log-scale histogram: 2% wide bins, so a quantile is within 1%
 * of the exact value, and histograms add like the other counters.
 */
import { SharedEmptyMap } from './shared-empty.js';

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

/**
 * One empty histogram shared by every stored bucket that has none of its own: most buckets never see an email or
 * message (asyncHist) and many no handled contact (handleHist), and an empty Map costs about 150 bytes; a 5,000-agent
 * centre holds millions of buckets. It is read-only: addInto gives a bucket its own map on the first write.
 */
const EMPTY_HIST: Map<number, number> = new SharedEmptyMap();

/** Counters to keep (a bucket, a parsed rollup): as zero(), with the shared empty histograms until first written. */
export function zeroStored(): Counters {
  const c = zero();
  c.asyncHist = EMPTY_HIST;
  c.handleHist = EMPTY_HIST;
  return c;
}

type ScalarKey = Exclude<keyof Counters, 'asyncHist' | 'handleHist'>;
export const SCALAR_KEYS = (Object.keys(zero()) as (keyof Counters)[]).filter((k): k is ScalarKey => k !== 'asyncHist' && k !== 'handleHist');


/**
 * target += sign × source (sign is 1 or −1). Written out field by field: the hottest function of a replay (a loop over
 * the keys by name cost about ten times as much); test/unit/kpi/counters.test.ts checks that it adds every scalar key.
 */
export function addInto(target: Counters, source: Counters, sign: 1 | -1): void {
  // Add or subtract rather than multiply by the sign. -1 × 0 is -0, which V8 cannot keep as a small integer: one -0
  // gives the field "double" representation in every object of this shape, a boxed 16-byte heap number per field,
  // whole numbers included. Measured on a 1,000-agent centre's two days (154,000 buckets): 784 bytes a bucket with the
  // multiply, 336 without (fields that really hold fractions, such as wait sums, are still boxed).
  const add = sign === 1;
  target.offered = add ? target.offered + source.offered : target.offered - source.offered;
  target.shortAbandoned = add ? target.shortAbandoned + source.shortAbandoned : target.shortAbandoned - source.shortAbandoned;
  target.abandoned = add ? target.abandoned + source.abandoned : target.abandoned - source.abandoned;
  target.answered = add ? target.answered + source.answered : target.answered - source.answered;
  target.answeredInSl = add ? target.answeredInSl + source.answeredInSl : target.answeredInSl - source.answeredInSl;
  target.syncWaitSum = add ? target.syncWaitSum + source.syncWaitSum : target.syncWaitSum - source.syncWaitSum;
  target.syncAnswered = add ? target.syncAnswered + source.syncAnswered : target.syncAnswered - source.syncAnswered;
  target.asyncAnswered = add ? target.asyncAnswered + source.asyncAnswered : target.asyncAnswered - source.asyncAnswered;
  target.asyncFirstResponseSum = add ? target.asyncFirstResponseSum + source.asyncFirstResponseSum : target.asyncFirstResponseSum - source.asyncFirstResponseSum;
  target.handled = add ? target.handled + source.handled : target.handled - source.handled;
  target.handleSum = add ? target.handleSum + source.handleSum : target.handleSum - source.handleSum;
  target.ivrAbandoned = add ? target.ivrAbandoned + source.ivrAbandoned : target.ivrAbandoned - source.ivrAbandoned;
  target.callbacks = add ? target.callbacks + source.callbacks : target.callbacks - source.callbacks;
  target.holdSum = add ? target.holdSum + source.holdSum : target.holdSum - source.holdSum;
  target.holds = add ? target.holds + source.holds : target.holds - source.holds;
  target.csatN = add ? target.csatN + source.csatN : target.csatN - source.csatN;
  target.csatTop2 = add ? target.csatTop2 + source.csatTop2 : target.csatTop2 - source.csatTop2;
  target.csatSum = add ? target.csatSum + source.csatSum : target.csatSum - source.csatSum;
  target.csatBinaryN = add ? target.csatBinaryN + source.csatBinaryN : target.csatBinaryN - source.csatBinaryN;
  target.surveysOffered = add ? target.surveysOffered + source.surveysOffered : target.surveysOffered - source.surveysOffered;
  target.surveysAnswered = add ? target.surveysAnswered + source.surveysAnswered : target.surveysAnswered - source.surveysAnswered;
  target.npsN = add ? target.npsN + source.npsN : target.npsN - source.npsN;
  target.promoters = add ? target.promoters + source.promoters : target.promoters - source.promoters;
  target.detractors = add ? target.detractors + source.detractors : target.detractors - source.detractors;
  target.fcrSurveyN = add ? target.fcrSurveyN + source.fcrSurveyN : target.fcrSurveyN - source.fcrSurveyN;
  target.fcrSurveyYes = add ? target.fcrSurveyYes + source.fcrSurveyYes : target.fcrSurveyYes - source.fcrSurveyYes;
  target.fcrEligible = add ? target.fcrEligible + source.fcrEligible : target.fcrEligible - source.fcrEligible;
  target.fcrFirstTime = add ? target.fcrFirstTime + source.fcrFirstTime : target.fcrFirstTime - source.fcrFirstTime;
  target.qaN = add ? target.qaN + source.qaN : target.qaN - source.qaN;
  target.qaSum = add ? target.qaSum + source.qaSum : target.qaSum - source.qaSum;
  target.complaints = add ? target.complaints + source.complaints : target.complaints - source.complaints;
  if (source.asyncHist.size > 0) {
    if (target.asyncHist === EMPTY_HIST) target.asyncHist = new Map();
    mergeHist(target.asyncHist, source.asyncHist, sign);
  }
  if (source.handleHist.size > 0) {
    if (target.handleHist === EMPTY_HIST) target.handleHist = new Map();
    mergeHist(target.handleHist, source.handleHist, sign);
  }
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
  const c = zeroStored();
  for (const k of SCALAR_KEYS) if (typeof raw[k] === 'number') c[k] = raw[k];
  if (Array.isArray(raw.asyncHist)) c.asyncHist = new Map(raw.asyncHist as [number, number][]);
  if (Array.isArray(raw.handleHist)) c.handleHist = new Map(raw.handleHist as [number, number][]);
  return c;
}
