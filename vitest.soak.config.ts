import { defineConfig } from 'vitest/config';

/**
 * `npm run soak`: the soak test at length (JOBFAKE_SOAK_SECONDS, default 60; JOBFAKE_SOAK_WORKERS,
 * default 32), in a forked worker with --expose-gc so that it can measure the heap. Traffic goes
 * to 127.0.0.1 only, and the run ends by itself.
 */
export default defineConfig({
  test: {
    include: ['test/robustness/soak.test.ts'],
    pool: 'forks',
    execArgv: ['--expose-gc'],
    env: { JOBFAKE_SOAK: 'long' },
    testTimeout: 60 * 60_000,
    hookTimeout: 60_000,
  },
});
