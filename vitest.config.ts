import { defineConfig } from 'vitest/config';

// Three tiers: unit (pure domain code), integration (real SQLite and PostgreSQL, real server on loopback),
// e2e (headless Chromium against a running server). `npm test` runs all three.
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
