/**
 * The service quality review (DOMAIN.md section 2, the end of the review cycle): for a scope and a period of whole
 * local days, one document with the measurement plan, results against targets with assurance icons, trends and
 * special causes, segment differences, themes from comments with quotes, coaching and improvement actions with their
 * before/after results, and recommendations each linked to its evidence. Saved reviews keep the document as built (a
 * snapshot) with stakeholders' comments.
 */
import { z } from 'zod';
import { scopeText } from './access.js';
import type { XmrAssurance, XmrVariation } from './charts.js';
import type { TargetStatus } from './kpis.js';
import type { ThemeSummary } from './voc.js';

/** The KPIs a review reports on, in order. */
export const REVIEW_KPIS = ['csat', 'fcrSurvey', 'aht', 'serviceLevel', 'abandonRate'] as const;
export type ReviewKpi = (typeof REVIEW_KPIS)[number];

export const MAX_REVIEW_DAYS = 92;

const localDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');
export const reviewPeriodQuery = z.object({ scope: scopeText.default({ kind: 'centre' }), from: localDay, to: localDay });
export const saveReviewBody = z.strictObject({
  scope: z.string().min(1).max(200),
  from: localDay,
  to: localDay,
  title: z.string().trim().min(3, 'give the review a title of at least 3 characters').max(200),
});
export const reviewCommentBody = z.strictObject({ text: z.string().trim().min(2, 'a comment needs some text').max(4000, 'a comment is at most 4000 characters') });

export interface PlanRow {
  kpi: ReviewKpi;
  label: string;
  formula: string;
  /** What n counts. */
  nIs: string;
  direction: 'up' | 'down' | 'neither';
  /** Where the figure comes from. */
  source: string;
  /** How often it is measured and looked at. */
  frequency: string;
  target: { threshold: number; direction: 'up' | 'down'; tolerance: number; scope: string; owner: string | null } | null;
}

export interface ResultRow {
  kpi: ReviewKpi;
  value: number | null;
  n: number;
  /** The previous period of the same length. */
  previous: number | null;
  status: TargetStatus;
  variation: XmrVariation | null;
  assurance: XmrAssurance | null;
  /** Daily points of the period with the chart's limits, for the small chart. */
  points: { day: string; value: number; mark: 'concern' | 'improvement' | 'neither' | null }[];
  limits: { mean: number; upper: number; lower: number } | null;
  /** Days with a special cause, in words. */
  specialCauses: { day: string; start: string; end: string; side: 'high' | 'low'; rules: string[]; kind: 'concern' | 'improvement' | 'neither' }[];
}

export interface SegmentRow {
  scope: string;
  name: string;
  value: number | null;
  n: number;
  low: number | null;
  high: number | null;
  /** Whether the segment's 95% interval excludes the whole scope's rate, and on which side of good. */
  differs: 'better' | 'worse' | null;
}

export interface SegmentTable {
  kpi: 'csat' | 'fcrSurvey';
  by: 'team' | 'queue' | 'channel';
  overall: number | null;
  rows: SegmentRow[];
}

export interface CoachingSummary {
  opened: { individual: number; systemic: number; recognition: number };
  closed: { caseId: string; kind: string; scope: string; kpi: string; outcome: string | null; reason: string | null; review: string | null }[];
  actions: { agreed: number; done: number; overdue: number };
}

export interface Recommendation {
  text: string;
  /** Why: the finding it follows from. */
  because: string;
  /** Where the evidence is in the app (a chart, contacts, comments, a case). */
  evidence: { label: string; href: string };
}

export interface ServiceReview {
  scope: string;
  scopeName: string;
  from: string;
  to: string;
  /** Instants of the period's start and end (local midnights). */
  fromAt: string;
  toAt: string;
  days: number;
  generatedAt: string;
  plan: PlanRow[];
  results: ResultRow[];
  segments: SegmentTable[];
  themes: { comments: number; sentiment: Record<'negative' | 'neutral' | 'positive', number>; top: ThemeSummary[] };
  coaching: CoachingSummary;
  recommendations: Recommendation[];
}

export interface SavedReview {
  id: string;
  title: string;
  scope: string;
  from: string;
  to: string;
  createdAt: string;
  createdBy: string;
  snapshot: ServiceReview;
  comments: { id: number; at: string; author: string; authorName: string | null; text: string }[];
}
