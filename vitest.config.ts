import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['src/**/*.test.{ts,tsx}'], testTimeout: 20_000 },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.{ts,tsx}'],
          exclude: ['test/bench/**'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Browser and kill -9 tests start real servers; keep them from starving each other on 2 cores.
          fileParallelism: false,
        },
      },
    ],
  },
});
