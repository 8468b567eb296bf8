import { defineConfig } from 'vitest/config';

/**
 * Two tiers: `unit` (no child processes, no servers beyond in-process loopback; `npm run
 * test:unit`, under a minute) and `integration` (real processes, services, clusters; `npm run
 * test:integration`). `npm test` runs the lint and both.
 */
export default defineConfig({
  test: {
    // Integration tests start real child processes and servers; forks keep them isolated.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/integration/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
        },
      },
    ],
  },
});
