/** An in-process Frontline server on a loopback port with its own store, for integration tests. */
import { randomBytes } from 'node:crypto';
import { createServer, type FrontlineServer, type ServerDeps } from '../../server/app.js';
import { ManualClock, systemClock, type Clock } from '../../server/clock.js';
import { loadConfig } from '../../server/config.js';
import { silentLogger } from '../../server/logger.js';
import type { Dialect } from '../../server/store/db.js';
import type { ApiKeyScope } from '../../shared/api.js';
import { openTestStore, type TestStore } from './stores.js';

export interface TestServer {
  baseUrl: string;
  server: FrontlineServer;
  store: TestStore;
  clock: Clock;
  key(scopes?: ApiKeyScope[]): Promise<string>;
  close(): Promise<void>;
}

export async function startTestServer(opts: { dialect?: Dialect; clock?: Clock; env?: Record<string, string>; socketSweepMs?: number; clientDir?: string; connectorsForTest?: ServerDeps['connectors'] } = {}): Promise<TestServer> {
  const store = await openTestStore(opts.dialect ?? 'sqlite');
  const clock = opts.clock ?? systemClock;
  // The flagger's run for late data is held off unless a test asks for it (flagging-late.test.ts runs with the
  // product's defaults): other tests post history and then count cases and notifications of their own.
  const config = loadConfig({ SIMULATOR: 'off', FRONTLINE_SECRET_KEY: randomBytes(32).toString('base64'), LIVE_BROADCAST_INTERVAL_MS: '250', FLAGGER_LATE_QUIET_SECONDS: '3600', FLAGGER_LATE_MAX_WAIT_SECONDS: '3600', ...opts.env });
  const server = createServer({ config, store, clock, logger: silentLogger, ...(opts.socketSweepMs ? { socketSweepMs: opts.socketSweepMs } : {}), ...(opts.clientDir ? { clientDir: opts.clientDir } : {}), ...(opts.connectorsForTest ? { connectors: opts.connectorsForTest } : {}) });
  await server.init();
  const port = await server.listen(0, '127.0.0.1');
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    server,
    store,
    clock,
    key: async (scopes = ['ingest', 'read']) => (await server.apiKeys.create('test', scopes)).key,
    close: async () => {
      await server.close();
      await store.cleanup();
    },
  };
}

export { ManualClock };

export async function postEvents(baseUrl: string, key: string | undefined, body: string, contentType = 'application/json'): Promise<Response> {
  return fetch(`${baseUrl}/api/v1/events`, {
    method: 'POST',
    headers: { 'content-type': contentType, ...(key === undefined ? {} : { authorization: `Bearer ${key}` }) },
    body,
  });
}
