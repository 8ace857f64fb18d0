// The loose ends of a namespace's state: bounded faults, a delay that ends with its client, a reset
// that brings the clock back, and an evicted namespace's waiting requests answered as the real
// APIs would answer them.
import { describe, expect, it, vi } from 'vitest';
import { StateError } from '../../src/index.js';
import { call, freshNamespace, useFake } from '../helpers/fake.js';
import { api, login, runToDone } from '../helpers/scalingo.js';
import { jar, upload } from '../helpers/spark.js';

const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('faults, delays and resets', () => {
  const ctx = useFake({ limits: { faults: 3 } });

  it('holds at most `faults` faults per namespace: the next one is refused with 409 until some are cleared', async () => {
    const ns = ctx.fake.namespace(freshNamespace());
    const fault = { match: { path: '/healthz' }, action: { type: 'delay', ms: 1 } };
    for (let i = 0; i < 3; i++) expect((await call(`${ns.url}/__jobfake/faults`, json(fault))).status).toBe(201);
    const refused = await call(`${ns.url}/__jobfake/faults`, json(fault));
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({ error: 'too many faults in this namespace (limit 3): clear some first' });
    expect(() => ns.faults.add(fault as never)).toThrow(StateError);
    expect(ns.faults.list()).toHaveLength(3);
    // Another namespace has its own three.
    expect((await call(`${ctx.url}/ns/${freshNamespace()}/__jobfake/faults`, json(fault))).status).toBe(201);
    ns.faults.clear();
    expect((await call(`${ns.url}/__jobfake/faults`, json(fault))).status).toBe(201);
  });

  it('ends a delay fault when its client leaves: the request never reaches its route', async () => {
    const ns = ctx.fake.namespace(freshNamespace());
    const token = await login(ns.url);
    ns.faults.add({ match: { method: 'POST', path: '/v1/apps/*/run' }, action: { type: 'delay', ms: 1500 }, times: 1 });
    const aborter = new AbortController();
    const pending = fetch(`${ns.url}/v1/apps/my-app/run`, { ...json({ command: 'bash' }), headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, signal: aborter.signal });
    setTimeout(() => aborter.abort(), 100);
    await expect(pending).rejects.toThrow();
    // The journal has it at once (not when the 1.5 s are up), as a request its client closed.
    await vi.waitFor(() => expect(ns.journal({ path: '/v1/apps/my-app/run' }).map((e) => e.status)).toEqual([499]), { timeout: 1000, interval: 10 });
    await new Promise((resolve) => setTimeout(resolve, 1700));
    expect(ns.scalingo.containers()).toEqual([]);
  });

  it('brings the clock back to the wall clock, running, on a namespace reset', async () => {
    const ns = ctx.fake.namespace(freshNamespace());
    ns.clock.pause();
    ns.clock.advance(24 * 3600 * 1000);
    expect(Date.parse(ns.clock.get().now) - Date.now()).toBeGreaterThan(23 * 3600 * 1000);
    ns.reset();
    const { now, paused } = ns.clock.get();
    expect(paused).toBe(false);
    expect(Math.abs(Date.parse(now) - Date.now())).toBeLessThan(5_000);
  });
});

describe('an evicted namespace', () => {
  // The default namespace and two others: a fourth evicts the least recently used.
  const ctx = useFake({ limits: { namespaces: 3 } });

  it("answers its pending /wait as a container the platform killed (137), and its sync job as a context that died", async () => {
    const name = freshNamespace('evicted');
    const ns = ctx.fake.namespace(name);
    const { attachUrl } = await runToDone(ctx.fake, ns.url, name);
    ns.clock.pause();
    await upload(ns.url, 'test', jar());
    const wait = call(`${attachUrl}/wait`);
    const sync = call(`${ns.url}/jobs?appName=test&classPath=spark.jobserver.WordCountExample&sync=true`, { method: 'POST', body: 'input.string = a' });
    await vi.waitFor(() => expect(ns.spark.jobs()).toHaveLength(1), { interval: 5 });
    const [job] = ns.spark.jobs();

    // Two newer namespaces: the oldest one goes.
    await call(`${ctx.url}/ns/${freshNamespace()}/healthz`);
    await call(`${ctx.url}/ns/${freshNamespace()}/healthz`);

    expect(await wait).toMatchObject({ status: 200, body: { exit_code: 137 } });
    const answered = await sync;
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({
      jobId: job!.jobId,
      status: 'ERROR',
      result: { message: `Unexpected termination of context ${job!.context}`, errorClass: 'spark.jobserver.JobManagerActor$ContextTerminatedException' },
    });
    expect(ctx.fake.liveCounts()).toMatchObject({ waiters: 0 });
    // The namespace comes back empty on its next use.
    expect((await api(ns.url, await login(ns.url)).get('/v1/apps/my-app/ps')).body.containers).toEqual([]);
  });
});
