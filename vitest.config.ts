import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 15_000,
    hookTimeout: 20_000,
    // Vitest's default is one worker per core less one: a single one on a 2-core machine. Most
    // files wait on child processes, sockets and timers more than they compute: one worker more
    // than the cores overlaps them (more made tests with short timeouts miss them under load).
    maxWorkers: availableParallelism() + 1,
    // Each file starts its own fakes on fresh ports and namespaces, and none mocks a module or a
    // global: files share a worker's modules instead of importing src/ again each (most of the
    // suite's time went into those imports).
    isolate: false,
  },
});
