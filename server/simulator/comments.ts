/**
 * Survey comments: British customer-service verbatims by theme and sentiment, some carrying personal data
 * (emails, UK phone numbers, card numbers, postcodes) that the ingest side must mask. All personal data is
 * fictitious: example.com domains, Ofcom's drama number ranges, well-known test card numbers.
 */
import type { Rng } from './random.js';

export type Sentiment = 'positive' | 'mixed' | 'negative';

interface Template {
  theme: string;
  text: string;
}

const POSITIVE: readonly Template[] = [
  { theme: 'agent-attitude', text: '{agent} was lovely, really patient with me.' },
  { theme: 'agent-attitude', text: 'Very friendly and polite, made a stressful situation much easier.' },
  { theme: 'agent-attitude', text: '{agent} was brilliant, please pass on my thanks.' },
  { theme: 'resolution', text: 'Sorted first time, no fuss. Thank you.' },
  { theme: 'resolution', text: 'Problem fixed within ten minutes, really pleased.' },
  { theme: 'resolution', text: 'Finally got it resolved after weeks, {agent} actually listened.' },
  { theme: 'knowledge', text: 'Knew exactly what to do, explained everything clearly.' },
  { theme: 'knowledge', text: '{agent} clearly knew the system inside out. Very impressed.' },
  { theme: 'waiting-time', text: 'Got through straight away for once, great service.' },
  { theme: 'waiting-time', text: 'Quick answer and quick fix, can\'t ask for more.' },
  { theme: 'billing', text: 'Refund was processed while I was on the line, excellent.' },
  { theme: 'billing', text: 'Explained my bill properly, it finally makes sense now.' },
  { theme: 'website-app', text: 'Helped me reset my app login and showed me where everything is.' },
  { theme: 'process', text: 'Rang me back exactly when promised. Cheers.' },
  { theme: 'agent-attitude', text: 'Cheerful and helpful, a credit to the company.' },
  { theme: 'resolution', text: 'Spot on, everything done in one call.' },
];

const MIXED: readonly Template[] = [
  { theme: 'waiting-time', text: 'Took a while to get through but {agent} was helpful once I did.' },
  { theme: 'resolution', text: 'Nice enough person but I\'m still not sure it\'s actually fixed.' },
  { theme: 'process', text: 'Fine in the end, though I had to repeat my details three times.' },
  { theme: 'website-app', text: 'Would have been easier if the website actually worked.' },
  { theme: 'billing', text: 'Sorted the bill, but I shouldn\'t have had to ring in the first place.' },
  { theme: 'knowledge', text: 'Had to put me on hold a few times to check things, but got there.' },
  { theme: 'transfer', text: 'Got passed around a bit before reaching the right team.' },
  { theme: 'process', text: 'OK service. Could have been quicker.' },
];

const NEGATIVE: readonly Template[] = [
  { theme: 'waiting-time', text: 'Waited {minutes} minutes on hold. Ridiculous.' },
  { theme: 'waiting-time', text: 'Over {minutes} minutes to get through, then cut off. Appalling.' },
  { theme: 'waiting-time', text: 'Sent an email {days} days ago and only just had a reply.' },
  { theme: 'agent-attitude', text: 'The advisor was rude and kept talking over me.' },
  { theme: 'agent-attitude', text: 'Felt like {agent} couldn\'t wait to get me off the phone.' },
  { theme: 'agent-attitude', text: 'Very dismissive, no apology whatsoever.' },
  { theme: 'knowledge', text: 'Didn\'t seem to know what they were doing, gave me wrong information.' },
  { theme: 'knowledge', text: 'Told one thing on chat and something completely different on the phone.' },
  { theme: 'resolution', text: 'Still not fixed. This is the third time I\'ve contacted you.' },
  { theme: 'resolution', text: 'Promised a callback that never happened.' },
  { theme: 'resolution', text: 'Nothing has changed, broadband still drops every evening.' },
  { theme: 'billing', text: 'I\'ve been overcharged again and nobody can tell me why.' },
  { theme: 'billing', text: 'Charged twice this month and still waiting on the refund.' },
  { theme: 'billing', text: 'Direct debit taken on the wrong date, now I\'m overdrawn.' },
  { theme: 'website-app', text: 'App keeps logging me out and the website is useless.' },
  { theme: 'website-app', text: 'Couldn\'t do any of this online, the form just errors.' },
  { theme: 'transfer', text: 'Transferred three times and had to explain it all again each time.' },
  { theme: 'process', text: 'Far too many security questions just to ask a simple thing.' },
];

/** Sentences carrying personal data; {email}, {phone}, {card} and {postcode} are filled in. */
const PII: readonly { tone: 'neutral' | 'unhappy'; text: string }[] = [
  { tone: 'neutral', text: 'Please ring me back on {phone}.' },
  { tone: 'neutral', text: 'You can get me on {phone} after 5.' },
  { tone: 'neutral', text: 'My email is {email} if you need anything else.' },
  { tone: 'neutral', text: 'Send the confirmation to {email} please, not my old address.' },
  { tone: 'neutral', text: 'The account is in my name at {postcode}.' },
  { tone: 'neutral', text: 'For reference my card was {card}.' },
  { tone: 'unhappy', text: 'The payment on card {card} went out twice.' },
  { tone: 'unhappy', text: 'Refund it to my card {card}.' },
  { tone: 'unhappy', text: 'Nobody has come out to {postcode} yet.' },
  { tone: 'unhappy', text: 'Whole street at {postcode} has had no service since Tuesday.' },
  { tone: 'unhappy', text: 'I have emailed from {email} three times with no answer.' },
];

