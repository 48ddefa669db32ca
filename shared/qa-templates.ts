/**
 * Ready-made starting scorecards (issue 19, part 1), zod-free so the client can offer "start from template". A
 * template names its standards by code; using it creates the standards that do not exist yet (or reuses the ones with
 * the same code) and fills in their ids, after which the author edits the card like any other.
 *
 * Also here: the check the server makes beyond the zod schema (every criterion's standard exists and is in use), so
 * the authoring page's live check shows exactly the server's words.
 */
import type { Channel } from './channels.js';
import { criteriaOf, type Criterion, type ScorecardDefinition } from './qa-score.js';

export interface TemplateStandard {
  code: string;
  title: string;
  source?: string;
  description?: string;
}

export interface ScorecardTemplate {
  id: string;
  name: string;
  description: string;
  channels: Channel[];
  standards: TemplateStandard[];
  sections: { title: string; criteria: (Omit<Criterion, 'standardId'> & { standardCode: string })[] }[];
}

const met = { critical: false, naAllowed: false, scale: 'met' as const };
const rated = { critical: false, naAllowed: false, scale: 'rating' as const };

/**
 * HEAT (DOMAIN.md seed 001): Hear the customer out, Empathise, Apologise, Take ownership; then resolve and close. A
 * complaint-handling card checks those steps in order, the ownership step as a critical item.
 */
const HEAT: ScorecardTemplate = {
  id: 'complaint-heat',
  name: 'Complaint handling (HEAT)',
  description: 'Complaints handled with the HEAT steps: hear, empathise, apologise, take ownership; then resolve and close.',
  channels: [],
  standards: [
    { code: 'CMP-1', title: 'Let the customer explain the complaint in full without interrupting', source: 'Complaint handling policy' },
    { code: 'CMP-2', title: 'Acknowledge how the customer feels in your own words', source: 'Complaint handling policy' },
    { code: 'CMP-3', title: 'Apologise sincerely for the experience', source: 'Complaint handling policy' },
    { code: 'CMP-4', title: 'Take ownership: say what you will do and by when', source: 'Complaint handling policy' },
    { code: 'CMP-5', title: 'Resolve or agree next steps, confirm, and record the complaint', source: 'Complaint handling policy' },
  ],
  sections: [
    {
      title: 'HEAT',
      criteria: [
        { key: 'hear', label: 'Hear: let the customer explain without interrupting', guidance: 'Listened to the whole complaint; asked open questions; summarised it back before moving on.', weight: 20, ...met, standardCode: 'CMP-1' },
        { key: 'empathise', label: 'Empathise: acknowledged how the customer feels', guidance: 'Named the impact on the customer in their own terms; no scripted phrase on its own.', weight: 15, ...rated, standardCode: 'CMP-2' },
        { key: 'apologise', label: 'Apologise: a sincere apology for the experience', guidance: 'Apologised for the experience without blaming colleagues, systems or the customer.', weight: 15, ...met, standardCode: 'CMP-3' },
        { key: 'take-ownership', label: 'Take ownership: said what they will do and by when', guidance: 'Owned the complaint personally, gave a clear next step and a time; did not pass the customer on.', weight: 20, ...met, critical: true, standardCode: 'CMP-4' },
      ],
    },
    {
      title: 'Resolution and close',
      criteria: [
        { key: 'resolve', label: 'Resolved the complaint or agreed the next steps', guidance: 'Fixed it on the contact where possible; otherwise agreed steps the customer accepted.', weight: 15, ...rated, standardCode: 'CMP-5' },
        { key: 'confirm-close', label: 'Confirmed the outcome and closed warmly', guidance: 'Checked the customer was satisfied with the outcome and knew what happens next.', weight: 10, ...met, naAllowed: true, standardCode: 'CMP-5' },
        { key: 'record', label: 'Recorded the complaint correctly', guidance: 'Logged as a complaint with the right category so it counts in root-cause analysis.', weight: 5, ...met, standardCode: 'CMP-5' },
      ],
    },
  ],
};

