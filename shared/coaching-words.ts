/**
 * The coaching workflow in words: stages, outcomes, trail actions, and names put into a case's explanation. No zod
 * here (the schemas are in coaching.ts): the signed-in frame's case notices import this on every page.
 */
export const CASE_STAGES = ['new', 'assigned', 'planned', 'held', 'closed'] as const;
export type CaseStage = (typeof CASE_STAGES)[number];

export const STAGE_WORDS: Record<CaseStage, string> = {
  new: 'New: not yet assigned',
  assigned: 'Assigned: session not planned yet',
  planned: 'Session planned',
  held: 'Session held: follow-up review pending',
  closed: 'Closed',
};

export const CASE_OUTCOMES = ['improved', 'no_change', 'escalated', 'not_warranted'] as const;
export type CaseOutcome = (typeof CASE_OUTCOMES)[number];
export const OUTCOME_WORDS: Record<CaseOutcome, string> = {
  improved: 'Improved',
  no_change: 'No change',
  escalated: 'Escalated',
  not_warranted: 'Not warranted',
};

/** Trail actions in words: "<who> <words>". */
export const ACTION_WORDS: Record<string, string> = {
  flagged: 'flagged the case',
  signal: 'found a new signal for this case',
  assigned: 'assigned the case',
  planned: 'planned the session',
  session: 'recorded the session',
  action_added: 'added an action',
  action_status: 'updated an action',
  responded: 'responded to the case',
  closed: 'closed the case',
  follow_up_due: 'says the follow-up review is due',
};

/**
 * A case's explanation names people, teams, queues and channels by token: `{agent:ID}`, `{team:ID}`, `{queue:ID}`,
 * `{channel:NAME}`. Readers
 * put in the current name (a renamed team reads right; an erased agent reads "Former agent ...", never their old
 * name or id), so no name is frozen into stored text.
 */
export const scopeToken = (scope: string): string => `{${scope}}`;

const TOKEN = /\{(agent|team|queue|channel):([^{}\s]+)\}/g;

/** The explanation with every token replaced by `nameOf(scope)`. Text without tokens comes back as it was. */
export function withNames(text: string, nameOf: (scope: string) => string): string {
  return text.replace(TOKEN, (_m, kind: string, id: string) => nameOf(`${kind}:${id}`));
}