const FIRST = ['jane', 'mark', 'sam', 'karen', 'dave', 'amina', 'gareth', 'lisa', 'paul', 'nadia', 'steve', 'helen'];
const LAST = ['smith', 'jones', 'taylor', 'brown', 'williams', 'wilson', 'davies', 'evans', 'patel', 'roberts'];
const CARDS = ['4111 1111 1111 1111', '4242424242424242', '5555-5555-5555-4444', '5105 1051 0510 5100', '4000 0566 5566 5556'];
const POSTCODES = ['LS1 4AP', 'LS6 3QH', 'LS11 5DL', 'BD1 1HY', 'WF1 2EB', 'HX1 1UN', 'HG1 2RS', 'YO1 7HH', 'M1 1AE', 'S1 2GU'];

/** Placeholders are filled lazily so a template only draws the random numbers it uses. */
function fill(text: string, rng: Rng, agentFirstName: string, waitMinutes: number): string {
  return text
    .replace('{agent}', () => agentFirstName)
    .replace('{minutes}', () => String(Math.max(20, Math.round(waitMinutes))))
    .replace('{days}', () => String(rng.int(2, 5)))
    .replace('{email}', () => `${rng.pick(FIRST)}.${rng.pick(LAST)}${rng.int(1, 99)}@${rng.pick(['example.com', 'example.co.uk', 'example.org'])}`)
    .replace('{phone}', () => rng.pick(['07700 900', '+44 7700 900', '0113 496 0']) + String(rng.int(100, 999)))
    .replace('{card}', () => rng.pick(CARDS))
    .replace('{postcode}', () => rng.pick(POSTCODES));
}

export interface Comment {
  text: string;
  theme: string;
  containsPii: boolean;
}

/** A comment in keeping with the score; a share of them carry personal data. */
export function surveyComment(csat: number, rng: Rng, agentFirstName: string, waitMinutes: number, piiRate: number): Comment {
  const sentiment: Sentiment = csat >= 5 ? 'positive' : csat === 4 ? (rng.chance(0.75) ? 'positive' : 'mixed') : csat === 3 ? 'mixed' : rng.chance(0.85) ? 'negative' : 'mixed';
  const pool = sentiment === 'positive' ? POSITIVE : sentiment === 'mixed' ? MIXED : NEGATIVE;
  const template = rng.pick(pool);
  let text = fill(template.text, rng, agentFirstName, waitMinutes);
  const containsPii = rng.chance(piiRate);
  if (containsPii) {
    const fitting = PII.filter((p) => p.tone === 'neutral' || sentiment !== 'positive');
    text = `${text} ${fill(rng.pick(fitting).text, rng, agentFirstName, waitMinutes)}`;
  }
  return { text, theme: template.theme, containsPii };
}

export const COMMENT_TEMPLATE_COUNT = POSITIVE.length + MIXED.length + NEGATIVE.length;

/** Complaint categories with a summary, chosen from what went wrong. */
const COMPLAINTS: readonly { category: string; summaries: readonly string[] }[] = [
  { category: 'agent-conduct', summaries: ['Customer says the advisor was rude and unhelpful.', 'Advisor ended the call before the issue was dealt with.'] },
  { category: 'unresolved', summaries: ['Repeated contact, issue still outstanding.', 'Promised callback not made; customer chasing.'] },
  { category: 'billing-error', summaries: ['Customer disputes charges on latest bill.', 'Duplicate payment taken; refund not received.'] },
  { category: 'wait-time', summaries: ['Long wait to reach an advisor.', 'No reply to email for several days.'] },
  { category: 'misinformation', summaries: ['Customer given conflicting information across channels.', 'Incorrect advice led to extra charges.'] },
  { category: 'website-app', summaries: ['Online account unusable; forced to call in.', 'App error prevented payment.'] },
];

export function complaintFor(resolved: boolean, longWait: boolean, rng: Rng): { category: string; summary: string } {
  const weights: [string, number][] = [
    ['agent-conduct', 2], ['unresolved', resolved ? 0.5 : 4], ['billing-error', 2], ['wait-time', longWait ? 4 : 0.5],
    ['misinformation', 1.5], ['website-app', 1],
  ];
  const category = rng.weighted(weights);
  const entry = COMPLAINTS.find((c) => c.category === category) ?? COMPLAINTS[0];
  return { category, summary: entry ? rng.pick(entry.summaries) : 'Complaint logged.' };
}

const QA_NOTES = [
  'Good rapport; verification completed correctly.', 'Missed the closing summary.', 'Strong ownership of the issue.',
  'Hold used without explaining why.', 'Clear explanation of next steps.', 'Did not check the account notes first.',
  'Empathetic handling of a frustrated customer.', 'Data protection check incomplete.',
];

export function qaNote(rng: Rng): string {
  return rng.pick(QA_NOTES);
}
