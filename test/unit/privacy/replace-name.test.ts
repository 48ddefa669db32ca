/** Scrubbing a departed agent's name from what people wrote about them (server/privacy: replaceName). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replaceName } from '../../../server/privacy/privacy.service.js';

describe('replaceName', () => {
  it('replaces the full name in any case, and each part as a name is written', () => {
    expect(replaceName('Spoke to mary ann SMITH today; Mary agreed, Smith will try.', 'Mary Ann Smith', 'the agent')).toBe('Spoke to the agent today; the agent agreed, the agent will try.');
  });

  it('leaves the ordinary word a name is made of, and longer words that start with it', () => {
    expect(replaceName('Will said we will check; Willow queue is fine.', 'Will Jones', 'the agent')).toBe('the agent said we will check; Willow queue is fine.');
  });

  it('keeps possessives and punctuation, and works on accented names', () => {
    expect(replaceName("Zoë's calls (Zoë) were short.", 'Zoë Ng', 'the agent')).toBe("the agent's calls (the agent) were short.");
  });

  it('never leaves a capitalised whole-word part of the name behind', () => {
    const part = fc.stringMatching(/^[A-Z][a-z]{2,8}$/);
    const filler = fc.array(fc.constantFrom('said', 'the', 'calls', ',', '.', 'and', 'queue', "'s"), { maxLength: 6 });
    fc.assert(
      fc.property(part, part, fc.array(fc.tuple(filler, fc.integer({ min: 0, max: 2 })), { maxLength: 6 }), (first, last, pieces) => {
        const name = `${first} ${last}`;
        const text = pieces.map(([words, which]) => [...words, which === 0 ? first : which === 1 ? last : name].join(' ')).join(' ');
        const out = replaceName(text, name, 'the agent');
        for (const p of [first, last]) expect(out).not.toMatch(new RegExp(`(?<![\\p{L}\\p{N}_])${p}(?![\\p{L}\\p{N}_])`, 'u'));
      }),
    );
  });
});
