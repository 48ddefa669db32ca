/**
 * The coaching workflow (DOMAIN.md section 6), shared by server and client: a case's stages, the request bodies that
 * move it on (validated by the same zod schemas on both sides), the case as the case page reads it, the follow-up
 * review, and the trail of changes.
 *
 * flagged (new) → assigned → session planned → session held (notes, reflection, SMART actions, follow-up date)
 * → follow-up review (before/after on equal windows) → closed with an outcome and reason.
 * The agent reads their own case and acknowledges or disputes it with a comment. Systemic reviews have the same
 * shape: the assignee is the owner (a team leader or manager) and the actions are improvement actions with owners.
 */
import { z } from 'zod';
import type { CaseSummary } from './access.js';
import { CASE_OUTCOMES } from './coaching-words.js';

// The words (stages, outcomes, trail actions, names in explanations) live in a zod-free module for the client's first
// chunks; they are re-exported here so server code keeps one import.
export { ACTION_WORDS, CASE_OUTCOMES, CASE_STAGES, OUTCOME_WORDS, scopeToken, STAGE_WORDS, withNames, type CaseOutcome, type CaseStage } from './coaching-words.js';

export const CASE_RESPONSES = ['acknowledged', 'disputed'] as const;
export type CaseResponse = (typeof CASE_RESPONSES)[number];

