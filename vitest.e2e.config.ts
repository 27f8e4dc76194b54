import { defineConfig } from 'vitest/config';

/**
 * Browser tests: the real server in a child process, driven by Debian's Chromium through
 * playwright-core. One file at a time (each starts its own server and browser), generous limits.
 */
export default defineConfig({
  test: {
    name: 'e2e',
    include: ['tests/e2e/**/*.test.ts'],
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
