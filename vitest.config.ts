import { defineConfig } from 'vitest/config';

// Four tiers: unit (pure domain code), integration (real SQLite and PostgreSQL, real server on loopback), cluster
// (several node processes on PostgreSQL and Redis), e2e (headless Chromium against a running server). `npm test` runs all.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // Several real server processes on PostgreSQL and Redis (scale-out); one file at a time, they are heavy.
        test: {
          name: 'cluster',
          include: ['test/cluster/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          // A page on a loaded 2-core CI machine can take seconds to show what the API already has; polls wait for it
          // (a real failure still fails, just later).
          expect: { poll: { timeout: 15_000 } },
        },
      },
    ],
  },
});
