/**
 * The authoring page's live check, apart from React so a test can hold it to the server's answers: the very schema
 * the server validates with (shared/qa.ts) and the same standards check (shared/qa-templates.ts).
 */
import type { Channel } from '../../../shared/channels.js';
import { createScorecardBody, publishVersionBody, type ScorecardDefinition } from '../../../shared/qa.js';
import type { StandardView } from '../../../shared/qa-scorecard-api.js';
import { standardIssues } from '../../../shared/qa-templates.js';

export interface Draft {
  name: string;
  description: string;
  channels: Channel[];
  definition: ScorecardDefinition;
}

/** "sections.1.criteria.0.standardId" as a person reads it: "Section 2, criterion 1, standard". */
export function pathWords(path: string | (string | number)[]): string {
  const parts = (Array.isArray(path) ? path.map(String) : path.split('.')).filter((p) => p !== '');
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] as string;
    const n = Number(parts[i + 1]);
    if ((p === 'sections' || p === 'criteria') && Number.isInteger(n)) {
      out.push(`${p === 'sections' ? 'section' : 'criterion'} ${n + 1}`);
      i++;
    } else if (p !== 'definition') out.push(p === 'standardId' ? 'standard' : p === 'naAllowed' ? 'N/A' : p);
  }
  const s = out.join(', ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Every issue the server would raise, in words. `next`: publishing a new version (the version read and the change note). */
export function liveIssues(d: Draft, standards: readonly StandardView[], next: { version: number; changeNote: string } | null = null): string[] {
  const parsed = next === null ? createScorecardBody.safeParse(d) : publishVersionBody.safeParse({ ...next, definition: d.definition });
  const out = parsed.success ? [] : parsed.error.issues.map((i) => `${pathWords(i.path.map(String))}: ${i.message}`);
  for (const i of standardIssues(d.definition, standards)) out.push(`${pathWords(i.path)}: ${i.message}`);
  return out;
}
