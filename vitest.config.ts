import { availableParallelism } from 'node:os';
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
    // At least two test files at once, even on two cores (vitest's default is one fewer than the
    // cores): integration tests spend most of their time waiting on their child processes and
    // services, and one at a time left a core idle (the suite took 15 min on two cores, 9 with
    // two). Every test must pass on a loaded machine anyway.
    maxWorkers: Math.max(2, availableParallelism() - 1),
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
