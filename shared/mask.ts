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

/**
 * Masks card numbers inside a run of digit groups. The run may hold more than a card ("4000 0000 0000 0002 3 calls"
 * reads as 17 digits), so every span of whole groups is tried, longest first, for 13 to 19 Luhn-valid digits.
 */
function maskCardsIn(run: string): string {
  const groups = [...run.matchAll(/\d+/g)].map((m) => ({ at: m.index, end: m.index + m[0].length, digits: m[0] }));
  for (let i = 0; i < groups.length; i++) {
    // Spans starting at group i of at most 19 digits (so a long run costs O(groups), not O(groups²)).
    const spans: { to: number; digits: string }[] = [];
    let digits = '';
    for (let j = i; j < groups.length; j++) {
      digits += (groups[j] as { digits: string }).digits;
      if (digits.length > 19) break;
      spans.push({ to: (groups[j] as { end: number }).end, digits });
    }
    for (const span of spans.reverse()) {
      if (span.digits.length < 13 || !validator.isCreditCard(span.digits)) continue;
      const from = (groups[i] as { at: number }).at;
      return `${run.slice(0, from)}[card]${maskCardsIn(run.slice(span.to))}`;
    }
  }
  return run;
}

export function maskPersonalData(text: string): string {
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
