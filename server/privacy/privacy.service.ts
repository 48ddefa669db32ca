/**
 * Retention and erasure of personal data (UK GDPR, DPA 2018).
 *
 * Figures must stay right after personal data goes, so nothing here deletes a contact's numbers:
 * - erasing a customer replaces their customer id with a random pseudonym (the same one across their events, so
 *   repeat-contact FCR still counts their repeats) and removes every free text tied to them (survey comments,
 *   complaint summaries, QA notes on their contacts);
 * - a departed employee's agent id becomes a random "former-..." id everywhere (events, directory, linked account),
 *   so team and centre figures keep their contacts, and the name is gone, from the directory and from what was
 *   written about them (customers' comments on their contacts, their coaching cases);
 * - retention removes free text older than RETENTION_COMMENT_DAYS and, if set, raw events older than
 *   RETENTION_EVENT_DAYS (aggregated history is kept by the KPI rollups, not by raw events).
 * Each action is written to the audit log with counts, never with the personal data itself.
 * The content hash of a redacted event is kept as first received, so a re-send of the original is answered
 * "duplicate" and never stores the erased text again.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { contactIdOf, FREE_TEXT_FIELDS, validateEvent, type FrontlineEvent } from '../../shared/events.js';
import { pseudonymiseQaRecords, stripQaTextsOfContacts } from './qa-records.js';
import { removeQuotesFromSnapshots } from './snapshots.js';
import { AccountError } from '../accounts/errors.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Clock } from '../clock.js';
import type { DirectoryService } from '../directory/directory.service.js';
import { eventPayload, sha256Hex } from '../ingest/canonical.js';
import type { Store } from '../store/db.js';
import type { Database } from '../store/schema.js';

const DAY_MS = 86_400_000;
const PAGE = 1_000;

/** Free-text fields that can hold personal data, by event type. */
const FREE_TEXT = FREE_TEXT_FIELDS;

export interface ErasureResult {
  pseudonym: string;
  eventsChanged: number;
  contacts: number;
}

export interface RetentionResult {
  textRedacted: number;
  eventsDeleted: number;
}

type Db = Kysely<Database> | Transaction<Database>;

