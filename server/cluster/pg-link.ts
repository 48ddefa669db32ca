/**
 * Each node's one dedicated PostgreSQL connection, for the two things a pool cannot do:
 *
 * - LISTEN: wake-ups from the events channel (a commit of new events on any node) and cluster signals (a cache to
 *   drop, a coaching case changed) on the signals channel.
 * - The leader lock: a session-level advisory lock (`pg_try_advisory_lock`). The node holding it does the once-only
 *   work. PostgreSQL releases it the moment the holder's session ends, so when a node dies (SIGKILL, power, network)
 *   a survivor's next attempt takes it over; no lease table, no clock to trust.
 *
 * If this connection fails, the node drops leadership at once (its lock went with the session) and reconnects with
 * backoff; `reconnected` tells the change feed to catch up and clients to resync, since notifications sent meanwhile
 * were missed.
 */
import { EventEmitter } from 'node:events';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import type { Database } from '../store/schema.js';
import type { Logger } from '../logger.js';
import type { PgKeys } from '../store/pg-keys.js';

export interface PgLinkOptions {
  url: string;
  keys: PgKeys;
  nodeId: string;
  logger: Logger;
  /** How often a follower tries the leader lock, and a leader checks its connection. */
  checkMs?: number;
}

export interface Signal {
  topic: string;
  data?: unknown;
  /** The node that sent it. */
  from: string;
}

interface LinkEvents {
  events: [];
  signal: [Signal];
  promoted: [];
  demoted: [];
  reconnected: [];
}

export class PgLink extends EventEmitter<LinkEvents> {
  private client: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private leader = false;
  private failures = 0;
  private everConnected = false;
  /** When this node last became leader (ms), for the status page. */
  leaderSinceMs: number | null = null;

  constructor(private readonly opts: PgLinkOptions) {
    super();
  }

  get isLeader(): boolean {
    return this.leader;
  }

  get connected(): boolean {
    return this.client !== undefined;
  }

  /** Connects, listens and makes a first leader attempt before returning (so a lone node starts as leader). */
  async start(): Promise<void> {
    await this.connect();
    await this.check();
    this.timer = setInterval(() => void this.check(), this.opts.checkMs ?? 1_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    const c = this.client;
    this.client = undefined;
    this.setLeader(false);
    await c?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    this.connecting ??= (async () => {
      const { url, keys, nodeId, logger } = this.opts;
      const client = new pg.Client({
        connectionString: url,
        application_name: `${appPrefix(keys)}${nodeId}`.slice(0, 63),
        options: `-c search_path=${keys.schema}`,
        keepAlive: true,
        connectionTimeoutMillis: 5_000,
      });
      client.on('error', (err) => this.lost(client, err));
      client.on('end', () => this.lost(client, new Error('connection ended')));
      client.on('notification', (msg) => {
        if (msg.channel === keys.eventsChannel) this.emit('events');
        else if (msg.channel === keys.signalsChannel && msg.payload) {
          try {
            this.emit('signal', JSON.parse(msg.payload) as Signal);
          } catch (err) {
            logger.warn({ err }, 'unreadable cluster signal ignored');
          }
        }
      });
      await client.connect();
      await client.query(`LISTEN ${keys.eventsChannel}`);
      await client.query(`LISTEN ${keys.signalsChannel}`);
      this.client = client;
      if (this.failures > 0 || this.everConnected) {
        logger.warn({ log: 'cluster', after: this.failures }, 'PostgreSQL cluster link back: listening again');
        this.emit('reconnected');
      }
      this.everConnected = true;
      this.failures = 0;
    })().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private lost(client: pg.Client, err: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.opts.logger.error({ log: 'cluster', err: err.message }, 'PostgreSQL cluster link lost: leadership dropped, reconnecting');
    this.setLeader(false);
    void client.end().catch(() => undefined);
  }

  private setLeader(on: boolean): void {
    if (on === this.leader) return;
    this.leader = on;
    this.leaderSinceMs = on ? Date.now() : null;
    this.opts.logger.warn({ log: 'cluster', node: this.opts.nodeId }, on ? 'this node is now the leader: it runs the once-only work' : 'this node is no longer the leader');
    this.emit(on ? 'promoted' : 'demoted');
  }

  private checking = false;

  /** One round: reconnect if needed; a follower tries the lock; a leader proves its session is alive. */
  private async check(): Promise<void> {
    if (this.checking || this.stopped) return;
    this.checking = true;
    try {
      if (!this.client) {
        try {
          await this.connect();
        } catch (err) {
          this.failures++;
          if (this.failures === 1 || this.failures % 30 === 0) {
            this.opts.logger.error({ log: 'cluster', err: (err as Error).message, attempts: this.failures }, 'PostgreSQL cluster link: cannot connect; retrying');
          }
          return;
        }
      }
      const client = this.client;
      if (!client) return;
      const { lockClass, leaderLock } = this.opts.keys;
      if (this.leader) {
        await client.query('select 1');
      } else {
        const r = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1::int, $2::int) as ok', [lockClass, leaderLock]);
        if (r.rows[0]?.ok && this.client === client) this.setLeader(true);
      }
    } catch (err) {
      const c = this.client;
      if (c) this.lost(c, err as Error);
    } finally {
      this.checking = false;
    }
  }

  /** The node holding the leader lock now, or null when none does (between a death and the next attempt). */
  static async leaderOf(db: Kysely<Database>, keys: PgKeys): Promise<string | null> {
    const r = await sql<{ name: string }>`select a.application_name as name from pg_locks l join pg_stat_activity a on a.pid = l.pid
      where l.locktype = 'advisory' and l.granted and l.classid = ${keys.lockClass}::int::oid and l.objid = ${keys.leaderLock}::int::oid
        and l.objsubid = 2 and l.database = (select oid from pg_database where datname = current_database())`.execute(db);
    const name = r.rows[0]?.name;
    return name === undefined ? null : nodeOf(name, keys);
  }

  /** The nodes with a live link to this cluster now. */
  static async members(db: Kysely<Database>, keys: PgKeys): Promise<string[]> {
    const r = await sql<{ name: string }>`select application_name as name from pg_stat_activity
      where datname = current_database() and application_name like ${`${appPrefix(keys)}%`}`.execute(db);
    return [...new Set(r.rows.map((x) => nodeOf(x.name, keys)).filter((x): x is string => x !== null))].sort();
  }
}

/** application_name of a node's link: the cluster's tag (one per schema) and the node's id. */
function appPrefix(keys: PgKeys): string {
  return `frontline:${keys.eventsChannel.slice(-12)}:`;
}

function nodeOf(applicationName: string, keys: PgKeys): string | null {
  const p = appPrefix(keys);
  return applicationName.startsWith(p) ? applicationName.slice(p.length) : null;
}
