/**
 * Standards and scorecards as the API answers them (issue 19, part 1), for the client. The server's ScorecardService
 * returns these types, so the compiler holds the store's rows and this description together.
 */
import type { Channel } from './channels.js';
import type { ScorecardDefinition } from './qa-score.js';

export interface StandardView {
  id: string;
  code: string;
  title: string;
  source: string | null;
  description: string | null;
  createdBy: string;
  createdAt: string;
  retiredAt: string | null;
}

export interface ScorecardSummaryView {
  id: string;
  name: string;
  description: string;
  channels: Channel[];
  currentVersion: number;
  createdBy: string;
  createdAt: string;
  retiredAt: string | null;
}

export interface ScorecardVersionInfo {
  scorecardId: string;
  version: number;
  changeNote: string;
  createdBy: string;
  createdAt: string;
}

export interface ScorecardVersionView extends ScorecardVersionInfo {
  definition: ScorecardDefinition;
}

/** GET /api/v1/qa/scorecards/:id */
export interface ScorecardDetail {
  scorecard: ScorecardSummaryView;
  current: ScorecardVersionView;
  /** Newest first. */
  versions: ScorecardVersionInfo[];
}

/** POST /api/v1/qa/templates/:id/use */
export interface TemplateDraft {
  name: string;
  description: string;
  channels: Channel[];
  definition: ScorecardDefinition;
  /** Standards the template created. */
  created: StandardView[];
  /** Codes of retired standards the template would have used: those criteria need a standard picked. */
  unlinked: string[];
}
