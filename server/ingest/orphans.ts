/**
 * Orphans (contract v2): a survey, QA evaluation or complaint naming a contact whose offer has not arrived.
 *
 * An orphan is stored like any event and held by the KPI engine; it is counted as soon as its contact's offer comes
 * (test/integration/orphans.test.ts). One whose contact has not arrived within the orphan TTL (ORPHAN_TTL_DAYS,
 * 7 by default, counted from when it was received) expires: the leader marks it `expired_ms` in the store, under the
 * ingest lock so an offer committing at that moment is never missed, and every node then drops it from its engine.
 * Expired events stay stored and listed; no KPI fold counts them, even if their contact arrives later (a rebuild and
 * the live engine agree). Admins see, per source, how many are held, the oldest, and how many expired.
 */
import { sql } from 'kysely';
import type { OrphanReport } from '../../shared/api.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/db.js';

/** The event types that name a contact without being part of its lifecycle. */
export const ORPHAN_TYPES = ['survey.offered', 'survey.responded', 'qa.evaluated', 'complaint.logged'] as const;

const NO_SOURCE = '(none)';
const WATERMARK_KEY = 'orphans.checkedThroughMs';

export class OrphanService {
  private timer: NodeJS.Timeout | undefined;
  /** The latest expiry this node has applied to its engine. */
  private seenMs = 0;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly opts: { ttlMs: number; leads: () => boolean; forget: (contactIds: string[]) => number; everyMs?: number; onExpired?: (n: number) => void },
  ) {}

  get ttlMs(): number {
    return this.opts.ttlMs;
  }

  /** Held orphans (received within the TTL, contact not offered) and expired ones, per source. */
  async report(): Promise<OrphanReport> {
    const now = this.clock.now();
    const db = this.store.db;
    const held = await db
      .selectFrom('events as e')
      .select((eb) => ['e.source', eb.fn.countAll<number>().as('n'), eb.fn.min('e.received_ms').as('oldest')])
      .where('e.type', 'in', [...ORPHAN_TYPES])
      .where('e.contact_id', 'is not', null)
      .where('e.expired_ms', 'is', null)
      .where('e.received_ms', '>=', now - this.opts.ttlMs - 86_400_000)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('events as o').select('o.seq').whereRef('o.contact_id', '=', 'e.contact_id').where('o.type', '=', 'contact.offered'))))
      .groupBy('e.source')
      .execute();
    const expired = await db
      .selectFrom('events')
      .select((eb) => ['source', eb.fn.countAll<number>().as('n'), eb.fn.max('expired_ms').as('last')])
      .where('expired_ms', 'is not', null)
      .groupBy('source')
      .execute();
    const bySource = new Map<string, OrphanReport['sources'][number]>();
    const entry = (source: string | null) => {
      const key = source ?? NO_SOURCE;
      let x = bySource.get(key);
      if (!x) bySource.set(key, (x = { source: key, held: 0, oldestHeldAt: null, expiresAt: null, expired: 0, lastExpiredAt: null }));
      return x;
    };
    for (const r of held) {
      const x = entry(r.source);
      x.held = Number(r.n);
      const oldest = r.oldest == null ? null : Number(r.oldest);
      x.oldestHeldAt = oldest === null ? null : new Date(oldest).toISOString();
      x.expiresAt = oldest === null ? null : new Date(oldest + this.opts.ttlMs).toISOString();
    }
    for (const r of expired) {
      const x = entry(r.source);
      x.expired = Number(r.n);
      x.lastExpiredAt = r.last == null ? null : new Date(Number(r.last)).toISOString();
    }
    const sources = [...bySource.values()].sort((a, b) => b.held - a.held || b.expired - a.expired || a.source.localeCompare(b.source));
    return {
      ttlDays: this.opts.ttlMs / 86_400_000,
      held: sources.reduce((s, x) => s + x.held, 0),
      expired: sources.reduce((s, x) => s + x.expired, 0),
      sources,
    };
  }

  /**
   * Leader: marks orphans received before now − TTL whose contact was never offered. Only events received since the
   * last check are looked at (an older one either expired then or had its contact by then). Returns how many expired.
   */
  async expire(): Promise<number> {
    const now = this.clock.now();
    const cutoff = now - this.opts.ttlMs;
    const keys = this.store.pg;
    return this.store.db.transaction().execute(async (trx) => {
      // Serialised with ingest: an offer is either committed before (and seen) or after (and the orphan expired first).
      if (keys) await sql`select pg_advisory_xact_lock(${keys.lockClass}::int, ${keys.ingestLock}::int)`.execute(trx);
      const mark = await trx.selectFrom('meta').select('value').where('key', '=', WATERMARK_KEY).executeTakeFirst();
      const from = mark ? Number(mark.value) : Number.NEGATIVE_INFINITY;
      if (cutoff <= from) return 0;
      let q = trx
        .updateTable('events')
        .set({ expired_ms: now })
        .where('type', 'in', [...ORPHAN_TYPES])
        .where('contact_id', 'is not', null)
        .where('expired_ms', 'is', null)
        .where('received_ms', '<', cutoff);
      if (Number.isFinite(from)) q = q.where('received_ms', '>=', from);
      const res = await q
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('events as o')
                .select('o.seq')
                .whereRef('o.contact_id', '=', 'events.contact_id')
                .where('o.type', '=', 'contact.offered'),
            ),
          ),
        )
        .executeTakeFirst();
      await trx
        .insertInto('meta')
        .values({ key: WATERMARK_KEY, value: String(cutoff) })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: String(cutoff) }))
        .execute();
      const n = Number(res.numUpdatedRows);
      if (n > 0) this.logger.warn({ expired: n, ttlDays: this.opts.ttlMs / 86_400_000 }, 'orphan events expired: their contact never arrived');
      return n;
    });
  }

  /** Every node: drops from its engine the orphans expired since it last looked. */
  async sweep(): Promise<number> {
    const rows = await this.store.db
      .selectFrom('events')
      .select(['contact_id', 'expired_ms'])
      .where('expired_ms', '>', this.seenMs)
      .execute();
    if (rows.length === 0) return 0;
    this.seenMs = Math.max(this.seenMs, ...rows.map((r) => Number(r.expired_ms)));
    return this.opts.forget([...new Set(rows.map((r) => r.contact_id).filter((x): x is string => x !== null))]);
  }

  /** One round: expire (leader), then sweep. */
  async tick(): Promise<void> {
    if (this.opts.leads()) {
      const n = await this.expire();
      if (n > 0) this.opts.onExpired?.(n);
    }
    await this.sweep();
  }

  start(): void {
    const every = this.opts.everyMs ?? 60_000;
    const run = () => void this.tick().catch((err: unknown) => this.logger.error({ err }, 'orphan expiry failed'));
    run();
    this.timer = setInterval(run, every);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
