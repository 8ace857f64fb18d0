import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFake, type Fake } from '../../src/index.js';
import { soak, soakFixtures } from '../helpers/soak.js';

/**
 * A bounded soak on loopback: concurrent runs, polls, uploads, attaches and Spark jobs, then
 * every live count back to zero. `npm test` runs a short one; `npm run soak` a long one
 * (JOBFAKE_SOAK_SECONDS, default 60; JOBFAKE_SOAK_WORKERS, default 32), which also measures the
 * heap with global.gc (vitest.soak.config.ts passes --expose-gc).
 */
const long = process.env['JOBFAKE_SOAK'] === 'long';
const seconds = Number(process.env['JOBFAKE_SOAK_SECONDS'] ?? 60);
const options = long
  ? { workers: Number(process.env['JOBFAKE_SOAK_WORKERS'] ?? 32), durationMs: seconds * 1000, maxIterations: 100_000 }
  : { workers: 8, durationMs: 1200, maxIterations: 40 };

const gc = (globalThis as { gc?: () => void }).gc;
const heapMiB = () => {
  gc?.();
  gc?.();
  return Math.round((process.memoryUsage().heapUsed / 1024 / 1024) * 10) / 10;
};

describe(`soak (${long ? `${options.durationMs / 1000} s, ${options.workers} workers` : 'short'})`, () => {
  let fake: Fake;
  let heapAtStart = 0;
  beforeAll(async () => {
    // Small kept-state limits, so what is retained saturates early and growth would show.
    fake = await startFake({ port: 0, fixtures: soakFixtures, limits: { finishedKept: 50, journalEntries: 200, attachCloseGraceMs: 0 } });
    if (long) {
      // A warm-up first: what loads on first use (fetch's client, compiled code) is not growth.
      await soak(fake, { workers: options.workers, durationMs: 2000, maxIterations: 100 });
      fake.reset();
      heapAtStart = heapMiB();
    }
  });
  afterAll(() => fake?.close());

  it('serves concurrent clients without an error, then holds no socket, session, timer or waiter', async () => {
    const report = await soak(fake, options);
    if (long || process.env['JOBFAKE_SOAK_DEBUG']) console.log(`soak: ${JSON.stringify({ ...report, errors: report.errors.length })}`);
    expect(report.errors.slice(0, 10)).toEqual([]);
    expect(report.attaches).toBeGreaterThan(0);
    expect(report.jobs).toBeGreaterThan(0);
    expect(report.uploads).toBeGreaterThan(0);
    await vi.waitFor(
      () => {
        fake.server.closeIdleConnections();
        expect(fake.liveCounts()).toEqual({ sockets: 0, attachSessions: 0, timers: 0, waiters: 0 });
      },
      { timeout: 5000, interval: 20 },
    );
    // What is kept is bounded by finishedKept: ended containers and jobs beyond it are gone.
    for (const name of ['default', 'soak-0', 'soak-1', 'soak-2', 'soak-3']) {
      const world = fake.namespace(name);
      expect(world.scalingo.containers().length).toBeLessThanOrEqual(50);
      expect(world.spark.jobs().length).toBeLessThanOrEqual(50);
      expect(world.journal().length).toBeLessThanOrEqual(200);
    }
  });

  it.runIf(long && gc !== undefined)('returns near its starting heap once reset', () => {
    const loaded = heapMiB();
    fake.reset();
    const after = heapMiB();
    console.log(`soak heap: ${heapAtStart} MiB after a warm-up, ${loaded} MiB after the load (state bounded by the limits), ${after} MiB after a reset`);
    expect(after - heapAtStart).toBeLessThan(8);
  });
});
