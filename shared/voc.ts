/**
 * Voice of the customer, shared by server and client: the theme dictionary (editable in the app), what the themes
 * API answers, and the comments behind a theme or sentiment.
 */
import { z } from 'zod';

/** A phrase: words matched whole and case-insensitively; a trailing * matches any ending (refund* → refunds). */
const phrase = z
  .string()
  .trim()
  .min(2, 'a phrase has at least 2 characters')
  .max(60, 'a phrase is at most 60 characters')
  .regex(/^[\p{L}\p{N}' -]+\*?$/u, 'a phrase is letters, digits, spaces, apostrophes and hyphens, with an optional * at the end');

export const themeInput = z.strictObject({
  id: z.string().trim().regex(/^[a-z0-9-]{2,40}$/, 'an id is 2 to 40 lower-case letters, digits or hyphens'),
  label: z.string().trim().min(1, 'a theme needs a label').max(60),
  phrases: z.array(phrase).min(1, 'a theme needs at least one phrase').max(80),
});
export const dictionaryBody = z
  .strictObject({ themes: z.array(themeInput).min(1, 'keep at least one theme').max(60, 'at most 60 themes') })
  .refine((d) => new Set(d.themes.map((t) => t.id)).size === d.themes.length, { message: 'theme ids must be unique', path: ['themes'] });

export type ThemeDefinition = z.infer<typeof themeInput>;

export const SENTIMENTS = ['negative', 'neutral', 'positive'] as const;
export type SentimentLabel = (typeof SENTIMENTS)[number];

/** Sentiment score (−1 to 1, from wink-nlp) to a label; a small band around zero is neutral. */
export function sentimentLabel(score: number): SentimentLabel {
  return score <= -0.05 ? 'negative' : score >= 0.05 ? 'positive' : 'neutral';
}

export interface ThemeSummary {
  id: string;
  label: string;
  /** Comments tagged with the theme in the period. */
  count: number;
  /** Share of the period's comments. */
  share: number;
  /** Mean sentiment (−1 to 1) and the share of negative comments. */
  meanSentiment: number;
  negativeShare: number;
  /** Mean CSAT (1–5) of the surveys carrying the theme, when any. */
  meanCsat: number | null;
  /** Count in the previous period of the same length, for "+x vs previous". */
  previousCount: number;
  /** Weekly (or daily, for short periods) counts across the period, oldest first; the last bucket may be shorter. */
  trend: { from: string; days: number; count: number }[];
  /** Up to three comments, most negative first, masked. */
  examples: VocComment[];
}

export interface VocComment {
  /** Null for a complaint logged without a contact. */
  contactId: string | null;
  at: string;
  kind: 'survey' | 'complaint';
  text: string;
  sentiment: number;
  csat: number | null;
  agentId: string | null;
  queueId: string | null;
  themes: string[];
}

export interface ThemesReply {
  scope: string;
  from: string;
  to: string;
  comments: number;
  /** Comments in the previous period of the same length (a theme's change is read against this). */
  previousComments: number;
  sentiment: Record<SentimentLabel, number>;
  themes: ThemeSummary[];
}