export const ACTION_STATUSES = ['open', 'done', 'dropped'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

/** Default length of each of the two equal windows a follow-up review compares. */
export const DEFAULT_REVIEW_DAYS = 14;

const DAY_MS = 86_400_000;
const isoInstant = z.iso.datetime({ offset: true, message: 'give a date and time such as 2026-11-30T09:00:00Z' });
const version = z.number().int().min(1, 'send the version of the case you last read');
const longText = (what: string, max: number) => z.string().trim().min(1, `${what} is required`).max(max, `${what} is at most ${max} characters`);

/** One agreed action. SMART: specific (text), measurable (measure), owned, time-bound (a due date). */
export const actionInput = z.strictObject({
  text: z.string().trim().min(10, 'say what will be done in at least 10 characters').max(500, 'an action is at most 500 characters'),
  measure: z.string().trim().min(5, 'say how you will know it was done (at least 5 characters)').max(300, 'the measure is at most 300 characters'),
  /** A user id, or 'agent' for the agent the case is about. */
  owner: z.string().trim().min(1, 'each action needs an owner').max(200),
  dueAt: isoInstant,
});
export type ActionInput = z.infer<typeof actionInput>;

export const assignBody = z.strictObject({ version, assigneeId: z.string().min(1, 'choose who takes the case').max(64) });
export const planBody = z.strictObject({ version, plan: longText('the plan', 4000), sessionAt: isoInstant });
export const sessionBody = z
  .strictObject({
    version,
    heldAt: isoInstant,
    notes: longText('session notes', 8000),
    followUpAt: isoInstant,
    reviewDays: z.number().int().min(3, 'the review windows are at least 3 days').max(60, 'the review windows are at most 60 days').default(DEFAULT_REVIEW_DAYS),
    actions: z.array(actionInput).min(1, 'agree at least one action').max(10, 'at most 10 actions'),
  })
  .refine((b) => Date.parse(b.followUpAt) > Date.parse(b.heldAt), { message: 'the follow-up comes after the session', path: ['followUpAt'] })
  .refine((b) => b.actions.every((a) => Date.parse(a.dueAt) > Date.parse(b.heldAt)), { message: 'each action is due after the session', path: ['actions'] })
  .refine((b) => Date.parse(b.followUpAt) - Date.parse(b.heldAt) <= 180 * DAY_MS, { message: 'the follow-up is within 180 days of the session', path: ['followUpAt'] });
export const addActionBody = z.strictObject({ version, action: actionInput });
export const actionStatusBody = z.strictObject({ version, status: z.enum(ACTION_STATUSES) });
export const responseBody = z
  .strictObject({
    version,
    response: z.enum(CASE_RESPONSES),
    comment: z.string().trim().max(4000, 'the comment is at most 4000 characters').default(''),
    reflection: z.string().trim().max(4000, 'the reflection is at most 4000 characters').optional(),
  })
  .refine((b) => b.response !== 'disputed' || b.comment.length >= 10, { message: 'say why you dispute it (at least 10 characters)', path: ['comment'] });
export const closeBody = z.strictObject({
  version,
  outcome: z.enum(CASE_OUTCOMES),
  reason: z.string().trim().min(10, 'give the reason for the outcome (at least 10 characters)').max(4000),
});

export type AssignBody = z.infer<typeof assignBody>;
export type PlanBody = z.infer<typeof planBody>;
export type SessionBody = z.input<typeof sessionBody>;
export type ResponseBody = z.input<typeof responseBody>;
export type CloseBody = z.infer<typeof closeBody>;

export interface CaseAction {
  id: string;
  text: string;
  measure: string;
  owner: string;
  dueAt: string;
  status: ActionStatus;
  createdAt: string;
  createdBy: string;
  doneAt: string | null;
}

/** One side of a follow-up review: a KPI over one window. */
export interface ReviewWindow {
  from: string;
  to: string;
  value: number | null;
  n: number;
  /** 95% interval for the value (Wilson for rates; on the log scale for times). */
  low: number | null;
  high: number | null;
}

export interface ReviewRow {
  kpi: string;
  /** 'rate' KPIs are shares (0–1); 'seconds' are handle or response times. */
  unit: 'rate' | 'seconds';
  direction: 'up' | 'down';
  before: ReviewWindow;
  after: ReviewWindow;
  /** after − before for rates; after ÷ before for times. Null without data on both sides. */
  change: number | null;
  changeLow: number | null;
  changeHigh: number | null;
  /** better / worse when the 95% interval of the change excludes no change; otherwise unclear. */
  verdict: 'better' | 'worse' | 'unclear' | 'no-data';
  /** The same comparison for the agent's team over the same windows: did everyone move? */
  team: { change: number | null; verdict: 'better' | 'worse' | 'unclear' | 'no-data' } | null;
}

export interface CaseReview {
  /** The date the windows meet: the session (or, before one is held, the day the case opened). */
  pivot: string;
  days: number;
  /** True while the after-window has not run its full length yet. */
  provisional: boolean;
  /** Whole days of the after-window elapsed so far. */
  daysElapsed: number;
  rows: ReviewRow[];
  /** One sentence saying what the comparison shows. */
  summary: string;
}

export interface CaseEventRecord {
  id: number;
  at: string;
  actor: string;
  /** The actor's display name, when known. */
  actorName: string | null;
  action: string;
  details: Record<string, unknown>;
}

/** A case as the case page reads it: the summary plus the workflow. */
export interface CaseDetail extends CaseSummary {
  plan: string | null;
  sessionAt: string | null;
  heldAt: string | null;
  notes: string | null;
  reflection: string | null;
  response: CaseResponse | null;
  responseComment: string | null;
  respondedAt: string | null;
  reviewDays: number | null;
  outcomeReason: string | null;
  /** The review frozen at closing. */
  review: CaseReview | null;
  actions: CaseAction[];
  updatedAt: string | null;
  /** The assigned coach's or owner's name. */
  assigneeName: string | null;
}

/** Who may take a case: coaches for individual cases and recognitions; team leaders and managers for any. */
export interface Assignee {
  id: string;
  name: string;
  role: 'coach' | 'team_leader' | 'manager';
}

/** Pushed over the socket to each signed-in person who may see the case, whenever it changes or is filed. */
export interface CaseChangedNotice {
  caseId: string;
  kind: CaseSummary['kind'];
  scope: string;
  kpi: string;
  action: string;
  /** Who made the change, by name ("Frontline flagger" for new cases). */
  by: string;
  at: string;
  /** True when the change is addressed to this person (assigned to them, or about them) and they did not make it. */
  forYou: boolean;
}


/** Inbox views for coaches (and everyone who works cases). */
export const INBOX_VIEWS = ['new', 'mine', 'due', 'all', 'closed'] as const;
export type InboxView = (typeof INBOX_VIEWS)[number];