export class PrivacyService {
  private readonly listeners = new Set<() => Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly directory: DirectoryService,
    readonly retention: { eventDays: number; commentDays: number },
  ) {}

  /** Called after stored events changed, so live state built from them is rebuilt. */
  onChanged(fn: () => Promise<void>): void {
    this.listeners.add(fn);
  }

  async eraseCustomer(customerId: string, meta: { actor: string; ip: string | null; reason: string }): Promise<ErasureResult> {
    const now = this.clock.now();
    const customerHash = sha256Hex(customerId);
    const result = await this.store.db.transaction().execute(async (trx) => {
      // Erasing the same customer twice keeps one pseudonym, so their repeat contacts still line up.
      const earlier = await trx.selectFrom('erased_customers').select('pseudonym').where('customer_hash', '=', customerHash).executeTakeFirst();
      const pseudonym = earlier?.pseudonym ?? `erased-${randomBytes(8).toString('hex')}`;
      if (!earlier) await trx.insertInto('erased_customers').values({ customer_hash: customerHash, pseudonym, erased_ms: now }).execute();
      const own = await trx.selectFrom('events').select(['seq', 'payload', 'contact_id']).where('customer_id', '=', customerId).execute();
      const contacts = new Set(own.map((r) => r.contact_id).filter((c): c is string => c !== null));
      let changed = 0;
      for (const r of own) {
        const e = parse(r.payload);
        if (!e) continue;
        if ('customerId' in e && e.customerId === customerId) (e as { customerId?: string }).customerId = pseudonym;
        stripFreeText(e);
        await rewrite(trx, Number(r.seq), e, now, { customer_id: pseudonym, text_removed_ms: now });
        changed++;
      }
      // Remembered, so free text arriving later for these contacts is dropped on the way in.
      for (const c of contacts) {
        await trx.insertInto('erased_contacts').values({ contact_id: c, erased_ms: now }).onConflict((oc) => oc.column('contact_id').doNothing()).execute();
      }
      // Free text on their contacts: survey comments, QA notes.
      const ids = [...contacts];
      for (let i = 0; i < ids.length; i += 500) {
        const rows = await trx
          .selectFrom('events')
          .select(['seq', 'payload'])
          .where('contact_id', 'in', ids.slice(i, i + 500))
          .where('type', 'in', Object.keys(FREE_TEXT))
          .execute();
        for (const r of rows) {
          const e = parse(r.payload);
          if (!e || !stripFreeText(e)) continue;
          await rewrite(trx, Number(r.seq), e, now, { text_removed_ms: now });
          changed++;
        }
      }
      // Evaluators may have quoted the customer in QA evaluations of these contacts; saved reviews and initiatives'
      // evidence froze quotes of their comments.
      await stripQaTextsOfContacts(trx, ids);
      await removeQuotesFromSnapshots(trx, ids);
      return { pseudonym, eventsChanged: changed, contacts: contacts.size };
    });
    // The audit keeps a hash of the id (to answer "was this request carried out?"), not the id itself.
    await this.audit.record({
      actor: meta.actor,
      action: 'privacy.erase_customer',
      target: `customer-sha256:${customerHash.slice(0, 16)}`,
      ip: meta.ip,
      details: { reason: meta.reason, eventsChanged: result.eventsChanged, contacts: result.contacts },
    });
    await this.changed();
    return result;
  }

  /** Replaces a departed employee's agent id everywhere with a random one and removes their name. */
  async pseudonymiseAgent(agentId: string, meta: { actor: string; ip: string | null; reason: string }): Promise<{ pseudonym: string; eventsChanged: number }> {
    if (agentId.startsWith('former-')) throw new AccountError('invalid', `'${agentId}' is already a pseudonym`);
    const pseudonym = `former-${randomBytes(6).toString('hex')}`;
    const now = this.clock.now();
    let textsChanged = 0;
    const eventsChanged = await this.store.db.transaction().execute(async (trx) => {
      const name = (await trx.selectFrom('agents').select('name').where('id', '=', agentId).executeTakeFirst())?.name ?? null;
      const scrubName = name ? nameReplacer(name, 'the agent') : null;
      /** The contacts they handled: what customers wrote about those contacts may name them. */
      const handled = new Set<string>();
      let changed = 0;
      let after = 0;
      for (;;) {
        // Agent ids appear in agent_id (answered, ended, qa, state, complaint, transfer's fromAgentId) and in
        // payloads as toAgentId; the LIKE pre-filter finds both (a _ or % in the id only widens it), the JSON check
        // below decides.
        const rows = await trx
          .selectFrom('events')
          .select(['seq', 'payload', 'agent_id'])
          .where('seq', '>', after)
          .where((eb) => eb.or([eb('agent_id', '=', agentId), eb('payload', 'like', `%${JSON.stringify(agentId)}%`)]))
          .orderBy('seq')
          .limit(PAGE)
          .execute();
        for (const r of rows) {
          const e = parse(r.payload) as Record<string, unknown> | null;
          if (!e) continue;
          if (typeof e.contactId === 'string') handled.add(e.contactId);
          let touched = false;
          for (const f of ['agentId', 'fromAgentId', 'toAgentId']) {
            if (e[f] === agentId) {
              e[f] = pseudonym;
              touched = true;
            }
          }
          // QA notes are written about the agent: they go with the name.
          const notesRemoved = e.type === 'qa.evaluated' && touched && stripFreeText(e as FrontlineEvent);
          // A complaint logged against them may name them in its summary.
          if (scrubName && e.type === 'complaint.logged' && typeof e.summary === 'string') {
            const summary = scrubName(e.summary);
            if (summary !== e.summary) {
              e.summary = summary;
              touched = true;
            }
          }
          if (touched || r.agent_id === agentId) {
            await rewrite(trx, Number(r.seq), e as FrontlineEvent, now, {
              ...(r.agent_id === agentId ? { agent_id: pseudonym } : {}),
              ...(notesRemoved ? { text_removed_ms: now } : {}),
            });
            changed++;
          }
        }
        if (rows.length < PAGE) break;
        after = Number(rows[rows.length - 1]?.seq);
      }
      // A mistyped id would otherwise "succeed" while the real agent kept their name: nothing named, nothing done.
      if (name === null && changed === 0) throw new AccountError('not_found', `no agent '${agentId}' in the directory or in any event; check the id`);
      if (name) changed += await scrubCustomerTexts(trx, [...handled], name, 'the agent', now);
      await trx.updateTable('agents').set({ id: pseudonym, name: `Former agent ${pseudonym.slice(7, 11)}` }).where('id', '=', agentId).execute();
      await trx.updateTable('users').set({ agent_id: null, updated_ms: now }).where('agent_id', '=', agentId).execute();
      // Single sign-on keeps the agent claim seen at each person's last sign-in (server/sso): the id goes from there too.
      for (const r of await trx.selectFrom('account_identities').select(['id', 'claims']).where('claims', 'like', `%${agentId}%`).execute()) {
        const claims = replaceId(r.claims, agentId, pseudonym);
        if (claims !== r.claims) await trx.updateTable('account_identities').set({ claims }).where('id', '=', r.id).execute();
      }
      // A case's figures name the agent in its explanation (by token, or by id in cases filed before tokens).
      const cases = await trx.selectFrom('coaching_cases').select(['id', 'figures']).where('agent_id', '=', agentId).execute();
      for (const c of cases) {
        const figures = replaceId(c.figures, agentId, pseudonym);
        if (figures !== c.figures) await trx.updateTable('coaching_cases').set({ figures }).where('id', '=', c.id).execute();
      }
      // The people who wrote about the agent in their cases (plan, notes, reflection, actions, the trail) used their name.
      if (name) textsChanged = await scrubCaseTexts(trx, cases.map((c) => c.id), name, 'the agent');
      await trx.updateTable('coaching_cases').set({ agent_id: pseudonym, scope: `agent:${pseudonym}` }).where('agent_id', '=', agentId).execute();
      // QA evaluations, samples and calibrations of the agent, and what evaluators wrote about them.
      textsChanged += await pseudonymiseQaRecords(trx, agentId, pseudonym, scrubName);
      // Everything else keyed by the id: comment facts, targets, rollups (kept for days whose raw events retention
      // removed), and the scopes of boards and screens.
      await trx.updateTable('comment_facts').set({ agent_id: pseudonym }).where('agent_id', '=', agentId).execute();
      await trx.updateTable('targets').set({ scope: `agent:${pseudonym}` }).where('scope', '=', `agent:${agentId}`).execute();
      await trx.updateTable('kpi_rollups').set({ scope: `agent:${pseudonym}` }).where('scope', '=', `agent:${agentId}`).execute();
      for (const b of await trx.selectFrom('boards').select(['id', 'spec']).where('spec', 'like', `%${agentId}%`).execute()) {
        await trx.updateTable('boards').set({ spec: replaceId(b.spec, agentId, pseudonym) }).where('id', '=', b.id).execute();
      }
      for (const d of await trx.selectFrom('displays').select(['id', 'scopes']).where('scopes', 'like', `%${agentId}%`).execute()) {
        await trx.updateTable('displays').set({ scopes: replaceId(d.scopes, agentId, pseudonym) }).where('id', '=', d.id).execute();
      }
      return changed;
    });
    this.directory.invalidate();
    await this.audit.record({ actor: meta.actor, action: 'privacy.pseudonymise_agent', target: `agent:${pseudonym}`, ip: meta.ip, details: { reason: meta.reason, eventsChanged, caseTextsChanged: textsChanged } });
    await this.changed();
    return { pseudonym, eventsChanged };
  }

  /**
   * For ingest: redacted copies (by position) of events naming an erased customer (their pseudonym instead, no free
   * text) or carrying free text about an erased customer's contact. At most two indexed lookups per batch, and none
   * when the batch has no customer ids and no free text.
   */
  async redactIncoming(events: FrontlineEvent[]): Promise<Map<number, FrontlineEvent>> {
    const out = new Map<number, FrontlineEvent>();
    const hashes = new Map<number, string>();
    const textContacts = new Set<string>();
    events.forEach((e, i) => {
      if ('customerId' in e && e.customerId !== undefined) hashes.set(i, sha256Hex(e.customerId));
      const contactId = contactIdOf(e);
      if (hasFreeText(e) && contactId !== undefined) textContacts.add(contactId);
    });
    if (hashes.size === 0 && textContacts.size === 0) return out;
    const erased = new Map<string, string>();
    if (hashes.size > 0) {
      const rows = await this.store.db.selectFrom('erased_customers').select(['customer_hash', 'pseudonym']).where('customer_hash', 'in', [...new Set(hashes.values())]).execute();
      for (const r of rows) erased.set(r.customer_hash, r.pseudonym);
    }
    const erasedContacts = new Set<string>();
    if (textContacts.size > 0) {
      const rows = await this.store.db.selectFrom('erased_contacts').select('contact_id').where('contact_id', 'in', [...textContacts]).execute();
      for (const r of rows) erasedContacts.add(r.contact_id);
    }
    const now = this.clock.now();
    // Contacts of an erased customer that first appear in this very batch count as erased for the whole batch.
    for (const [i, hash] of hashes) {
      const contactId = contactIdOf(events[i] as FrontlineEvent);
      if (erased.has(hash) && contactId !== undefined) erasedContacts.add(contactId);
    }
    for (const [i, e] of events.entries()) {
      const hash = hashes.get(i);
      const pseudonym = hash === undefined ? undefined : erased.get(hash);
      const contactId = contactIdOf(e);
      if (pseudonym === undefined && !(contactId !== undefined && erasedContacts.has(contactId))) continue;
      const copy = structuredClone(e);
      if (pseudonym !== undefined) {
        (copy as { customerId?: string }).customerId = pseudonym;
        // A new contact of an erased customer: its later survey comments are dropped too.
        if (contactId !== undefined) {
          await this.store.db.insertInto('erased_contacts').values({ contact_id: contactId, erased_ms: now }).onConflict((oc) => oc.column('contact_id').doNothing()).execute();
        }
      }
      stripFreeText(copy);
      out.set(i, copy);
    }
    return out;
  }

  /** Applies the retention settings once; run at start and every hour. */
  async applyRetention(): Promise<RetentionResult> {
    const now = this.clock.now();
    let textRedacted = 0;
    let eventsDeleted = 0;
    if (this.retention.commentDays > 0) {
      const cutoff = now - this.retention.commentDays * DAY_MS;
      let after = 0;
      for (;;) {
        const rows = await this.store.db
          .selectFrom('events')
          .select(['seq', 'payload'])
          .where('seq', '>', after)
          .where('occurred_ms', '<', cutoff)
          .where('text_removed_ms', 'is', null)
          .where('type', 'in', Object.keys(FREE_TEXT))
          .orderBy('seq')
          .limit(PAGE)
          .execute();
        if (rows.length === 0) break;
        await this.store.db.transaction().execute(async (trx) => {
          for (const r of rows) {
            const e = parse(r.payload);
            if (e && stripFreeText(e)) {
              await rewrite(trx, Number(r.seq), e, now, { text_removed_ms: now });
              textRedacted++;
            } else {
              // Nothing to remove: mark it so the next run does not read it again.
              await trx.updateTable('events').set({ text_removed_ms: now }).where('seq', '=', Number(r.seq)).execute();
            }
          }
        });
        after = Number(rows[rows.length - 1]?.seq);
      }
    }
    if (this.retention.eventDays > 0) {
      const cutoff = now - this.retention.eventDays * DAY_MS;
      const res = await this.store.db.deleteFrom('events').where('occurred_ms', '<', cutoff).executeTakeFirst();
      eventsDeleted = Number(res.numDeletedRows);
    }
    if (textRedacted > 0 || eventsDeleted > 0) {
      await this.audit.record({ actor: 'system', action: 'privacy.retention', details: { textRedacted, eventsDeleted, ...this.retention } });
      await this.changed();
    }
    return { textRedacted, eventsDeleted };
  }

  private async changed(): Promise<void> {
    for (const fn of this.listeners) await fn();
  }
}

