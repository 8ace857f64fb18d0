import { describe, expect, it, vi } from 'vitest';
import { call, useFake } from '../helpers/fake.js';
import type { FakeNamespace } from '../../src/index.js';
import { freshNamespace, jar, postJob, upload, worldWithJar } from '../helpers/spark.js';

const WORDS = 'spark.jobserver.WordCountExample';

describe('POST /jobs?sync=true', () => {
  const ctx = useFake({ fixtures: { sparkJobserver: { classes: [{ name: 'com.example.Fails', error: 'java.lang.IllegalStateException: no data', duration: 200 }] } } });

  async function world() {
    const { base, ns, world: internal } = await worldWithJar(ctx.fake);
    return { base, world: ns, internal };
  }

  /** Starts a sync request and waits until the fake holds its job, so the clock can move. */
  async function startSync(base: string, w: FakeNamespace, query: string, body: string) {
    const pending = postJob(base, query, body);
    await vi.waitFor(() => expect(w.spark.jobs().length).toBe(1), { interval: 2 });
    // Wrapped: an async function returning the promise itself would wait for it.
    return { pending };
  }

  it('waits for the job and answers 200 with its result', async () => {
    const { base, world: w } = await world();
    const { pending } = await startSync(base, w, `appName=test&classPath=${WORDS}&sync=true`, 'input.string = a b c a b see');
    w.clock.advance(1000);
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ jobId: w.spark.jobs()[0]!.jobId, result: { a: 2, b: 2, c: 1, see: 1 } });
  });

  it('answers at once when the job takes no time', async () => {
    const { base, world: w } = await world();
    w.spark.setSchedule({ running: 0 });
    const res = await postJob(base, `appName=test&classPath=${WORDS}&sync=true`, 'input.string = x x');
    expect(res.body.result).toEqual({ x: 2 });
  });

  it('answers 200 with status ERROR and the exception when the job fails', async () => {
    const { base, world: w } = await world();
    const { pending } = await startSync(base, w, 'appName=test&classPath=com.example.Fails&sync=true', '');
    w.clock.advance(200);
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      jobId: expect.any(String),
      status: 'ERROR',
      result: { message: 'java.lang.IllegalStateException: no data', errorClass: 'java.lang.RuntimeException', stack: expect.any(String) },
    });
  });

  it('answers the AskTimeout 500 after timeout seconds of the world\'s clock, and the job goes on', async () => {
    const { base, world: w } = await world();
    w.spark.setSchedule({ running: 5000 });
    const { pending } = await startSync(base, w, `appName=test&classPath=${WORDS}&sync=true&timeout=3`, 'input.string = late');
    w.clock.advance(2999);
    let settled = false;
    void pending.then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(settled).toBe(false);
    w.clock.advance(1);
    const res = await pending;
    expect(res.status).toBe(500);
    expect(res.body.status).toBe('ERROR');
    expect(res.body.result.errorClass).toBe('akka.pattern.AskTimeoutException');
    expect(res.body.result.message).toMatch(/^Ask timed out on \[Actor\[akka:\/\/JobServer\/user\/jobManager-[0-9a-f]{8}#-?\d+\]\] after \[3000 ms\]\. Sender\[null\] sent message of type "spark\.jobserver\.JobManagerActor\$StartJob"\.$/);

    const [job] = (await call(`${base}/jobs`)).body;
    expect(job.status).toBe('RUNNING');
    w.clock.advance(2000);
    expect((await call(`${base}/jobs/${job.jobId}`)).body).toMatchObject({ status: 'FINISHED', result: { late: 1 } });
  });

  it('waits 10 seconds by default', async () => {
    const { base, world: w } = await world();
    w.spark.setSchedule({ running: 60_000 });
    const { pending } = await startSync(base, w, `appName=test&classPath=${WORDS}&sync=true`, 'input.string = x');
    w.clock.advance(10_000);
    expect((await pending).body.result.message).toMatch(/after \[10000 ms\]/);
  });

  it('does not keep the config of a sync job', async () => {
    const { base, world: w } = await world();
    w.spark.setSchedule({ running: 0 });
    const { jobId } = (await postJob(base, `appName=test&classPath=${WORDS}&sync=true`, 'input.string = x')).body;
    const res = await call(`${base}/jobs/${jobId}/config`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ status: 'ERROR', result: `No such job ID ${jobId}` });
  });

  it('forgets a waiting request whose client went away', async () => {
    const { base, world: w, internal } = await world();
    w.spark.setSchedule({ running: 60_000 });
    const aborter = new AbortController();
    const pending = fetch(`${base}/jobs?appName=test&classPath=${WORDS}&sync=true&timeout=100000`, { method: 'POST', body: 'input.string = x', signal: aborter.signal });
    await vi.waitFor(() => expect(internal.clock.scheduledCount).toBe(2), { interval: 2 });
    aborter.abort();
    await expect(pending).rejects.toThrow();
    // Only the job's own timer is left: the 100000 s wait is gone.
    await vi.waitFor(() => expect(internal.clock.scheduledCount).toBe(1), { interval: 2 });
  });

  it("answers a waiting request, when the namespace is reset, as the real server does when the job's context dies", async () => {
    const ns = freshNamespace();
    const base = `${ctx.url}/ns/${ns}`;
    const w = ctx.fake.namespace(ns);
    w.clock.pause();
    await upload(base, 'test', jar());
    const { pending } = await startSync(base, w, `appName=test&classPath=${WORDS}&sync=true`, 'input.string = x');
    const [job] = w.spark.jobs();
    ctx.fake.reset(ns);
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      jobId: job!.jobId,
      status: 'ERROR',
      result: {
        message: `Unexpected termination of context ${job!.context}`,
        errorClass: 'spark.jobserver.JobManagerActor$ContextTerminatedException',
        stack: expect.stringContaining('Unexpected termination of context'),
      },
    });
  });
});
