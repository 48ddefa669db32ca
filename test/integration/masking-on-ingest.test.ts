/**
 * Personal data in free text is masked on the way in: the stored event (and everything read from it) holds the
 * masked comment, the unmasked text is nowhere in the store, and a re-send of the original is still a duplicate.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../server/store/db.js';
import { maskStoredText } from '../../server/store/migrations/010-mask-stored-text.js';
import { tempDir } from '../support/stores.js';
import type { FrontlineEvent } from '../../shared/events.js';
import { startTestServer, type TestServer } from '../support/server.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.close();
});

describe('masking on ingest', () => {
  it('stores comments, complaint summaries and QA notes masked, and still recognises the original as a re-send', async () => {
    const at = new Date().toISOString();
    const events: FrontlineEvent[] = [
      { id: 'm-o', type: 'contact.offered', occurredAt: at, contactId: 'm1', channel: 'voice', queueId: 'q' },
      { id: 'm-s', type: 'survey.responded', occurredAt: at, contactId: 'm1', csat: 2, comment: 'Ring me on 07700 900123 or jo@example.com, card 4111 1111 1111 1111, SW1A 1AA' },
      { id: 'm-c', type: 'complaint.logged', occurredAt: at, contactId: 'm1', category: 'billing', summary: 'Customer at M1 1AE says call +44 7700 900456' },
    ] as FrontlineEvent[];
    const first = await t.server.ingest.ingest(events);
    expect(first.results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted']);
    const rows = await t.store.db.selectFrom('events').select(['id', 'payload', 'redacted_ms', 'text_removed_ms']).where('contact_id', '=', 'm1').orderBy('id').execute();
    const all = rows.map((r) => r.payload).join('\n');
    for (const secret of ['07700 900123', 'jo@example.com', '4111 1111 1111 1111', 'SW1A 1AA', 'M1 1AE', '7700 900456']) expect(all).not.toContain(secret);
    const survey = JSON.parse(rows.find((r) => r.id === 'm-s')!.payload) as { comment: string };
    expect(survey.comment).toBe('Ring me on [phone] or [email], card [card], [postcode]');
    // Masking is not erasure: the rows are not marked redacted or stripped.
    expect(rows.every((r) => r.redacted_ms === null && r.text_removed_ms === null)).toBe(true);
    const again = await t.server.ingest.ingest(events);
    expect(again.results.map((r) => r.status)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    const changed = await t.server.ingest.ingest([{ ...events[1], comment: 'Something else entirely' }]);
    expect(changed.results[0]?.status).toBe('rejected');
  });
});

describe('masking what was stored before', () => {
  it('migration 010 masks free text already in the store and leaves hashes alone', async () => {
    const dir = tempDir('frontline-mask-');
    const file = path.join(dir, 'f.db');
    const first = await openStore({ kind: 'sqlite', file });
    const payload = JSON.stringify({ id: 'old-s', type: 'survey.responded', occurredAt: '2026-01-05T10:00:00Z', contactId: 'c-old', csat: 1, comment: 'email jo@example.com now' });
    await first.db.insertInto('events').values({ id: 'old-s', type: 'survey.responded', occurred_at: '2026-01-05T10:00:00Z', occurred_ms: Date.parse('2026-01-05T10:00:00Z'), received_ms: 0, source: null, contact_id: 'c-old', agent_id: null, payload, content_hash: 'h-old', customer_id: null, redacted_ms: null, text_removed_ms: null }).execute();
    // The row went in as a store from before the migration would hold it; run the migration's step on it.
    await maskStoredText().up(first.db as never);
    const row = await first.db.selectFrom('events').select(['payload', 'content_hash']).where('id', '=', 'old-s').executeTakeFirstOrThrow();
    expect(JSON.parse(row.payload)).toMatchObject({ comment: 'email [email] now', csat: 1 });
    expect(row.content_hash).toBe('h-old');
    await first.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
