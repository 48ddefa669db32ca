/** A case's explanation names people, teams and queues by token; readers put in current names. */
import { describe, expect, it } from 'vitest';
import { scopeToken, withNames } from '../../shared/coaching.js';

const names: Record<string, string> = { 'agent:a-7': 'Asha Patel', 'team:t-billing': 'Team Billing', 'queue:q-web': 'Queue Web chat' };
const nameOf = (scope: string) => names[scope] ?? scope;

describe('case explanations', () => {
  it('put in the current name for every token', () => {
    const text = `CSAT for ${scopeToken('agent:a-7')}: worse than peers. ${scopeToken('team:t-billing')} and ${scopeToken('queue:q-web')} show no concern.`;
    expect(withNames(text, nameOf)).toBe('CSAT for Asha Patel: worse than peers. Team Billing and Queue Web chat show no concern.');
  });

  it('leave text without tokens, and braces that are not tokens, as they were', () => {
    expect(withNames('More dissatisfied surveys than peers.', nameOf)).toBe('More dissatisfied surveys than peers.');
    expect(withNames('a {note} and {site:s-1}', nameOf)).toBe('a {note} and {site:s-1}');
  });

  it('fall back to what the reader gives for an unknown id', () => {
    expect(withNames('for {agent:a-gone}', (s) => (names[s] ? names[s] : 'a former agent'))).toBe('for a former agent');
  });
});
