/** From summed counters to KPI values, exactly as shared/kpis.ts defines them. */
import type { KpiSet, KpiValue } from '../../shared/kpis.js';
import { quantile, type Counters } from './counters.js';

const ratio = (num: number, den: number): KpiValue => ({ value: den === 0 ? null : num / den, n: den });

export function kpisOf(c: Counters, provisional: boolean): KpiSet {
  const slBase = c.offered - c.shortAbandoned;
  return {
    csat: {
      ...ratio(c.csatTop2, c.csatN),
      extra: { meanScore: c.csatN - c.csatBinaryN === 0 ? null : c.csatSum / (c.csatN - c.csatBinaryN), responseRate: c.surveysOffered === 0 ? null : c.surveysAnswered / c.surveysOffered },
    },
    responseRate: ratio(c.surveysAnswered, c.surveysOffered),
    fcrRepeat: { ...ratio(c.fcrFirstTime, c.fcrEligible), provisional },
    fcrSurvey: ratio(c.fcrSurveyYes, c.fcrSurveyN),
    serviceLevel: ratio(c.answeredInSl, slBase),
    asa: ratio(c.syncWaitSum, c.syncAnswered),
    firstResponse: {
      value: quantile(c.asyncHist, 0.5),
      n: c.asyncAnswered,
      extra: { p90: quantile(c.asyncHist, 0.9), mean: c.asyncAnswered === 0 ? null : c.asyncFirstResponseSum / c.asyncAnswered },
    },
    aht: {
      ...ratio(c.handleSum, c.handled),
      extra: { median: quantile(c.handleHist, 0.5), meanHold: c.handled === 0 ? null : c.holdSum / c.handled, holdsPerContact: c.handled === 0 ? null : c.holds / c.handled },
    },
    abandonRate: { ...ratio(c.abandoned, slBase), extra: { shortAbandons: c.shortAbandoned, ivrAbandons: c.ivrAbandoned, callbacks: c.callbacks } },
    nps: { value: c.npsN === 0 ? null : (100 * (c.promoters - c.detractors)) / c.npsN, n: c.npsN },
    qa: ratio(c.qaSum, c.qaN),
    complaintsPer1000: { value: c.offered === 0 ? null : (1000 * c.complaints) / c.offered, n: c.offered, extra: { count: c.complaints } },
  };
}
