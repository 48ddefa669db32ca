/**
 * QA evaluations, samples and the agent's response as the API accepts and answers them (issue 19 parts 2 and 3).
 * Scoring is shared/qa-score.ts; this is the boundary only.
 */
import { z } from 'zod';
import { answersInput, monitoringMethod, type Answer, type MonitoringMethod, type ScorecardDefinition } from './qa.js';

const version = z.number().int().min(1);
const summary = z.string().trim().max(4000, 'the summary is at most 4000 characters');

export const EVALUATION_STATUSES = ['draft', 'submitted'] as const;
export type EvaluationStatus = (typeof EVALUATION_STATUSES)[number];
export const EVALUATION_RESPONSES = ['acknowledged', 'disputed'] as const;
export type EvaluationResponse = (typeof EVALUATION_RESPONSES)[number];
export const EVALUATION_VIEWS = ['mine', 'drafts', 'to_respond', 'scope'] as const;

export const startEvaluationBody = z.strictObject({
  contactId: z.string().min(1).max(512),
  /** The agent evaluated; omitted: the contact's handling agent. */
  agentId: z.string().min(1).max(512).optional(),
  scorecardId: z.string().min(1).max(64),
  method: monitoringMethod,
});
export type StartEvaluationBody = z.input<typeof startEvaluationBody>;

export const saveEvaluationBody = z.strictObject({
  version,
  answers: answersInput,
  summary: summary.optional(),
  method: monitoringMethod.optional(),
});
export type SaveEvaluationBody = z.input<typeof saveEvaluationBody>;

/** Submitting sends the answers as they stand on the form (saved with it). */
export const submitEvaluationBody = saveEvaluationBody;

export const amendEvaluationBody = z.strictObject({
  version,
  answers: answersInput,
  summary: summary.optional(),
  reason: z.string().trim().min(3, 'say why the evaluation is amended (at least 3 characters)').max(2000),
});
export type AmendEvaluationBody = z.input<typeof amendEvaluationBody>;

export const respondEvaluationBody = z
  .strictObject({ version, response: z.enum(EVALUATION_RESPONSES), comment: z.string().trim().max(4000, 'the comment is at most 4000 characters').default('') })
  .refine((b) => b.response !== 'disputed' || b.comment.length >= 3, { message: 'say what you dispute (a comment of at least 3 characters)', path: ['comment'] });
export type RespondEvaluationBody = z.input<typeof respondEvaluationBody>;

export const attachEvaluationBody = z.strictObject({ version, caseId: z.string().min(1).max(64) });

export const drawSampleBody = z.strictObject({
  /** An ISO week, e.g. 2026-W49; omitted: this week in the centre's time zone. */
  period: z
    .string()
    .regex(/^\d{4}-W\d{2}$/, 'a period is an ISO week such as 2026-W49')
    .optional(),
  /** Contacts per agent; omitted: the centre's setting (2 unless changed). */
  k: z.number().int().min(1).max(50).optional(),
});

export interface EvaluationView {
  id: string;
  contactId: string;
  agentId: string;
  agentName: string | null;
  scorecardId: string;
  scorecardName: string | null;
  scorecardVersion: number;
  /** The card as it was when the evaluation started (the pinned version). */
  definition: ScorecardDefinition | null;
  evaluatorId: string;
  evaluatorName: string | null;
  method: MonitoringMethod;
  status: EvaluationStatus;
  answers: Answer[];
  summary: string | null;
  score: number | null;
  criticalFail: boolean | null;
  revision: number;
  sampleId: string | null;
  createdAt: string;
  updatedAt: string;
  submittedAt: string | null;
  response: EvaluationResponse | null;
  responseComment: string | null;
  respondedAt: string | null;
  caseId: string | null;
  version: number;
}

export interface EvaluationEventView {
  at: string;
  actor: string;
  actorName: string | null;
  action: string;
  details: Record<string, unknown> | null;
}

export interface EvaluationOptions {
  canEvaluate: boolean;
  /** The agents who handled the contact (the first is the handling agent the KPI credits). */
  agents: { id: string; name: string | null }[];
  scorecards: { id: string; name: string; currentVersion: number; channels: string[] }[];
  /** Evaluations of this contact the caller may see. */
  evaluations: EvaluationView[];
}

export interface SampleItem {
  sampleId: string;
  period: string;
  agentId: string;
  agentName: string | null;
  contactId: string;
  evaluationId: string | null;
  evaluationStatus: EvaluationStatus | null;
}

export interface CoverageRow {
  agentId: string;
  agentName: string | null;
  /** Contacts the agent ended in the period. */
  handled: number;
  sampled: number;
  /** Sampled contacts with a submitted evaluation. */
  evaluated: number;
  /** Mean QA KPI score (critical fails as 0) over the evaluated sampled contacts; null when none. */
  meanScore: number | null;
}

export interface SamplesReply {
  period: string;
  from: string;
  to: string;
  drawn: boolean;
  k: number;
  items: SampleItem[];
  coverage: CoverageRow[];
}