function parse(payload: string): FrontlineEvent | null {
  const v = validateEvent(JSON.parse(payload));
  return v.ok ? v.event : null;
}

function hasFreeText(e: FrontlineEvent): boolean {
  const rec = e as unknown as Record<string, unknown>;
  return (FREE_TEXT[e.type] ?? []).some((f) => rec[f] !== undefined);
}

/** Removes free-text fields in place; true when something was removed. */
function stripFreeText(e: FrontlineEvent): boolean {
  const fields = FREE_TEXT[e.type] ?? [];
  let removed = false;
  const rec = e as unknown as Record<string, unknown>;
  for (const f of fields) {
    if (rec[f] !== undefined) {
      delete rec[f];
      removed = true;
    }
  }
  return removed;
}

async function rewrite(db: Db, seq: number, e: FrontlineEvent, now: number, columns: { customer_id?: string; agent_id?: string; text_removed_ms?: number } = {}): Promise<void> {
  await db
    .updateTable('events')
    .set({ payload: eventPayload(e), redacted_ms: now, ...columns })
    .where('seq', '=', seq)
    .execute();
}

/** `text` with every whole-word `id` (not part of a longer id) replaced by `by`. */
export function replaceId(text: string, id: string, by: string): string {
  const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text.replace(new RegExp(`(?<![A-Za-z0-9_-])${escaped}(?![A-Za-z0-9_-])`, 'g'), () => by);
}

