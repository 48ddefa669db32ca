/**
 * Names PostgreSQL shares across a whole database, derived from the schema Frontline writes to, so two deployments
 * (or two test runs) in one database never share a lock or a channel: advisory lock keys are database-wide, and so
 * are LISTEN/NOTIFY channels.
 */
import { createHash } from 'node:crypto';

export interface PgKeys {
  schema: string;
  /** Advisory lock class: 'FRLN' as an int4. */
  lockClass: number;
  /** Session lock held by the node that does the once-only work. */
  leaderLock: number;
  /** Transaction lock every event insert takes, so sequence order is commit order (the change feed relies on it). */
  ingestLock: number;
  /** Transaction lock every directory write takes, so a referential check and its write are not interleaved. */
  directoryLock: number;
  /** NOTIFY channel woken after each commit of new events. */
  eventsChannel: string;
  /** NOTIFY channel for cluster signals: caches to drop, case changes. */
  signalsChannel: string;
}

export function pgKeys(schema: string): PgKeys {
  const h = createHash('sha256').update(schema).digest();
  const base = h.readInt32BE(0) & 0x7ffffffe;
  const tag = h.subarray(4, 10).toString('hex');
  return {
    schema,
    lockClass: 0x46524c4e,
    leaderLock: base,
    ingestLock: base + 1,
    directoryLock: (base + 2) % 0x7fffffff,
    eventsChannel: `frontline_events_${tag}`,
    signalsChannel: `frontline_signals_${tag}`,
  };
}
