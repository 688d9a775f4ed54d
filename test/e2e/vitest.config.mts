// The e2e suite: real code-server + Debian Chromium, one file at a time (each starts its own
// code-server), with a closing "N passed, N failed" line for CI.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/e2e/**/*.e2e.ts'],
    globalSetup: ['./test/e2e/harness/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 420_000,
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    reporters: ['default', './test/e2e/harness/summary-reporter.ts'],
  },
});
