/** A known scorecard for QA tests (issue 19): a fixture factory writing straight to the store (the authoring page has its own tests). */
import { ScorecardStore } from '../../server/qa/scorecard.store.js';
import type { Store } from '../../server/store/db.js';
import type { ScorecardDefinition } from '../../shared/qa.js';

/**
 * Four criteria, weights 20 + 30 + 40 + 10 = 100, so a score is the sum of what each earns:
 * greet (met), verify identity (critical, met), resolve (rated 1–5: (r − 1) / 4 of 40), apology (met, N/A allowed).
 */
export const CALL_CARD: ScorecardDefinition = {
  sections: [
    {
      title: 'Opening',
      criteria: [
        { key: 'greet', label: 'Greeted the customer and gave their name', guidance: 'Within the first ten seconds', weight: 20, critical: false, naAllowed: false, scale: 'met', standardId: 'std-greet' },
        { key: 'verify', label: 'Verified identity before discussing the account', guidance: 'Two items of security data', weight: 30, critical: true, naAllowed: false, scale: 'met', standardId: 'std-security' },
      ],
    },
    {
      title: 'Resolution',
      criteria: [
        { key: 'resolve', label: 'Resolved the query or set a clear next step', guidance: '5: resolved and confirmed; 1: left unresolved', weight: 40, critical: false, naAllowed: false, scale: 'rating', standardId: 'std-resolve' },
        { key: 'apology', label: 'Apologised where the service fell short', guidance: 'N/A when nothing went wrong', weight: 10, critical: false, naAllowed: true, scale: 'met', standardId: 'std-tone' },
      ],
    },
  ],
};

export async function createCallCard(store: Store, by = 'test', nowMs = Date.now()): Promise<string> {
  const card = await new ScorecardStore(store).create({ name: 'Billing calls', description: 'Billing voice contacts', channels: ['voice'], definition: CALL_CARD }, by, nowMs);
  return card.id;
}
