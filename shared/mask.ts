/**
 * Masks personal data in free text (survey comments, complaint summaries): email addresses, phone numbers, payment
 * card numbers and UK postcodes become [email], [phone], [card] and [postcode]. Built on maintained libraries:
 * validator (email syntax, Luhn-checked card numbers), libphonenumber-js (phone numbers in text, UK by default) and
 * postcode (UK postcode patterns). Order matters: cards before phones, so a 16-digit card is not read as a number.
 */
import { PhoneNumberMatcher } from 'libphonenumber-js/max';
import { replace as replacePostcodes } from 'postcode';
import validator from 'validator';

const EMAIL_CANDIDATE = /[^\s@<>()[\]{},;:"']+@[^\s@<>()[\]{},;:"']+\.[A-Za-z]{2,}/g;
/** 13 to 19 digits, optionally in groups separated by single spaces or dashes. */
const CARD_CANDIDATE = /\b\d(?:[ -]?\d){12,18}\b/g;

export function maskPersonalData(text: string): string {
  let out = text.replace(EMAIL_CANDIDATE, (m) => (validator.isEmail(m) ? '[email]' : m));
  out = out.replace(CARD_CANDIDATE, (m) => (validator.isCreditCard(m.replace(/[ -]/g, '')) ? '[card]' : m));
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
  return replacePostcodes(out, '[postcode]').result;
}