/**
 * `text` with a person's name replaced by `by`: the full name in any case, then each part of it (first name, surname)
 * as a name is written (capitalised, or in capitals), so "Will" goes but "we will" stays. Whole words only.
 */
export function replaceName(text: string, name: string, by: string): string {
  return nameReplacer(name, by)(text);
}

/** `replaceName` for one name, its patterns built once (for scrubbing many texts). */
export function nameReplacer(name: string, by: string): (text: string) => string {
  const esc = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const word = (x: string) => `(?<![\\p{L}\\p{N}_])${x}(?![\\p{L}\\p{N}_])`;
  const full = name.trim().split(/\s+/).filter(Boolean);
  const patterns: RegExp[] = [];
  if (full.length > 1) patterns.push(new RegExp(word(full.map(esc).join('\\s+')), 'giu'));
  for (const part of full) {
    if (part.length < 2) continue;
    const capital = part.charAt(0).toLocaleUpperCase() + part.slice(1);
    // Possessives keep their "'s": "Bob's wrap-up" becomes "the agent's wrap-up".
    for (const form of new Set([capital, part.toLocaleUpperCase()])) patterns.push(new RegExp(word(esc(form)), 'gu'));
  }
  return (text) => patterns.reduce((out, re) => out.replace(re, () => by), text);
}

