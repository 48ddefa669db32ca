/**
 * createServer: wires the stores, services, HTTP routes and realtime layer. A factory, not a singleton, so tests can
 * build as many servers as they like with their own store and clock.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import express from 'express';
import helmet from 'helmet';
import { ApiKeyService } from './apikeys/apikey.service.js';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import { DirectoryService } from './directory/directory.service.js';
import { directoryRoutes } from './http/directory.routes.js';
import { errorHandler, sendError } from './http/errors.js';
import { healthRoutes } from './http/health.routes.js';
import { ingestRoutes } from './http/ingest.routes.js';
import { IngestService } from './ingest/ingest.service.js';
import { PulseService } from './live/pulse.service.js';
import type { Logger } from './logger.js';
import { attachRealtime, type Realtime } from './realtime/socket.js';
import type { Store } from './store/db.js';

export interface ServerDeps {
  config: Config;
  store: Store;
  clock: Clock;
  logger: Logger;
  /** Folder of the built client; served when it exists. */
  clientDir?: string;
}

export interface FrontlineServer {
  httpServer: http.Server;
  realtime: Realtime;
  ingest: IngestService;
  directory: DirectoryService;
  apiKeys: ApiKeyService;
  pulse: PulseService;
  /** Loads state from the store; call before listen. */
  init(): Promise<void>;
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

export function createServer({ config, store, clock, logger, clientDir }: ServerDeps): FrontlineServer {
  const directory = new DirectoryService(store);
  const apiKeys = new ApiKeyService(store, clock);
  const pulse = new PulseService(store, directory, clock, logger);
  const ingest = new IngestService({
    store,
    clock,
    logger,
    maxClockSkewMs: config.ingestMaxClockSkewMs,
    onStored: (events) => pulse.onStored(events),
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: { 'default-src': ["'self'"], 'connect-src': ["'self'"], 'img-src': ["'self'", 'data:'], 'object-src': ["'none'"] },
      },
    }),
  );
  app.use(healthRoutes(store));
  app.use(ingestRoutes(ingest, apiKeys, logger));
  app.use(directoryRoutes(directory, apiKeys, logger, () => pulse.refreshDirectory()));
  app.use('/api', (req, res) => sendError(res, 404, 'not_found', `no such API route: ${req.method} ${req.originalUrl}`));
  if (clientDir && fs.existsSync(path.join(clientDir, 'index.html'))) {
    app.use(express.static(clientDir, { index: false, maxAge: '1h' }));
    app.get(/^\/(?!api\/|socket\.io\/).*/, (_req, res) => res.sendFile(path.join(clientDir, 'index.html')));
  }
  app.use(errorHandler(logger));

  const httpServer = http.createServer(app);
  httpServer.requestTimeout = 60_000;
  const realtime = attachRealtime(httpServer, pulse, config.liveBroadcastIntervalMs, logger);

  return {
    httpServer,
    realtime,
    ingest,
    directory,
    apiKeys,
    pulse,
    init: () => pulse.start(),
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          const addr = httpServer.address();
          resolve(typeof addr === 'object' && addr ? addr.port : port);
        });
      }),
    close: async () => {
      await ingest.drain();
      await realtime.close();
    },
  };
}
