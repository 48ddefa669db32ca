/**
 * Improvement initiatives (issue 19, the "act" and "review impact" steps of DOMAIN.md section 2): the API's bodies as
 * zod schemas and the replies as types. The lists and words are in the zod-free shared/initiative-words.ts.
 */
import { z } from 'zod';
import type { ReviewWindow } from './coaching.js';
import {
  INITIATIVE_KPIS,
  INITIATIVE_OUTCOMES,
  INITIATIVE_STATUSES,
  PLAN_ACTION_STATUSES,
  type InitiativeKpi,
  type InitiativeOutcome,
  type InitiativeStatus,
  type InitiativeVerdict,
  type PlanActionStatus,
} from './initiative-words.js';

export * from './initiative-words.js';

const localDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');
const version = z.number().int().min(1);
const text = (what: string, min: number, max: number) => z.string().trim().min(min, `${what} needs at least ${min} characters`).max(max, `${what} is at most ${max} characters`);

export const initiativeOrigin = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('review'), reviewId: z.string().min(1).max(40), index: z.number().int().min(0).max(100) }),
  z.strictObject({ kind: z.literal('case'), caseId: z.string().min(1).max(64) }),
  z.strictObject({ kind: z.literal('manual'), scope: z.string().min(1).max(200) }),
]);

export const openInitiativeBody = z.strictObject({
  title: text('the title', 3, 200),
  problem: text('the problem statement', 10, 4000),
  origin: initiativeOrigin,
});

export const planActionInput = z.strictObject({
  /** Kept when editing an action that exists; new actions have none. */
  id: z.string().max(40).optional(),
  text: text('an action', 5, 500),
  /** A user id. */
  owner: z.string().min(1, 'each action needs an owner').max(64),
  resources: z.string().trim().max(500, 'resources are at most 500 characters').default(''),
  dueDate: localDay,
  status: z.enum(PLAN_ACTION_STATUSES).default('open'),
});
export type PlanActionInput = z.input<typeof planActionInput>;

export const criterionInput = z.strictObject({
  kpi: z.enum(INITIATIVE_KPIS),
  /** A share 0–1 for rates, seconds for AHT. */
  threshold: z.number().min(0).max(100_000),
  /** up: at least the threshold; down: at most. */
  direction: z.enum(['up', 'down']),
  byDate: localDay,
});
export type CriterionInput = z.infer<typeof criterionInput>;

export const editInitiativeBody = z.strictObject({
  version,
  title: text('the title', 3, 200).optional(),
  problem: text('the problem statement', 10, 4000).optional(),
  rootCause: z.string().trim().max(4000, 'the root cause is at most 4000 characters').optional(),
  actions: z.array(planActionInput).max(30, 'at most 30 actions').optional(),
  criteria: z.array(criterionInput).max(10, 'at most 10 success criteria').optional(),
  /** User ids. */
  stakeholders: z.array(z.string().min(1).max(64)).max(20, 'at most 20 stakeholders').optional(),
  windowDays: z.number().int().min(7, 'the windows are at least 7 days').max(90, 'the windows are at most 90 days').optional(),
});
export type EditInitiativeBody = z.input<typeof editInitiativeBody>;

export const initiativeStatusBody = z.discriminatedUnion('to', [
  z.strictObject({ version, to: z.literal('planned') }),
  z.strictObject({ version, to: z.literal('closed'), outcome: z.enum(INITIATIVE_OUTCOMES), reason: text('the reason', 5, 2000) }),
]);
export type InitiativeStatusBody = z.infer<typeof initiativeStatusBody>;

export const signOffBody = z.strictObject({ version });
export const changeBody = z.strictObject({ version, date: localDay, description: text('the description of the change', 10, 4000) });
export type ChangeBody = z.infer<typeof changeBody>;
export const initiativeCommentBody = z.strictObject({ text: text('a comment', 2, 4000) });
export const initiativeListQuery = z.object({
  status: z.enum(INITIATIVE_STATUSES).optional(),
  scope: z.string().max(200).optional(),
  /** Include each initiative's before/after headline (computed on read). */
  results: z.enum(['0', '1']).optional(),
});

export type InitiativeOrigin = { kind: 'review'; reviewId: string; index: number; text: string; because: string } | { kind: 'case'; caseId: string; text: string } | { kind: 'manual' };

export interface PlanAction {
  id: string;
  text: string;
  owner: string;
  ownerName: string | null;
  resources: string;
  dueDate: string;
  status: PlanActionStatus;
}

export type Criterion = CriterionInput;

/** The problem's evidence, frozen when the initiative was opened. */
export interface InitiativeEvidence {
  from: string;
  to: string;
  days: number;
  kpis: { kpi: InitiativeKpi; value: number | null; n: number }[];
  comments: number;
  /** `exampleContactId`: the contact the quoted comment is about, so erasing that customer removes the quote. */
  themes: { id: string; label: string; count: number; share: number; negativeShare: number; example: string | null; exampleContactId?: string | null }[];
}

export interface Stakeholder {
  userId: string;
  name: string | null;
  signedOffAt: string | null;
}

export interface InitiativeSummary {
  id: string;
  title: string;
  scope: string;
  status: InitiativeStatus;
  outcome: InitiativeOutcome | null;
  changeDate: string | null;
  createdAt: string;
  /** Present when asked for: the before/after headline. */
  headline?: { verdict: InitiativeHeadline; text: string } | null;
}

export interface Initiative extends InitiativeSummary {
  version: number;
  origin: InitiativeOrigin;
  problem: string;
  rootCause: string;
  evidence: InitiativeEvidence;
  actions: PlanAction[];
  criteria: Criterion[];
  stakeholders: Stakeholder[];
  change: { date: string; description: string } | null;
  windowDays: number;
  outcomeReason: string | null;
  createdBy: string;
  createdByName: string | null;
  updatedAt: string;
  closedAt: string | null;
  comments: { id: number; at: string; author: string; authorName: string | null; text: string }[];
  trail: { id: number; at: string; actor: string; actorName: string | null; action: string; details: Record<string, unknown> }[];
  /** What the caller may do (the server decides again on each write). */
  can: { edit: boolean; signOff: boolean; comment: boolean };
}

export interface ComparisonRow {
  kpi: InitiativeKpi;
  unit: 'rate' | 'seconds';
  direction: 'up' | 'down';
  before: ReviewWindow;
  after: ReviewWindow;
  /** after − before for rates; after ÷ before for times. */
  change: number | null;
  changeLow: number | null;
  changeHigh: number | null;
  verdict: InitiativeVerdict;
}

export type InitiativeHeadline = InitiativeVerdict | 'mixed';

export interface SustainCheck {
  day: number;
  /** The window compared with the before window: windowDays whole days ending with day `day` after the change. */
  from: string;
  to: string;
  state: 'pending' | 'sustained' | 'not-sustained' | 'no-data';
  rows: ComparisonRow[];
}

export interface InitiativeResults {
  changeDate: string;
  windowDays: number;
  provisional: boolean;
  daysElapsed: number;
  rows: ComparisonRow[];
  /** Over the KPIs the success criteria name (all KPIs when there are none). */
  headline: InitiativeHeadline;
  summary: string;
  themes: { comments: { before: number; after: number }; rows: { id: string; label: string; before: number; after: number }[] };
  criteria: (Criterion & { value: number | null; n: number; state: 'met' | 'not-met' | 'pending' | 'no-data' })[];
  sustained: SustainCheck[];
}
