/**
 * Theme tagging from a configurable dictionary: each theme is a list of phrases, matched as whole words,
 * case-insensitively, with a trailing * for any ending. A comment may carry several themes. The default dictionary
 * covers what contact-centre comments are usually about; admins and managers edit it in the app.
 */
import type { ThemeDefinition } from '../../shared/voc.js';

export const DEFAULT_THEMES: ThemeDefinition[] = [
  { id: 'waiting-time', label: 'Waiting time', phrases: ['hold', 'wait*', 'queue*', 'get through', 'got through', 'took a while', 'took ages', 'straight away', 'quick answer', 'only just had a reply', 'no reply', 'no answer', 'to get through', 'minutes on hold'] },
  { id: 'agent-attitude', label: 'Staff attitude', phrases: ['rude', 'friendly', 'polite', 'patient', 'lovely', 'brilliant', 'dismissive', 'talking over', 'cheerful', 'apolog*', 'helpful', 'unhelpful', 'attitude', 'get me off the phone', 'credit to'] },
  { id: 'knowledge', label: 'Knowledge and advice', phrases: ['knew', 'know what', 'explained', 'wrong information', 'inside out', 'check things', 'completely different', 'conflicting', 'incorrect advice', 'did not know', "didn't know", 'clearly'] },
  { id: 'resolution', label: 'Getting it resolved', phrases: ['fixed', 'resolved', 'sorted first time', 'first time', 'one call', 'callback', 'call back', 'third time', 'nothing has changed', 'still not', 'still drops', 'outstanding', 'spot on', 'problem'] },
  { id: 'billing', label: 'Billing and payments', phrases: ['bill*', 'refund*', 'overcharg*', 'charged', 'charges', 'direct debit', 'payment*', 'overdrawn', 'invoice*'] },
  { id: 'website-app', label: 'Website and app', phrases: ['app', 'website', 'online', 'form', 'login', 'log in', 'logging me out', 'password'] },
  { id: 'transfer', label: 'Transfers', phrases: ['transferred', 'transfer*', 'passed around', 'right team', 'explain it all again', 'passed from'] },
  { id: 'process', label: 'Process and effort', phrases: ['security questions', 'repeat my details', 'rang me back', 'quicker', 'too many', 'simple thing', 'had to repeat', 'paperwork'] },
];

export interface CompiledTheme {
  id: string;
  label: string;
  pattern: RegExp;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function compileThemes(themes: ThemeDefinition[]): CompiledTheme[] {
  return themes.map((t) => {
    const alternatives = t.phrases.map((p) => {
      const wild = p.endsWith('*');
      const body = escape((wild ? p.slice(0, -1) : p).toLowerCase()).replace(/\s+/g, '\\s+');
      return wild ? `${body}[\\p{L}\\p{N}'-]*` : body;
    });
    return { id: t.id, label: t.label, pattern: new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}])`, 'iu') };
  });
}

/** Theme ids whose phrases occur in the text (curly apostrophes read as straight ones). */
export function tagThemes(text: string, themes: CompiledTheme[]): string[] {
  const t = text.replace(/[\u2018\u2019]/g, "'");
  return themes.filter((th) => th.pattern.test(t)).map((th) => th.id);
}
