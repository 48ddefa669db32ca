/**
 * Masks personal data in free text (survey comments, complaint summaries): email addresses, phone numbers, payment
 * card numbers and UK postcodes become [email], [phone], [card] and [postcode]. Built on maintained libraries:
 * validator (email syntax, Luhn-checked card numbers), libphonenumber-js (phone numbers in text, UK by default) and
 * postcode (UK postcode patterns). Order matters: cards before phones, so a 16-digit card is not read as a number.
 */
import { PhoneNumberMatcher } from 'libphonenumber-js/max';
import { replace as replacePostcodes } from 'postcode';
import validator from 'validator';

/** RFC 5322 dot-atom characters before the @ (quotes and slashes included: they are legal in a local part). */
const EMAIL_CANDIDATE = /[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[^\s@<>()[\]{},;:"']+\.[A-Za-z]{2,}/g;
/**
 * UK numbers by shape, after libphonenumber: +44 or 0, then 9 or 10 more digits with optional spaces or dashes. It
 * catches what the library will not call a possible number (020 0000 0000); hiding a fake number costs nothing.
 */
const UK_PHONE_SHAPE = /(?<![\w+])(?:\+44[\s-]?(?:\(0\)[\s-]?)?|0)\d(?:[\s-]?\d){8,9}(?!\d)/g;

/** An email candidate, or the longest valid address inside it once leading punctuation is dropped. */
function maskEmail(candidate: string): string {
  for (let i = 0; i < candidate.indexOf('@'); i++) {
    if (validator.isEmail(candidate.slice(i))) return `${candidate.slice(0, i)}[email]`;
  }
  return candidate;
}
/** A run of digit groups separated by single spaces or dashes; card numbers are looked for inside it. */
const CARD_CANDIDATE = /\d+(?:[ -]\d+)*/g;

/** How card numbers are written: unbroken, 4-4-4-4 (16), 4-4-4-4-3 (19), 4-4-4-1 (13), or Amex/Diners 4-6-5/4-6-4. */
function cardShaped(lengths: number[]): boolean {
  const shape = lengths.join('-');
  return lengths.length === 1 || ['4-4-4-4', '4-4-4-4-3', '4-4-4-1', '4-6-5', '4-6-4'].includes(shape);
}

type Group = { at: number; end: number; digits: string };

/**
 * The leftmost span of whole groups holding 13 to 19 Luhn-valid digits (longest first at each start), or, with
 * `shapedOnly`, the leftmost such span also written the way cards are.
 */
function cardSpan(groups: Group[], shapedOnly: boolean): { from: number; to: number } | null {
  for (let i = 0; i < groups.length; i++) {
    // Spans starting at group i of at most 19 digits (so a long run costs O(groups), not O(groups²)).
    const spans: { to: number; digits: string; lengths: number[] }[] = [];
    let digits = '';
    const lengths: number[] = [];
    for (let j = i; j < groups.length; j++) {
      const g = groups[j] as Group;
      digits += g.digits;
      lengths.push(g.digits.length);
      if (digits.length > 19) break;
      spans.push({ to: g.end, digits, lengths: [...lengths] });
    }
    for (const span of spans.reverse()) {
      if (span.digits.length < 13 || (shapedOnly && !cardShaped(span.lengths)) || !validator.isCreditCard(span.digits)) continue;
      return { from: (groups[i] as Group).at, to: span.to };
    }
  }
  return null;
}

/**
 * Masks card numbers inside a run of digit groups. The run may hold more than a card ("4000 0000 0000 0002 3 calls"
 * reads as 17 digits; a phone number may sit just before a card), so spans written the way cards are come first:
 * otherwise digits of a phone number and a card's head can pass the Luhn check together and leave the card's tail
 * showing. Any other Luhn-valid span of 13 to 19 digits is masked after.
 */
function maskCardsIn(run: string): string {
  const groups: Group[] = [...run.matchAll(/\d+/g)].map((m) => ({ at: m.index, end: m.index + m[0].length, digits: m[0] }));
  const span = cardSpan(groups, true) ?? cardSpan(groups, false);
  if (!span) return run;
  return `${maskCardsIn(run.slice(0, span.from))}[card]${maskCardsIn(run.slice(span.to))}`;
}

export function maskPersonalData(text: string): string {
  // Until nothing changes: a card number read across two phone numbers can leave the head of one behind, which the
  // phone matcher only sees once its neighbour is masked. Masks hold no digits, so two or three passes suffice.
  let out = text;
  for (let pass = 0; pass < 5; pass++) {
    const next = maskOnce(out);
    if (next === out) break;
    out = next;
  }
  return out;
}

function maskOnce(text: string): string {
  let out = text.replace(EMAIL_CANDIDATE, maskEmail);
  out = out.replace(CARD_CANDIDATE, maskCardsIn);
  // Leniency 'POSSIBLE', not the default 'VALID': a number in a reserved range (Ofcom's drama numbers) is still
  // somebody's to hide. The option exists at run time but not in the library's type declarations.
  const options = { defaultCountry: 'GB', v2: true, leniency: 'POSSIBLE' } as { defaultCountry: 'GB'; v2: true };
  const phones: { startsAt: number; endsAt: number }[] = [];
  for (const m = new PhoneNumberMatcher(out, options); m.hasNext(); ) {
    const found = m.next();
    if (found) phones.push(found);
  }
  for (let i = phones.length - 1; i >= 0; i--) {
    const p = phones[i] as { startsAt: number; endsAt: number };
    out = `${out.slice(0, p.startsAt)}[phone]${out.slice(p.endsAt)}`;
  }
  out = out.replace(UK_PHONE_SHAPE, '[phone]');
  return replacePostcodes(out, '[postcode]').result;
}
