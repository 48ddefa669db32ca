/**
 * Calibration sessions at the boundary (issue 19, part 4): what the API accepts and answers. The spread itself is in
 * ./qa-calibration.ts (zod-free).
 */
import { z } from 'zod';
import type { ContactRecord } from './contacts.js';
import { answersInput, type Answer, type ScorecardDefinition } from './qa.js';
import type { CalibrationSpread } from './qa-calibration.js';

export const MIN_CALIBRATION_EVALUATORS = 2;
export const MAX_CALIBRATION_EVALUATORS = 12;
/** Who may be invited to score: the people who evaluate contacts. */
export const CALIBRATION_EVALUATOR_ROLES = ['admin', 'manager', 'team_leader', 'coach'] as const;

export const openCalibrationBody = z.strictObject({
  contactId: z.string().trim().min(1, 'pick the contact to calibrate on').max(128),
  scorecardId: z.string().min(1, 'pick a scorecard').max(64),
  title: z.string().trim().min(3, 'the title needs at least 3 characters').max(200, 'the title is at most 200 characters'),
  /** A day, YYYY-MM-DD. */
  dueDate: z.iso.date('the due date is a day, YYYY-MM-DD').nullable().default(null),
  evaluatorIds: z
    .array(z.string().min(1).max(64))
    .min(MIN_CALIBRATION_EVALUATORS, `invite at least ${MIN_CALIBRATION_EVALUATORS} evaluators`)
    .max(MAX_CALIBRATION_EVALUATORS, `invite at most ${MAX_CALIBRATION_EVALUATORS} evaluators`)
    .refine((ids) => new Set(ids).size === ids.length, 'each evaluator is invited once'),
});
export type OpenCalibrationBody = z.input<typeof openCalibrationBody>;

export const submitCalibrationBody = z.strictObject({ answers: answersInput });

export interface CalibrationPerson {
  id: string;
  name: string;
}

export interface CalibrationSummary {
  id: string;
  title: string;
  contactId: string;
  agentId: string;
  scorecardId: string;
  scorecardName: string;
  scorecardVersion: number;
  organiser: CalibrationPerson;
  evaluators: (CalibrationPerson & { submitted: boolean })[];
  createdAt: string;
  dueDate: string | null;
  status: 'open' | 'closed';
  closedAt: string | null;
  /** Scores are shown: everyone invited has submitted, or the organiser closed the session. */
  revealed: boolean;
  /** The caller's part: organiser, invited evaluator, or both. */
  mine: { organiser: boolean; evaluator: boolean; submitted: boolean };
}

export interface CalibrationSubmissionView {
  evaluatorId: string;
  name: string;
  answers: Answer[];
  score: number;
  criticalFail: boolean;
  submittedAt: string;
}

export interface CalibrationDetail {
  calibration: CalibrationSummary;
  definition: ScorecardDefinition;
  contact: ContactRecord | null;
  /** The caller's own answers (an invited evaluator), before and after the reveal. */
  mySubmission: CalibrationSubmissionView | null;
  /** After the reveal only: everyone's answers and the spread. */
  submissions: CalibrationSubmissionView[] | null;
  spread: CalibrationSpread | null;
}
