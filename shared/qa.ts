/**
 * QA monitoring (issue 19) at the boundary: service standards, versioned scorecards and evaluation answers as the API
 * accepts them. Scoring itself is in ./qa-score.ts (zod-free, shared with the client's form).
 */
import { z } from 'zod';
import { CHANNELS } from './channels.js';
import { CRITERION_SCALES, MONITORING_METHODS, RATING_MAX, RATING_MIN, type ScorecardDefinition } from './qa-score.js';

export * from './qa-score.js';

const words = (what: string, min: number, max: number) =>
  z
    .string()
    .trim()
    .min(min, `${what} needs at least ${min} character${min === 1 ? '' : 's'}`)
    .max(max, `${what} is at most ${max} characters`);

/** A service standard a criterion checks: the organisation's own words, where they are written down. */
export const standardInput = z.strictObject({
  /** A short reference, e.g. "CS-3" or "Complaints 2.1". */
  code: words('the code', 1, 24),
  title: words('the title', 3, 200),
  /** Where it is written: policy, section, version. */
  source: words('the source', 0, 300).optional(),
  description: words('the description', 0, 2000).optional(),
});
export type StandardInput = z.infer<typeof standardInput>;

export const criterionKey = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'a criterion key is 1–40 lower-case letters, digits or dashes');

export const criterionInput = z
  .strictObject({
    key: criterionKey,
    label: words('a criterion', 3, 200),
    guidance: words('the guidance', 0, 2000).default(''),
    weight: z.number().int('a weight is a whole number').min(1, 'a weight is at least 1').max(100, 'a weight is at most 100'),
    critical: z.boolean().default(false),
    naAllowed: z.boolean().default(false),
    scale: z.enum(CRITERION_SCALES).default('met'),
    standardId: z.string().min(1, 'link each criterion to the service standard it checks').max(64),
  })
  .refine((c) => !c.critical || c.scale === 'met', { message: 'a critical item is answered met or not met, not on a rating', path: ['scale'] })
  .refine((c) => !c.critical || !c.naAllowed, { message: 'a critical item cannot be marked N/A', path: ['naAllowed'] });

export const sectionInput = z.strictObject({
  title: words('a section title', 2, 200),
  criteria: z.array(criterionInput).min(1, 'a section needs at least one criterion').max(40),
});

export const scorecardDefinition = z
  .strictObject({ sections: z.array(sectionInput).min(1, 'a scorecard needs at least one section').max(20) })
  .superRefine((d, ctx) => {
    const seen = new Set<string>();
    d.sections.forEach((s, i) =>
      s.criteria.forEach((c, j) => {
        if (seen.has(c.key)) ctx.addIssue({ code: 'custom', path: ['sections', i, 'criteria', j, 'key'], message: `criterion key '${c.key}' is used twice` });
        seen.add(c.key);
      }),
    );
  }) satisfies z.ZodType<ScorecardDefinition, unknown>;

export const createScorecardBody = z.strictObject({
  name: words('the name', 3, 120),
  description: words('the description', 0, 2000).default(''),
  /** Channels the card is meant for; empty: any. */
  channels: z.array(z.enum(CHANNELS)).max(CHANNELS.length).default([]),
  definition: scorecardDefinition,
});
export type CreateScorecardBody = z.input<typeof createScorecardBody>;

/** A new version: the definition as it now stands, and why it changed. `version` is the one the author read. */
export const publishVersionBody = z.strictObject({
  version: z.number().int().min(1),
  definition: scorecardDefinition,
  changeNote: words('what changed', 3, 1000),
});

export const answerInput = z.strictObject({
  key: criterionKey,
  value: z.union([z.enum(['met', 'not_met', 'na']), z.number().int().min(RATING_MIN).max(RATING_MAX)]),
  example: z.enum(['positive', 'negative']).nullable().default(null),
  note: words('a note', 0, 2000).optional(),
});
export const answersInput = z.array(answerInput).max(800);

export const monitoringMethod = z.enum(MONITORING_METHODS);
