/**
 * The Socket.IO adapter between nodes: the official Redis Streams adapter over ioredis.
 *
 * Why this one (../shared/research/reliability-security.md §1.3): the classic pub/sub adapter drops every packet
 * published while Redis is unreachable; the Streams adapter appends packets to a stream and each node reads it from
 * its last offset, so after a short Redis outage the packets sent meanwhile (ioredis holds them in its offline queue)
 * still arrive. It carries what one node sends to sockets anywhere: revocations (`auth:revoked` and the disconnect of
 * a signed-out session's sockets on every node), screen layout changes. Live KPI figures never depend on it: each
 * node computes them from the shared change feed and sends them to its own sockets.
 *
 * Redis down: every node keeps serving its own clients (local rooms work without the adapter), logs once that Redis
 * is unreachable and once when it is back; then asks its clients to resync, since a cross-node message can still have
 * been trimmed or lost.
 */
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';

export interface RedisLink {
  client: Redis;
  /** Whether the last connection attempt succeeded and the connection is ready. */
  readonly up: boolean;
  adapter: ReturnType<typeof createAdapter>;
  /** Called each time Redis is reachable again after an outage. */
  onRecovered(fn: () => void): void;
  close(): Promise<void>;
}

export function connectRedis(url: string, tag: string, logger: Logger): RedisLink {
  const client = new Redis(url, {
    // Reconnect for ever, quickly at first; commands wait in the offline queue meanwhile (bounded by the retries).
    retryStrategy: (times) => Math.min(100 * times, 2_000),
    maxRetriesPerRequest: 20,
    connectTimeout: 5_000,
    lazyConnect: false,
  });
  let up = false;
  let wasDown = false;
  let errors = 0;
  const recovered: (() => void)[] = [];
  client.on('ready', () => {
    up = true;
    if (wasDown) {
      logger.warn({ log: 'cluster', after: errors }, 'Redis reachable again: cross-node socket messages resume; clients resync');
      for (const fn of recovered) fn();
    }
    wasDown = false;
    errors = 0;
  });
  client.on('error', (err: Error) => {
    errors++;
    // Without a listener an `error` event would kill the process; logged once per outage, then every 50th time.
    if (!wasDown || errors % 50 === 0) logger.error({ log: 'cluster', err: err.message, attempts: errors }, 'Redis unreachable: each node serves its own clients; cross-node socket messages wait');
    wasDown = true;
    up = false;
  });
  client.on('close', () => {
    if (up) logger.error({ log: 'cluster' }, 'Redis connection closed; reconnecting');
    if (up) wasDown = true;
    up = false;
  });
  const adapter = createAdapter(client, {
    streamName: `frontline:${tag}:socket.io`,
    channelPrefix: `frontline:${tag}:socket.io`,
    // Enough for a few minutes of revocations and layout changes; a longer outage is covered by the resync.
    maxLen: 10_000,
    // The stream is read with a blocking XREAD; a short block keeps cross-node latency and shutdown quick.
    blockTimeInMs: 1_000,
    onlyPlaintext: true,
  });
  return {
    client,
    get up() {
      return up;
    },
    adapter,
    onRecovered: (fn) => recovered.push(fn),
    close: async () => {
      client.removeAllListeners('ready');
      // Not quit(): with Redis down it would wait in the offline queue and hold up the shutdown.
      client.disconnect();
      await Promise.resolve();
    },
  };
}
