import { describe, expect, it } from 'vitest';
import { call, useFake } from '../helpers/fake.js';
import { freshNamespace, jar, postJob, upload } from '../helpers/spark.js';
import { worldOf } from '../helpers/internals.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('Spark Jobserver jobs', () => {
  const ctx = useFake({
    fixtures: {
      sparkJobserver: {
        utcOffset: '+05:30',
        classes: [{ name: 'some.main.Class', result: { echoed: '{{input.string}}' } }],
      },
    },
  });
  /** A fresh namespace with its clock paused: nothing moves until the test says so. */
  function world() {
    const ns = freshNamespace();
    const w = ctx.fake.namespace(ns);
    w.clock.pause();
    return { base: `${ctx.url}/ns/${ns}`, clock: w.clock, world: w, internal: worldOf(ctx.fake, ns) };
  }

  describe("the seed's examples, verbatim", () => {
    it('uploads test, posts a WordCountExample job, and polls it to FINISHED with the word counts', async () => {
      const { base, clock } = world();
      const uploaded = await call(`${base}/binaries/test`, { method: 'POST', headers: { 'Content-Type': 'application/java-archive' }, body: jar() });
      expect(uploaded.text).toBe('OK');

      const started = await call(`${base}/jobs?appName=test&classPath=spark.jobserver.WordCountExample`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'input.string = a b c a b see',
      });
      expect(started.status).toBe(202);
      expect(started.body).toEqual({
        duration: 'Job not done yet',
        classPath: 'spark.jobserver.WordCountExample',
        startTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+05:30$/),
        context: expect.stringMatching(/^[0-9a-f]{8}-spark\.jobserver\.WordCountExample$/),
        status: 'STARTED',
        jobId: expect.stringMatching(UUID),
      });

      const id = started.body.jobId;
      const running = await call(`${base}/jobs/${id}`);
      expect(running.body.status).toBe('RUNNING');
      expect(running.body.result).toBeUndefined();

      clock.advance(999);
      expect((await call(`${base}/jobs/${id}`)).body.status).toBe('RUNNING');
      clock.advance(1);
      const finished = await call(`${base}/jobs/${id}`);
      expect(finished.body).toMatchObject({ status: 'FINISHED', duration: '1.0 secs', result: { a: 2, b: 2, c: 1, see: 1 } });
    });

    it('posts with cp and mainClass: a binary name and an http URI that is never fetched', async () => {
      const { base } = world();
      await upload(base, 'binName', jar());
      const res = await call(`${base}/jobs?cp=binName,http://path/to/jar&mainClass=some.main.Class`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'input.string = a b c a b see',
      });
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ duration: 'Job not done yet', classPath: 'some.main.Class', status: 'STARTED', context: expect.stringMatching(/^[0-9a-f]{8}-some\.main\.Class$/) });
    });
  });

  describe('the lifecycle', () => {
    it('ends in ERROR when the job fails, with the exception in the report', async () => {
      const { base, world: w } = world();
      await upload(base, 'test', jar());
      const id = (await postJob(base, 'appName=test&classPath=spark.jobserver.WordCountExample', 'input.string = x')).body.jobId;
      w.spark.failJob(id, 'java.io.IOException: disk full');
      const res = await call(`${base}/jobs/${id}`);
      expect(res.body).toMatchObject({ status: 'ERROR', duration: '0.0 secs', result: { message: 'java.io.IOException: disk full', errorClass: 'java.lang.RuntimeException', stack: expect.any(String) } });
    });

    it('ends the ad-hoc context with its job', async () => {
      const { base, clock } = world();
      await upload(base, 'test', jar());
      const job = (await postJob(base, 'appName=test&classPath=spark.jobserver.WordCountExample', 'input.string = x')).body;
      expect((await call(`${base}/contexts`)).body).toEqual([job.context]);
      clock.advance(1000);
      expect((await call(`${base}/contexts`)).body).toEqual([]);
    });
  });

  describe('GET /jobs', () => {
    it('lists jobs newest first, limited, filtered by status in any case', async () => {
      const { base, world: w } = world();
      await upload(base, 'test', jar());
      const ids: string[] = [];
      for (const word of ['one', 'two', 'three']) {
        ids.push((await postJob(base, 'appName=test&classPath=spark.jobserver.WordCountExample', `input.string = ${word}`)).body.jobId);
        w.clock.advance(10);
      }
      w.spark.advanceJob(ids[0]!);
      const all = await call(`${base}/jobs`);
      expect(all.body.map((j: { jobId: string }) => j.jobId)).toEqual([...ids].reverse());
      expect(all.body[2]).not.toHaveProperty('result');
      expect((await call(`${base}/jobs?limit=2`)).body).toHaveLength(2);
      expect((await call(`${base}/jobs?status=running`)).body.map((j: { jobId: string }) => j.jobId)).toEqual([ids[2], ids[1]]);
      expect((await call(`${base}/jobs?status=FINISHED`)).body.map((j: { jobId: string }) => j.jobId)).toEqual([ids[0]]);
    });

    it('answers a limit that is not a number with spray\'s text 400', async () => {
      const res = await call(`${world().base}/jobs?limit=ten`);
      expect(res.status).toBe(400);
      expect(res.text).toBe("The query parameter 'limit' was malformed:\n'ten' is not a valid 32-bit signed integer value");
    });
  });

  describe('GET /jobs/{id} and /jobs/{id}/config', () => {
    it('answers the posted config as JSON, and keeps the proxy user with the job', async () => {
      const { base, internal } = world();
      await upload(base, 'test', jar());
      const id = (await postJob(base, 'appName=test&classPath=spark.jobserver.WordCountExample&spark.proxy.user=alice', 'input.string = a b c a b see\nextra { n = 3 }')).body.jobId;
      const res = await call(`${base}/jobs/${id}/config`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ input: { string: 'a b c a b see' }, extra: { n: 3 } });
      // Typesafe Config's formatted rendering, keys sorted, as the real server writes it.
      expect(res.text).toBe('{\n    "extra" : {\n        "n" : 3\n    },\n    "input" : {\n        "string" : "a b c a b see"\n    }\n}\n');
      // The proxy user is not in the control API's job view: read the state itself.
      expect(internal.spark.jobs.get(id)?.proxyUser).toBe('alice');
    });

    it('answers 404 No such job ID for an unknown job', async () => {
      const { base } = world();
      for (const path of ['/jobs/nope', '/jobs/nope/config']) {
        const res = await call(`${base}${path}`);
        expect(res.status).toBe(404);
        expect(res.body).toEqual({ status: 'ERROR', result: 'No such job ID nope' });
      }
    });

    it('fills a declared class\'s templated result from the config', async () => {
      const { base, clock } = world();
      await upload(base, 'binName', jar());
      const id = (await postJob(base, 'cp=binName&mainClass=some.main.Class', 'input.string = hello there')).body.jobId;
      clock.advance(1000);
      expect((await call(`${base}/jobs/${id}`)).body.result).toEqual({ echoed: 'hello there' });
    });
  });

  describe('DELETE /jobs/{id}', () => {
    it('kills a running job: KILLED, with the exception in its report', async () => {
      const { base, clock } = world();
      await upload(base, 'test', jar());
      const id = (await postJob(base, 'appName=test&classPath=spark.jobserver.WordCountExample', 'input.string = x')).body.jobId;
      const res = await call(`${base}/jobs/${id}`, { method: 'DELETE' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'KILLED' });
      clock.advance(5000);
      const report = (await call(`${base}/jobs/${id}`)).body;
      expect(report).toMatchObject({ status: 'KILLED', result: { message: `Job ${id} killed`, errorClass: 'spark.jobserver.JobManagerActor$JobKilledException' } });
    });

    it('answers 404 No running job for a FINISHED or KILLED job', async () => {
      const { base, clock } = world();
      await upload(base, 'test', jar());
      const id = (await postJob(base, 'appName=test&classPath=spark.jobserver.WordCountExample', 'input.string = x')).body.jobId;
      clock.advance(1000);
      const res = await call(`${base}/jobs/${id}`, { method: 'DELETE' });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ status: 'ERROR', result: `No running job with ID ${id}` });
    });

    it('answers a failed job with its exception under the key ERROR', async () => {
      const { base, world: w } = world();
      await upload(base, 'test', jar());
      const id = (await postJob(base, 'appName=test&classPath=spark.jobserver.WordCountExample', 'input.string = x')).body.jobId;
      w.spark.failJob(id, 'boom');
      const res = await call(`${base}/jobs/${id}`, { method: 'DELETE' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ERROR', ERROR: { message: 'boom', errorClass: 'java.lang.RuntimeException', stack: expect.any(String) } });
    });

    it('answers 404 No such job ID for an unknown job', async () => {
      const res = await call(`${world().base}/jobs/nope`, { method: 'DELETE' });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ status: 'ERROR', result: 'No such job ID nope' });
    });
  });
});
