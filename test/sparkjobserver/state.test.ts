import { describe, expect, it } from 'vitest';
import { StateError } from '../../src/host.js';
import { call, useFake } from '../helpers/fake.js';
import { postJob, worldWithJar } from '../helpers/spark.js';

const WORDS = 'spark.jobserver.WordCountExample';

/** The state a control API will expose: world.spark. */
describe('the Spark Jobserver state of a world', () => {
  const ctx = useFake({ limits: { finishedKept: 3 } });

  async function world() {
    const { base, world: w } = await worldWithJar(ctx.fake);
    const start = async (words = 'a') => (await postJob(base, `appName=test&classPath=${WORDS}`, `input.string = ${words}`)).body.jobId as string;
    return { base, w, start };
  }

  it('keeps each job\'s config, result and the states it went through, with when', async () => {
    const { w, start } = await world();
    w.spark.setSchedule({ started: 100, running: 200 });
    const t0 = w.clock.now();
    const id = await start('x y x');
    w.clock.advance(300);
    const job = w.spark.jobs.get(id)!;
    expect(job.config).toEqual({ input: { string: 'x y x' } });
    expect(job.result).toEqual({ x: 2, y: 1 });
    expect(job.history).toEqual([
      { status: 'STARTED', at: t0 },
      { status: 'RUNNING', at: t0 + 100 },
      { status: 'FINISHED', at: t0 + 300 },
    ]);
  });

  it('advances a job to its next state, or straight to a given one', async () => {
    const { base, w, start } = await world();
    w.spark.setSchedule({ started: 60_000 });
    const id = await start();
    expect((await call(`${base}/jobs/${id}`)).body.status).toBe('STARTED');
    w.spark.advanceJob(id);
    expect((await call(`${base}/jobs/${id}`)).body.status).toBe('RUNNING');
    w.spark.advanceJob(id);
    expect((await call(`${base}/jobs/${id}`)).body).toMatchObject({ status: 'FINISHED', result: { a: 1 } });

    const other = await start();
    w.spark.advanceJob(other, 'KILLED');
    expect((await call(`${base}/jobs/${other}`)).body.status).toBe('KILLED');
    expect(() => w.spark.advanceJob(other)).toThrow(StateError);
    expect(() => w.spark.advanceJob('nope')).toThrow(/no job nope/);
  });

  it('makes a job fail with a message', async () => {
    const { base, w, start } = await world();
    const id = await start();
    w.spark.failJob(id, 'Executor lost', 'org.apache.spark.SparkException');
    expect((await call(`${base}/jobs/${id}`)).body).toMatchObject({ status: 'ERROR', result: { message: 'Executor lost', errorClass: 'org.apache.spark.SparkException' } });
  });

  it('sets the schedule of one class only', async () => {
    const { w, start } = await world();
    w.spark.setSchedule({ running: 50 }, WORDS);
    const id = await start();
    w.clock.advance(50);
    expect(w.spark.jobs.get(id)!.status).toBe('FINISHED');
  });

  it('takes classes declared at run time', async () => {
    const { base, w } = await world();
    w.spark.addClass({ name: 'com.example.Late', result: 'ok', duration: 0 });
    const id = (await postJob(base, 'cp=test&mainClass=com.example.Late')).body.jobId;
    expect((await call(`${base}/jobs/${id}`)).body).toMatchObject({ status: 'FINISHED', result: 'ok' });
  });

  it('keeps at most finishedKept ended jobs, dropping the oldest', async () => {
    const { base, w, start } = await world();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await start());
    w.clock.advance(1000);
    expect([...w.spark.jobs.keys()]).toEqual(ids.slice(2));
    expect((await call(`${base}/jobs/${ids[0]}`)).status).toBe(404);
  });

  it('cancels every timer it set when disposed, and reset starts afresh', async () => {
    const { base, w, start } = await world();
    w.spark.setSchedule({ contextStop: 1000 });
    const job = await start();
    await start();
    await call(`${base}/contexts/${w.spark.jobs.get(job)!.context}`, { method: 'DELETE' });
    expect(w.clock.scheduledCount).toBeGreaterThan(0);
    w.spark.dispose();
    expect(w.clock.scheduledCount).toBe(0);
    w.reset();
    expect(w.spark.jobs.size).toBe(0);
  });
});
