/** Masking personal data in comments: each kind with known vectors, and ordinary text left alone. */
import { describe, expect, it } from 'vitest';
import { maskPersonalData } from '../../../shared/mask.js';

describe('maskPersonalData', () => {
  it.each([
    ['email me at jo.bloggs12@example.co.uk please', 'email me at [email] please'],
    ['Call 07700 900123 or +44 7700 900456', 'Call [phone] or [phone]'],
    ['landline 0113 496 0123.', 'landline [phone].'],
    ['card 4111 1111 1111 1111, also 5555-5555-5555-4444 and 4242424242424242', 'card [card], also [card] and [card]'],
    ['Nobody has come out to SW1A 1AA yet', 'Nobody has come out to [postcode] yet'],
    ['lower case m1 1ae too', 'lower case [postcode] too'],
  ])('masks %j', (input, want) => {
    expect(maskPersonalData(input)).toBe(want);
  });

  it.each(['It took 45 minutes and 3 calls to sort out', 'Order ref 12345, fixed on 12/03/2026 at 14:30', 'Great service, 10/10!', 'A number failing Luhn: 4111 1111 1111 1112'])('leaves %j as it is', (text) => {
    expect(maskPersonalData(text)).not.toContain('[card]');
    expect(maskPersonalData(text)).not.toContain('[email]');
    expect(maskPersonalData(text)).not.toContain('[postcode]');
    if (!/\d{6,}/.test(text.replace(/ /g, ''))) expect(maskPersonalData(text)).toBe(text);
  });
});
