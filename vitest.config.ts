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
          // Tests that run the real CLI need dist/ built from this source: built once, here.
          globalSetup: ['test/setup/build-dist.ts'],
          exclude: ['test/bench/**', 'test/system/**'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Browser and kill -9 tests start real servers; keep them from starving each other on 2 cores.
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          // The booted box (test/system): debootstrap, systemd-nspawn, Chromium over a veth. Alone, after
          // the other projects (groupOrder), so its boots do not compete with the timing-sensitive tests.
          name: 'system',
          include: ['test/system/**/*.test.ts'],
          // Builds dist/, the Debian root and both installers, side by side, once for both files.
          globalSetup: ['test/system/prepare.ts'],
          testTimeout: 300_000,
          hookTimeout: 40 * 60_000,
          // The box and the arm64 installer under qemu side by side: the box's tests mostly wait (boots,
          // installs, the browser), the emulated Node keeps one core busy.
          fileParallelism: true,
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
