import { describe, expect, it } from 'vitest';
import { withoutQuotesOf } from '../../../server/privacy/snapshots.js';

describe('erased customers’ quotes leave frozen documents', () => {
  it('drops a quoted comment about an erased contact wherever it sits, and keeps the rest as it was', () => {
    const doc = {
      themes: { top: [{ label: 'Waiting', count: 3, examples: [{ contactId: 'k1', text: 'I am Jane, call 07700' }, { contactId: 'k2', text: 'fine' }] }] },
      recommendations: [{ text: 'Staff the late shift', because: 'waits', evidence: { label: 'chart', href: '/charts' } }],
      contacts: [{ contactId: 'k1', outcome: 'answered' }],
    };
    const out = withoutQuotesOf(doc, new Set(['k1']));
    expect(out).toEqual({
      themes: { top: [{ label: 'Waiting', count: 3, examples: [{ contactId: 'k2', text: 'fine' }] }] },
      recommendations: doc.recommendations,
      // Not a quote (no text): kept.
      contacts: [{ contactId: 'k1', outcome: 'answered' }],
    });
    expect(doc.themes.top[0]?.examples).toHaveLength(2);
  });

  it('blanks an initiative theme’s example quoted from an erased contact', () => {
    const themes = [
      { id: 'w', example: 'Jane again', exampleContactId: 'k1', count: 2 },
      { id: 's', example: 'Lovely', exampleContactId: 'k9', count: 1 },
    ];
    expect(withoutQuotesOf({ themes }, new Set(['k1']))).toEqual({ themes: [{ id: 'w', example: null, exampleContactId: null, count: 2 }, themes[1]] });
  });
});
