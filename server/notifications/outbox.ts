/**
 * The outbox: one row per notice per recipient, filed where the triggering change is known, sent by the leader's
 * sender loop. A row is claimed by a conditional update (a lease), so two senders never both send it; a dedupe key
 * per event and recipient means filing the same event twice (a watcher after a restart) adds nothing.
 */
import { randomBytes } from 'node:crypto';
import type { Store } from '../store/db.js';
import type { NotificationOutboxTable } from '../store/schema.js';

export const newId = (prefix: string): string => `${prefix}_${randomBytes(12).toString('base64url').replace(/[^A-Za-z0-9]/g, 'x')}`;

export type OutboxRow = NotificationOutboxTable;
export type NewOutboxRow = Pick<OutboxRow, 'event_id' | 'dedupe_key' | 'kind' | 'recipient' | 'channel' | 'address' | 'payload' | 'digest' | 'due_ms'>;

export interface AttemptRecord {
  status: 'delivered' | 'error';
  reply: string | null;
  durationMs: number;
  error: string | null;
}

export class Outbox {
  constructor(private readonly store: Store) {}

  /** Files rows; a row whose dedupe key was filed before is skipped. Returns the ids filed. */
  async file(rows: NewOutboxRow[], nowMs: number): Promise<string[]> {
    const filed: string[] = [];
    for (const r of rows) {
      const id = newId('ntf');
      const res = await this.store.db
        .insertInto('notification_outbox')
        .values({ ...r, id, status: 'pending', attempts: 0, claimed_until_ms: null, created_ms: nowMs, sent_ms: null, last_error: null })
        .onConflict((oc) => oc.column('dedupe_key').doNothing())
        .executeTakeFirst();
      if (Number(res.numInsertedOrUpdatedRows ?? 0) > 0) filed.push(id);
    }
    return filed;
  }

  /** Pending rows due now and not leased by another sender, oldest first. */
  async due(nowMs: number, limit: number): Promise<OutboxRow[]> {
    return this.store.db
      .selectFrom('notification_outbox')
      .selectAll()
      .where('status', '=', 'pending')
      .where('due_ms', '<=', nowMs)
      .where((eb) => eb.or([eb('claimed_until_ms', 'is', null), eb('claimed_until_ms', '<', nowMs)]))
      .orderBy('due_ms')
      .limit(limit)
      .execute();
  }

  /** Takes the lease on a row; false when another sender holds it or it is no longer pending. */
  async claim(id: string, nowMs: number, leaseMs: number): Promise<boolean> {
    const res = await this.store.db
      .updateTable('notification_outbox')
      .set({ claimed_until_ms: nowMs + leaseMs })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where((eb) => eb.or([eb('claimed_until_ms', 'is', null), eb('claimed_until_ms', '<', nowMs)]))
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /** Records one attempt and its outcome: sent, retried at `retryAtMs`, or given up (failed) when that is null. */
  async settle(id: string, atMs: number, attempt: AttemptRecord, retryAtMs: number | null): Promise<void> {
    await this.store.db.transaction().execute(async (trx) => {
      await trx.insertInto('notification_attempts').values({ outbox_id: id, at_ms: atMs, status: attempt.status, reply: attempt.reply, duration_ms: attempt.durationMs, error: attempt.error }).execute();
      const row = await trx.selectFrom('notification_outbox').select('attempts').where('id', '=', id).executeTakeFirstOrThrow();
      const attempts = Number(row.attempts) + 1;
      if (attempt.status === 'delivered') {
        await trx.updateTable('notification_outbox').set({ status: 'sent', attempts, sent_ms: atMs + attempt.durationMs, claimed_until_ms: null, last_error: null }).where('id', '=', id).execute();
      } else {
        await trx
          .updateTable('notification_outbox')
          .set({ status: retryAtMs === null ? 'failed' : 'pending', attempts, due_ms: retryAtMs ?? atMs, claimed_until_ms: null, last_error: attempt.error })
          .where('id', '=', id)
          .execute();
      }
    });
  }

  /** Drops sent and failed notices (and their attempts) filed before `beforeMs`; pending ones are kept. */
  async purge(beforeMs: number): Promise<number> {
    return this.store.db.transaction().execute(async (trx) => {
      const old = trx.selectFrom('notification_outbox').select('id').where('created_ms', '<', beforeMs).where('status', 'in', ['sent', 'failed']);
      await trx.deleteFrom('notification_attempts').where('outbox_id', 'in', old).execute();
      const res = await trx.deleteFrom('notification_outbox').where('created_ms', '<', beforeMs).where('status', 'in', ['sent', 'failed']).executeTakeFirst();
      return Number(res.numDeletedRows);
    });
  }
}