/**
 * Replaces a name in the contacts' words (survey comments, complaint summaries, the contact's own notes or
 * transcript) on the given contacts. Returns the events changed. QA notes are not here: they were removed with the
 * agent's id.
 */
async function scrubCustomerTexts(trx: Transaction<Database>, contactIds: string[], name: string, by: string, now: number): Promise<number> {
  const scrub = nameReplacer(name, by);
  let changed = 0;
  for (let i = 0; i < contactIds.length; i += 500) {
    const rows = await trx
      .selectFrom('events')
      .select(['seq', 'payload'])
      .where('contact_id', 'in', contactIds.slice(i, i + 500))
      .where('type', 'in', ['survey.responded', 'complaint.logged', 'contact.ended'])
      .execute();
    for (const r of rows) {
      const e = parse(r.payload) as Record<string, unknown> | null;
      if (!e) continue;
      let touched = false;
      for (const f of FREE_TEXT[e.type as FrontlineEvent['type']] ?? []) {
        const v = e[f];
        if (typeof v !== 'string') continue;
        const next = scrub(v);
        if (next !== v) {
          e[f] = next;
          touched = true;
        }
      }
      if (touched) {
        await rewrite(trx, Number(r.seq), e as unknown as FrontlineEvent, now);
        changed++;
      }
    }
  }
  return changed;
}

/** Replaces a name in every free text of the given cases (their fields, actions and trail). Returns the texts changed. */
async function scrubCaseTexts(trx: Transaction<Database>, caseIds: string[], name: string, by: string): Promise<number> {
  if (caseIds.length === 0) return 0;
  const scrub = nameReplacer(name, by);
  let changed = 0;
  const fields = ['plan', 'notes', 'reflection', 'response_comment', 'outcome_reason'] as const;
  const rows = await trx.selectFrom('coaching_cases').select(['id', ...fields]).where('id', 'in', caseIds).execute();
  for (const r of rows) {
    const set: Partial<Record<(typeof fields)[number], string>> = {};
    for (const f of fields) {
      const v = r[f];
      if (typeof v !== 'string') continue;
      const next = scrub(v);
      if (next !== v) set[f] = next;
    }
    if (Object.keys(set).length > 0) {
      changed += Object.keys(set).length;
      await trx.updateTable('coaching_cases').set(set).where('id', '=', r.id).execute();
    }
  }
  const actions = await trx.selectFrom('case_actions').select(['id', 'text', 'measure']).where('case_id', 'in', caseIds).execute();
  for (const a of actions) {
    const text = scrub(a.text);
    const measure = scrub(a.measure);
    if (text !== a.text || measure !== a.measure) {
      changed++;
      await trx.updateTable('case_actions').set({ text, measure }).where('id', '=', a.id).execute();
    }
  }
  const trail = await trx.selectFrom('case_events').select(['id', 'details']).where('case_id', 'in', caseIds).execute();
  for (const e of trail) {
    // The trail keeps long text whole inside JSON: replace within its strings, so the JSON stays valid.
    const details = JSON.stringify(mapStrings(JSON.parse(e.details) as unknown, scrub));
    if (details !== e.details) {
      changed++;
      await trx.updateTable('case_events').set({ details }).where('id', '=', e.id).execute();
    }
  }
  return changed;
}

function mapStrings(v: unknown, fn: (s: string) => string): unknown {
  if (typeof v === 'string') return fn(v);
  if (Array.isArray(v)) return v.map((x) => mapStrings(x, fn));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mapStrings(x, fn)]));
  return v;
}
