/**
 * Contact Lens post-contact analysis (the JSON file Contact Lens writes to the instance's S3 bucket under
 * Analysis/Voice or Analysis/Chat, one per contact) → what Frontline keeps of it on the contact's leg: sentiment,
 * matched categories, talk and non-talk time, interruptions, and a masked excerpt of the transcript as the leg's notes
 * (what a QA evaluator reads beside the card).
 *
 * Shape from the Amazon Connect Administrator Guide, "Example Contact Lens output files for a call" and "... for a
 * chat" (https://docs.aws.amazon.com/connect/latest/adminguide/contact-lens-example-output-files.html and
 * contact-lens-example-output-files-chat.html): Version, Channel, ContentMetadata.Output (Raw | Redacted), JobStatus,
 * Participants[{ParticipantId, ParticipantRole}], Categories.MatchedCategories, ConversationCharacteristics
 * {Sentiment.OverallSentiment (voice: {AGENT, CUSTOMER}; chat: DetailsByParticipantRole {AGENT, CUSTOMER}),
 * TalkTime.TotalTimeMillis, NonTalkTime.TotalTimeMillis, Interruptions.TotalCount}, Transcript[{ParticipantId or
 * ParticipantRole, Content, Type}], CustomerMetadata.ContactId.
 *
 * The contact id: the chat example carries CustomerMetadata.ContactId; the 2022-11-30 voice example shows none (the
 * id is in the file name, `<contact id>_analysis_<time>.json`), so a top-level `ContactId` added by whatever puts the
 * file on the stream is read too.
 */
import { maskPersonalData } from '../../../shared/mask.js';
import { FieldReader, isObject, type Json } from './fields.js';

/** What Frontline keeps of one analysis (stored in the mapper's memory with the contact's legs: small, masked). */
export interface LensSnap {
  /** The redacted output (ContentMetadata.Output "Redacted"): preferred over the raw one for the notes. */
  red: boolean;
  cs?: number;
  as?: number;
  cat: string[];
  talk?: number;
  nontalk?: number;
  intr?: number;
  notes?: string;
}

/** The longest transcript excerpt kept as a leg's notes. */
export const LENS_NOTES_MAX = 1_500;

export type LensRead = { ok: true; contactId: string; snap: LensSnap; completed: boolean } | { ok: false; reasons: string[] };

export function lensContactId(body: unknown): string | undefined {
  if (!isObject(body)) return undefined;
  const meta = body.CustomerMetadata;
  const id = isObject(meta) ? meta.ContactId : undefined;
  if (typeof id === 'string' && id.length > 0) return id;
  return typeof body.ContactId === 'string' && body.ContactId.length > 0 ? body.ContactId : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function readContactLens(body: unknown): LensRead {
  if (!isObject(body)) return { ok: false, reasons: ['Contact Lens analysis: expected a JSON object'] };
  const f = new FieldReader('Contact Lens analysis');
  const contactId = lensContactId(body);
  if (contactId === undefined) f.fail('CustomerMetadata.ContactId (or ContactId)', 'the contact id the analysis is for', isObject(body.CustomerMetadata) ? body.CustomerMetadata.ContactId : body.ContactId);
  const status = f.optStr(body, 'JobStatus');
  const content = f.optObj(body, 'ContentMetadata');
  const conv = f.optObj(body, 'ConversationCharacteristics') ?? {};
  const cats = f.optObj(body, 'Categories');
  const matched = cats?.MatchedCategories;
  if (matched !== undefined && !Array.isArray(matched)) f.fail('Categories.MatchedCategories', 'an array of category names', matched);
  const transcript = body.Transcript;
  if (transcript !== undefined && !Array.isArray(transcript)) f.fail('Transcript', 'an array of transcript items', transcript);
  if (f.problems.length > 0 || contactId === undefined) return { ok: false, reasons: f.problems };

  const snap: LensSnap = { red: content?.Output === 'Redacted', cat: Array.isArray(matched) ? matched.filter((c): c is string => typeof c === 'string').slice(0, 20) : [] };
  const overall = isObject(conv.Sentiment) ? conv.Sentiment.OverallSentiment : undefined;
  if (isObject(overall)) {
    // Voice: {AGENT, CUSTOMER}; chat: {DetailsByParticipantRole: {AGENT, CUSTOMER}}.
    const byRole = isObject(overall.DetailsByParticipantRole) ? overall.DetailsByParticipantRole : overall;
    const cs = num(byRole.CUSTOMER);
    const as = num(byRole.AGENT);
    if (cs !== undefined) snap.cs = cs;
    if (as !== undefined) snap.as = as;
  }
  const talk = isObject(conv.TalkTime) ? num(conv.TalkTime.TotalTimeMillis) : undefined;
  const nontalk = isObject(conv.NonTalkTime) ? num(conv.NonTalkTime.TotalTimeMillis) : undefined;
  const intr = isObject(conv.Interruptions) ? num(conv.Interruptions.TotalCount) : undefined;
  if (talk !== undefined) snap.talk = talk;
  if (nontalk !== undefined) snap.nontalk = nontalk;
  if (intr !== undefined) snap.intr = intr;
  if (Array.isArray(transcript)) {
    const notes = transcriptExcerpt(transcript, roles(body.Participants));
    if (notes) snap.notes = notes;
  }
  return { ok: true, contactId, snap, completed: status === undefined || status === 'COMPLETED' };
}

/** ParticipantId → role (voice transcripts name participants by id; chat items carry their role). */
function roles(participants: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (!Array.isArray(participants)) return out;
  for (const p of participants) {
    if (isObject(p) && typeof p.ParticipantId === 'string' && typeof p.ParticipantRole === 'string') out.set(p.ParticipantId, p.ParticipantRole);
  }
  return out;
}

const ROLE_LABEL: Record<string, string> = { AGENT: 'Agent', CUSTOMER: 'Customer' };

/** "Agent: …\nCustomer: …" from the agent's and the customer's turns (system messages and events left out), masked. */
function transcriptExcerpt(items: unknown[], byId: Map<string, string>): string | undefined {
  const lines: string[] = [];
  let length = 0;
  for (const item of items as Json[]) {
    if (!isObject(item) || typeof item.Content !== 'string' || (item.Type !== undefined && item.Type !== 'MESSAGE')) continue;
    const role = typeof item.ParticipantRole === 'string' ? item.ParticipantRole : typeof item.ParticipantId === 'string' ? (byId.get(item.ParticipantId) ?? item.ParticipantId) : undefined;
    const label = role === undefined ? undefined : ROLE_LABEL[role];
    if (label === undefined) continue;
    const line = `${label}: ${item.Content.trim()}`;
    lines.push(line);
    length += line.length + 1;
    if (length > LENS_NOTES_MAX * 2) break;
  }
  if (lines.length === 0) return undefined;
  const text = maskPersonalData(lines.join('\n'));
  return text.length > LENS_NOTES_MAX ? `${text.slice(0, LENS_NOTES_MAX - 1)}…` : text;
}

/** What a leg's `contact.ended` carries in `ext.contactLens`. */
export function lensExt(s: LensSnap): Json {
  const out: Json = {};
  if (s.cs !== undefined) out.customerSentiment = s.cs;
  if (s.as !== undefined) out.agentSentiment = s.as;
  if (s.cat.length > 0) out.categories = s.cat;
  if (s.talk !== undefined) out.talkTimeMs = s.talk;
  if (s.nontalk !== undefined) out.nonTalkTimeMs = s.nontalk;
  if (s.intr !== undefined) out.interruptions = s.intr;
  return out;
}
