/**
 * Documents frozen as they were built (saved service reviews, an initiative's opening evidence) quote customers'
 * comments. Snapshots keep their figures, but a quote from an erased customer's contact must not outlive the erasure:
 * it is removed from every snapshot, wherever in the document it sits.
 * - a quoted comment (an object with `contactId` and `text`, as server/voc serves them) about such a contact is dropped
 *   from its list;
 * - an initiative theme's `example` whose `exampleContactId` is such a contact becomes null.
 */
import type { Transaction } from 'kysely';
import type { Database } from '../store/schema.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function isQuoteOf(v: Json, erased: ReadonlySet<string>): boolean {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && typeof v.text === 'string' && typeof v.contactId === 'string' && erased.has(v.contactId);
}

/** The document without quotes from these contacts (a new value; the input is not changed). */
export function withoutQuotesOf(v: Json, erased: ReadonlySet<string>): Json {
  if (Array.isArray(v)) return v.filter((x) => !isQuoteOf(x, erased)).map((x) => withoutQuotesOf(x, erased));
  if (v === null || typeof v !== 'object') return v;
  const out: { [k: string]: Json } = {};
  for (const [k, x] of Object.entries(v)) out[k] = withoutQuotesOf(x, erased);
  if (typeof out.exampleContactId === 'string' && erased.has(out.exampleContactId)) {
    out.example = null;
    out.exampleContactId = null;
  }
  return out;
}

/** Removes these contacts' quotes from saved reviews and initiatives' evidence. Returns the documents changed. */
export async function removeQuotesFromSnapshots(trx: Transaction<Database>, contactIds: readonly string[]): Promise<number> {
  if (contactIds.length === 0) return 0;
  const erased = new Set(contactIds);
  // Only documents that mention one of the contacts are read whole; a LIKE per id would not scale past a few ids.
  const mentions = (text: string) => contactIds.some((c) => text.includes(JSON.stringify(c)));
  let changed = 0;
  for (const r of await trx.selectFrom('service_reviews').select(['id', 'snapshot']).execute()) {
    if (!mentions(r.snapshot)) continue;
    const snapshot = JSON.stringify(withoutQuotesOf(JSON.parse(r.snapshot) as Json, erased));
    if (snapshot !== r.snapshot) {
      changed++;
      await trx.updateTable('service_reviews').set({ snapshot }).where('id', '=', r.id).execute();
    }
  }
  for (const r of await trx.selectFrom('initiatives').select(['id', 'evidence']).execute()) {
    if (!mentions(r.evidence)) continue;
    const evidence = JSON.stringify(withoutQuotesOf(JSON.parse(r.evidence) as Json, erased));
    if (evidence !== r.evidence) {
      changed++;
      await trx.updateTable('initiatives').set({ evidence }).where('id', '=', r.id).execute();
    }
  }
  return changed;
}
