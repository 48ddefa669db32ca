/** Entry point (`node dist/node/server/main.js` once built, as `npm start` runs it): config, store, server, directory, simulator; graceful shutdown on SIGINT/SIGTERM. */
import path from 'node:path';
import { createServer } from './app.js';
import { startSimulation, type SimulationHandle } from './bootstrap/simulation.js';
import { scaledClock, systemClock } from './clock.js';
import { loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { centreDirectory } from './simulator/index.js';
import { projectRoot } from './paths.js';
import { openStore } from './store/db.js';
import { countEvents } from './store/events.store.js';

const root = projectRoot();

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const store = await openStore(config.database);
  logger.info({ store: store.description }, 'store open, migrations applied');
  const sim = config.simulator;
  // With the simulator on, the whole server runs on the simulated clock, so "today" and the live feed agree.
  const clock = sim.enabled && (sim.speed !== 1 || sim.clockStartMs !== undefined) ? scaledClock(sim.speed, sim.clockStartMs) : systemClock;
  const server = createServer({ config, store, clock, logger, clientDir: path.join(root, 'dist', 'client') });

  if (config.directoryFile) {
    const d = await server.directory.loadFile(config.directoryFile);
    logger.info({ file: config.directoryFile, agents: d.agents.length, queues: d.queues.length }, 'directory loaded from file');
  } else if (config.simulator.enabled && (await server.directory.isEmpty())) {
    try {
      const centre = centreDirectory(config.simulator.centre);
      await server.directory.replace(centre);
      logger.info({ preset: config.simulator.centre.preset, sites: centre.sites.length, teams: centre.teams.length, queues: centre.queues.length, agents: centre.agents.length }, 'directory set to the simulated centre');
    } catch (err) {
      // Several nodes starting at once on an empty database: one of them wins, the others find it set.
      server.directory.invalidate();
      if (await server.directory.isEmpty()) throw err;
    }
  }

  let simulation: SimulationHandle | undefined;
  const simulate = async (): Promise<void> => {
    const firstStart = (await countEvents(store.db)) === 0;
    simulation = await startSimulation({
      ingest: server.ingest,
      clock,
      logger,
      seed: config.simulator.seed,
      backfillDays: config.simulator.backfillDays,
      firstStart,
      groundTruthFile: config.simulator.groundTruthFile,
      directory: await server.directory.get(),
    });
  };
  if (config.simulator.enabled && server.cluster) {
    // Several nodes: the simulated centre is one centre, streamed by whichever node leads.
    server.cluster.addDuty({
      name: 'simulator',
      start: simulate,
      stop: async () => {
        await simulation?.stop();
        simulation = undefined;
      },
    });
  } else if (config.simulator.enabled) {
    await simulate();
  }
  await server.init();
  const port = await server.listen(config.port, config.host);
  logger.info({ port }, 'listening');
  if (config.sso) {
    // Secrets stay out of the log; the redirect URL is what an admin registers at the provider.
    const { issuer, clientId, redirectUrl, roleClaim, allowPassword } = config.sso;
    logger.info({ issuer, clientId, redirectUrl: redirectUrl ?? 'from each request (scheme and Host)', roleClaim: roleClaim ?? null, passwordSignIn: allowPassword ? 'everyone' : 'admins only' }, 'single sign-on (OpenID Connect) is on');
  }
  process.stdout.write(`\nFrontline is running: http://localhost:${port}\n\n`);
  const setupCode = await server.setup.prepare();
  if (setupCode) {
    process.stdout.write(
      `First run: no account exists yet. Open http://localhost:${port}/ and create the first admin with the one-time setup code\n\n    ${setupCode}\n\n` +
        `(or: npm run user -- create --username NAME --name "Full Name" --role admin)\n\n`,
    );
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    void (async () => {
      await simulation?.stop();
      await server.close();
      await store.close();
      process.exit(0);
    })();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`Frontline failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
