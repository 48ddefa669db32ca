/**
 * Several identical nodes on one PostgreSQL database and one Redis, with no cluster layer of our own:
 *
 * - State: PostgreSQL is the only source of truth. Each node feeds its in-memory services (KPI engine, live pulse)
 *   from the change feed, so every node answers with the same figures whichever node ingested the events.
 * - Once-only work (duties: rollup writing, flagging, comment facts, housekeeping) runs on the leader: the node
 *   holding a session advisory lock (pg-link.ts). When it dies PostgreSQL frees the lock and a survivor takes over
 *   within a check interval, resuming from what is stored (the KPI checkpoint, case keys, fact rows).
 * - Signals between nodes (a cache to drop, a case that changed) go over NOTIFY on the same database, so they share
 *   its availability; Redis carries only socket traffic (redis.ts).
 */
import { sql } from 'kysely';
import type { ClusterStatus } from '../../shared/api.js';
import type { AcceptedEvent } from '../ingest/ingest.service.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/db.js';
import type { PgKeys } from '../store/pg-keys.js';
import { ChangeFeed } from './change-feed.js';
import { PgLink, type Signal } from './pg-link.js';
import { connectRedis, type RedisLink } from './redis.js';

export interface Duty {
  name: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}

export type { ClusterStatus };

export interface ClusterOptions {
  store: Store;
  databaseUrl: string;
  redisUrl: string;
  nodeId: string;
  logger: Logger;
  /** Applies events committed on any node to this node's services. */
  deliver: (events: AcceptedEvent[]) => void;
  checkMs?: number;
}

export class Cluster {
  readonly nodeId: string;
  readonly link: PgLink;
  readonly feed: ChangeFeed;
  readonly redis: RedisLink;
  private readonly keys: PgKeys;
  private readonly duties: Duty[] = [];
  private readonly handlers = new Map<string, (data: unknown) => Promise<void> | void>();
  private readonly resyncers: ((reason: string) => void)[] = [];
  private activated = false;
  private running: Duty[] = [];
  /** Serialises duty starts and stops, so a quick demote/promote never runs a duty twice. */
  private transitions: Promise<void> = Promise.resolve();

  constructor(private readonly opts: ClusterOptions) {
    if (!opts.store.pg) throw new Error('several nodes need PostgreSQL');
    this.keys = opts.store.pg;
    this.nodeId = opts.nodeId;
    this.link = new PgLink({ url: opts.databaseUrl, keys: this.keys, nodeId: opts.nodeId, logger: opts.logger, ...(opts.checkMs === undefined ? {} : { checkMs: opts.checkMs }) });
    this.feed = new ChangeFeed(opts.store, opts.deliver, opts.logger);
    this.redis = connectRedis(opts.redisUrl, this.keys.eventsChannel.slice(-12), opts.logger);
    this.redis.onRecovered(() => this.resync('Redis is reachable again'));
  }

  get isLeader(): boolean {
    return this.link.isLeader;
  }

  /** Work only the leader does: started when this node leads (after activate), stopped when it stops leading. */
  addDuty(duty: Duty): void {
    this.duties.push(duty);
  }

  onSignal(topic: string, fn: (data: unknown) => Promise<void> | void): void {
    this.handlers.set(topic, fn);
  }

  onResync(fn: (reason: string) => void): void {
    this.resyncers.push(fn);
  }

  /** Tells every other node (after this node's own change committed). */
  async signal(topic: string, data?: unknown): Promise<void> {
    const payload: Signal = { topic, from: this.nodeId, ...(data === undefined ? {} : { data }) };
    await sql`select pg_notify(${this.keys.signalsChannel}, ${JSON.stringify(payload)})`.execute(this.opts.store.db);
  }

  /** Joins: links to the database, tries for leadership, and starts the change feed from the current end of the log. */
  async start(): Promise<void> {
    const { logger } = this.opts;
    this.link.on('events', () => this.feed.wake());
    this.link.on('signal', (s) => {
      if (s.from === this.nodeId) return;
      const fn = this.handlers.get(s.topic);
      if (!fn) return;
      void Promise.resolve(fn(s.data)).catch((err: unknown) => logger.error({ err, topic: s.topic }, 'cluster signal handler failed'));
    });
    this.link.on('promoted', () => this.transition(true));
    this.link.on('demoted', () => this.transition(false));
    this.link.on('reconnected', () => {
      this.feed.wake();
      // Signals sent while the link was down were missed: drop caches and let clients fetch fresh snapshots.
      const fn = this.handlers.get('resync');
      if (fn) void Promise.resolve(fn(undefined)).catch((err: unknown) => logger.error({ err }, 'cluster resync failed'));
      this.resync('the database link is back');
    });
    await this.link.start();
    await this.feed.start();
    logger.info({ log: 'cluster', node: this.nodeId, leader: this.isLeader }, 'joined the cluster');
  }

  /** Called once this node's services have loaded: from here on, leading means running the duties. */
  activate(): void {
    this.activated = true;
    if (this.isLeader) this.transition(true);
  }

  private transition(lead: boolean): void {
    if (!this.activated) return;
    const { logger } = this.opts;
    this.transitions = this.transitions.then(async () => {
      if (lead && this.running.length === 0 && this.link.isLeader) {
        for (const d of this.duties) {
          try {
            await d.start();
            this.running.push(d);
            logger.info({ log: 'cluster', duty: d.name }, 'duty started on this node');
          } catch (err) {
            logger.error({ log: 'cluster', err, duty: d.name }, 'duty failed to start');
          }
        }
      } else if (!lead && this.running.length > 0) {
        for (const d of this.running.splice(0).reverse()) {
          try {
            await d.stop();
          } catch (err) {
            logger.error({ log: 'cluster', err, duty: d.name }, 'duty failed to stop');
          }
        }
      }
    });
  }

  private resync(reason: string): void {
    for (const fn of this.resyncers) fn(reason);
  }

  async status(): Promise<ClusterStatus> {
    const db = this.opts.store.db;
    let database: 'up' | 'down' = 'up';
    let leader: string | null = null;
    let members: string[] = [];
    try {
      [leader, members] = await Promise.all([PgLink.leaderOf(db, this.keys), PgLink.members(db, this.keys)]);
    } catch {
      database = 'down';
    }
    return {
      node: this.nodeId,
      leader,
      thisNodeLeads: this.isLeader,
      leaderSince: this.link.leaderSinceMs === null ? null : new Date(this.link.leaderSinceMs).toISOString(),
      members,
      duties: this.running.map((d) => d.name),
      feed: { position: this.feed.position, delivered: this.feed.delivered },
      redis: this.redis.up ? 'up' : 'down',
      database,
    };
  }

  async stop(): Promise<void> {
    this.transition(false);
    this.activated = false;
    await this.transitions;
    await this.feed.stop();
    await this.link.stop();
    await this.redis.close();
  }
}
