/**
 * The change feed: every node applies every stored event, whichever node ingested it, by tailing the events table in
 * sequence order. This is what makes the KPI engine, the live pulse and the voice of the customer agree on every
 * node: they are all fed from the one committed log, never from what a node happened to ingest itself.
 *
 * Gap-free because each event insert holds a transaction-level advisory lock to its commit (events.store.ts), so a
 * higher `seq` never becomes visible before a lower one. Woken by NOTIFY at each commit (low latency) and polled as a
 * backstop (a missed notification, a reconnect), so nothing waits on PostgreSQL's notification queue alone.
 */
import type { FrontlineEvent } from '../../shared/events.js';
import type { AcceptedEvent } from '../ingest/ingest.service.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/db.js';

const PAGE = 2_000;

export class ChangeFeed {
  private cursor = 0;
  private reading: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private failing = false;
  private started = false;
  /** Events delivered since start (status page, tests). */
  delivered = 0;

  constructor(
    private readonly store: Store,
    private readonly deliver: (events: AcceptedEvent[]) => void,
    private readonly logger: Logger,
    private readonly pollMs = 1_000,
  ) {}

  /** Everything stored up to now is the services' own start-up read; the feed delivers what commits after. */
  async start(): Promise<void> {
    const row = await this.store.db.selectFrom('events').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirst();
    this.cursor = Number(row?.m ?? 0);
    this.started = true;
    this.timer = setInterval(() => this.wake(), this.pollMs);
    this.timer.unref();
  }

  stop(): Promise<void> {
    this.started = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    return this.reading ?? Promise.resolve();
  }

  /** The highest sequence number applied on this node. */
  get position(): number {
    return this.cursor;
  }

  /** Reads what committed since the cursor (coalesced: a wake during a read makes one more read after it). */
  wake(): void {
    // Before start the cursor is not placed yet: a read now would deliver the whole log.
    if (!this.started) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = this.readAll().finally(() => {
      this.reading = undefined;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  /** Resolves once everything committed before the call has been delivered (tests, shutdown). */
  async caughtUp(): Promise<void> {
    await this.reading;
    this.again = false;
    this.reading = this.readAll().finally(() => (this.reading = undefined));
    await this.reading;
  }

  private async readAll(): Promise<void> {
    try {
      for (;;) {
        const rows = await this.store.db
          .selectFrom('events')
          .select(['seq', 'payload', 'received_ms'])
          .where('seq', '>', this.cursor)
          .orderBy('seq')
          .limit(PAGE)
          .execute();
        if (rows.length === 0) break;
        const events: AcceptedEvent[] = rows.map((r) => ({ event: JSON.parse(r.payload) as FrontlineEvent, receivedMs: Number(r.received_ms), seq: Number(r.seq) }));
        this.cursor = Number(rows[rows.length - 1]?.seq);
        this.delivered += events.length;
        try {
          this.deliver(events);
        } catch (err) {
          this.logger.error({ err }, 'a listener of the change feed failed');
        }
        if (rows.length < PAGE) break;
      }
      if (this.failing) this.logger.warn({ log: 'cluster', position: this.cursor }, 'change feed reading again');
      this.failing = false;
    } catch (err) {
      if (!this.failing) this.logger.error({ log: 'cluster', err: (err as Error).message }, 'change feed cannot read the events table; retrying');
      this.failing = true;
    }
  }
}