const VOICE: ScorecardTemplate = {
  id: 'voice-quality',
  name: 'Voice call quality',
  description: 'A general card for voice calls: opening, understanding the need, resolution, and the close.',
  channels: ['voice'],
  standards: [
    { code: 'VQ-1', title: 'Greet, give your name and confirm who you are speaking to', source: 'Call quality standards' },
    { code: 'VQ-2', title: 'Verify identity before discussing the account', source: 'Data protection policy' },
    { code: 'VQ-3', title: 'Understand the need before offering a solution', source: 'Call quality standards' },
    { code: 'VQ-4', title: 'Give accurate information and resolve on the call where possible', source: 'Call quality standards' },
    { code: 'VQ-5', title: 'Summarise, check nothing else is needed, close politely', source: 'Call quality standards' },
  ],
  sections: [
    {
      title: 'Opening',
      criteria: [
        { key: 'greeting', label: 'Greeting and introduction', guidance: 'Greeted the caller, gave their name, confirmed who they were speaking to.', weight: 10, ...met, standardCode: 'VQ-1' },
        { key: 'verify', label: 'Identity verified before account details', guidance: 'Completed verification before discussing or changing the account.', weight: 15, ...met, critical: true, standardCode: 'VQ-2' },
      ],
    },
    {
      title: 'The call',
      criteria: [
        { key: 'understand', label: 'Understood the need', guidance: 'Asked questions to find the real need; summarised it back.', weight: 20, ...rated, standardCode: 'VQ-3' },
        { key: 'accuracy', label: 'Accurate information', guidance: 'What the caller was told was correct and complete.', weight: 20, ...met, standardCode: 'VQ-4' },
        { key: 'resolution', label: 'Resolved on the call', guidance: 'Resolved the need, or set clear next steps when it could not be done on the call.', weight: 20, ...rated, standardCode: 'VQ-4' },
        { key: 'hold', label: 'Hold used well', guidance: 'Asked before holding, explained why, came back within the time promised.', weight: 5, ...met, naAllowed: true, standardCode: 'VQ-4' },
      ],
    },
    {
      title: 'Close',
      criteria: [{ key: 'close', label: 'Summarised and closed politely', guidance: 'Summarised what was done, checked nothing else was needed, thanked the caller.', weight: 10, ...met, standardCode: 'VQ-5' }],
    },
  ],
};

export const SCORECARD_TEMPLATES: readonly ScorecardTemplate[] = [HEAT, VOICE];

/** A template's definition with each standard code replaced by an id; codes without an id get ''. */
export function definitionFromTemplate(t: ScorecardTemplate, idOfCode: (code: string) => string | undefined): ScorecardDefinition {
  return {
    sections: t.sections.map((s) => ({
      title: s.title,
      criteria: s.criteria.map(({ standardCode, ...c }) => ({ ...c, standardId: idOfCode(standardCode) ?? '' })),
    })),
  };
}

/** The standards as far as the check is concerned. */
export interface StandardRef {
  id: string;
  code: string;
  retiredAt: string | null;
}

/**
 * Beyond the schema: each criterion checks a standard that exists and is not retired. Paths as zod gives them, so
 * the page shows these next to the zod issues.
 */
export function standardIssues(def: ScorecardDefinition, standards: readonly StandardRef[]): { path: (string | number)[]; message: string }[] {
  const byId = new Map(standards.map((s) => [s.id, s]));
  const out: { path: (string | number)[]; message: string }[] = [];
  def.sections.forEach((s, i) =>
    s.criteria.forEach((c, j) => {
      if (c.standardId === '') return;
      const st = byId.get(c.standardId);
      const path = ['sections', i, 'criteria', j, 'standardId'];
      if (!st) out.push({ path, message: `criterion '${c.key}' links to a standard that does not exist` });
      else if (st.retiredAt !== null) out.push({ path, message: `criterion '${c.key}' links to standard ${st.code}, which is retired: pick one in use` });
    }),
  );
  return out;
}

/** How many criteria a definition has (for lists). */
export function criterionCount(def: ScorecardDefinition): number {
  return criteriaOf(def).length;
}
