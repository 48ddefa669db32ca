/** Keeps the live pulse fed: rebuilt from the store at start and at midnight, then updated from every commit. */
import type { FrontlineEvent } from '../../shared/events.js';
import type { PulseSnapshot } from '../../shared/live.js';
import { centreZoneOf } from '../../shared/zones.js';
import type { Clock } from '../clock.js';
import type { DirectoryService } from '../directory/directory.service.js';
import type { AcceptedEvent } from '../ingest/ingest.service.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/db.js';
import { LivePulse } from './pulse.js';

const REPLAY_PAGE = 5_000;
/** Even with nothing new, a snapshot goes out this often (server clock). */
const HEARTBEAT_MS = 5_000;
/** Agent states are carried over from before midnight, so agents on a late shift are not lost at day roll. */
const AGENT_STATE_LOOKBACK_MS = 24 * 3600_000;

export class PulseService {
  private pulse: LivePulse | undefined;
  private rebuilding: Promise<void> | undefined;
  /** Change-feed events that arrived during a rebuild. */
  private held: AcceptedEvent[] = [];
  /** The highest seq a rebuild has read from the store. */
  private replayedThrough = 0;

  constructor(
    private readonly store: Store,
    private readonly directory: DirectoryService,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.rebuild();
  }

  /** Directory changed: relabel queues. */
  async refreshDirectory(): Promise<void> {
    this.pulse?.setDirectory(await this.directory.get());
  }

  onStored(events: AcceptedEvent[]): void {
    // Events from the change feed carry their seq: the ones a rebuild has read already are skipped (the pulse counts,
    // so applying one twice would count it twice), and the ones arriving during a rebuild are held for after it.
    if (!this.pulse || this.rebuilding) {
      for (const e of events) if (e.seq !== undefined) this.held.push(e);
      return; // without a seq (one node), the rebuild reads these from the store
    }
    for (const e of events) {
      if (e.seq !== undefined && e.seq <= this.replayedThrough) continue;
      this.pulse.apply(e.event, e.receivedMs);
    }
  }

  /** Called on the broadcast interval: the next snapshot to send, or null when nothing changed. */
  tick(): PulseSnapshot | null {
    const now = this.clock.now();
    if (!this.pulse) return null;
    if (this.pulse.rollDay(now)) {
      this.rebuilding ??= this.rebuild().finally(() => (this.rebuilding = undefined));
      return null;
    }
    return this.pulse.snapshotIfChanged(now, HEARTBEAT_MS);
  }

  agentState(agentId: string): string | null {
    return this.pulse ? this.pulse.stateOf(agentId) : null;
  }

  agentToday(agentId: string): ReturnType<LivePulse['agentToday']> | null {
    return this.pulse ? this.pulse.agentToday(agentId) : null;
  }

  /** Rebuilds from the store (after erasure or retention changed stored events). */
  async reload(): Promise<void> {
    await this.rebuild();
  }

  current(): PulseSnapshot | null {
    return this.pulse ? this.pulse.snapshot(this.clock.now()) : null;
  }

  private async rebuild(): Promise<void> {
    const dir = await this.directory.get();
    // Counts since the centre's midnight (shared/zones.ts).
    const tz = centreZoneOf(dir);
    const pulse = new LivePulse(dir, tz);
    const now = this.clock.now();
    pulse.rollDay(now);
    const from = Math.min(pulse.dayStart, now - AGENT_STATE_LOOKBACK_MS);
    let after = 0;
    let replayed = 0;
    let lastSeq = 0;
    for (;;) {
      const rows = await this.store.db
        .selectFrom('events')
        .select(['seq', 'payload', 'received_ms'])
        .where('occurred_ms', '>=', from)
        .where('seq', '>', after)
        .orderBy('seq')
        .limit(REPLAY_PAGE)
        .execute();
      for (const r of rows) pulse.apply(JSON.parse(r.payload) as FrontlineEvent, Number(r.received_ms));
      if (rows.length > 0) lastSeq = Number(rows[rows.length - 1]?.seq);
      replayed += rows.length;
      if (rows.length < REPLAY_PAGE) break;
      after = Number(rows[rows.length - 1]?.seq);
    }
    this.pulse = pulse;
    this.replayedThrough = Math.max(this.replayedThrough, after, lastSeq);
    const held = this.held.splice(0);
    for (const e of held) if ((e.seq ?? 0) > this.replayedThrough) pulse.apply(e.event, e.receivedMs);
    this.logger.info({ replayed, timeZone: tz }, 'live pulse rebuilt from the store');
  }
}
