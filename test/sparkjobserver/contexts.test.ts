import { describe, expect, it } from 'vitest';
import { call, useFake } from '../helpers/fake.js';
import { freshNamespace, jar, postJob, upload } from '../helpers/spark.js';

const WORDS = 'spark.jobserver.WordCountExample';

describe('Spark Jobserver contexts', () => {
  const ctx = useFake({ limits: { sparkContexts: 3, bodyBytes: 1024 } });

  function world() {
    const ns = freshNamespace();
    const w = ctx.fake.namespace(ns);
    w.clock.pause();
    return { base: `${ctx.url}/ns/${ns}`, world: w };
  }
  const create = (base: string, name: string, query = '', body = '') => call(`${base}/contexts/${encodeURIComponent(name)}${query}`, { method: 'POST', body });

  it('lives through create, list, get, run a job, and delete', async () => {
    const { base } = world();
    expect((await call(`${base}/contexts`)).body).toEqual([]);

    const created = await create(base, 'etl', '?num-cpu-cores=2&memory-per-node=512m');
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ status: 'SUCCESS', result: 'Context initialized' });
    expect((await call(`${base}/contexts`)).body).toEqual(['etl']);
    expect((await call(`${base}/contexts/etl`)).body).toEqual({ name: 'etl', applicationId: expect.stringMatching(/^local-\d+$/), url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });

    await upload(base, 'test', jar());
    const job = (await postJob(base, `appName=test&classPath=${WORDS}&context=etl`, 'input.string = a')).body;
    expect(job.context).toBe('etl');

    const stopped = await call(`${base}/contexts/etl`, { method: 'DELETE' });
    expect(stopped.status).toBe(200);
    expect(stopped.body).toEqual({ status: 'SUCCESS', result: 'Context stopped' });
    expect((await call(`${base}/contexts`)).body).toEqual([]);
    expect((await call(`${base}/jobs/${job.jobId}`)).body).toMatchObject({
      status: 'ERROR',
      result: { message: 'Unexpected termination of context etl', errorClass: 'spark.jobserver.JobManagerActor$ContextTerminatedException' },
    });
  });

  it('refuses a name that does not start with a letter', async () => {
    const res = await create(world().base, '1st');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ status: 'ERROR', result: 'context name must start with letters' });
  });

  it('takes a name starting with any letter, not only ASCII', async () => {
    expect((await create(world().base, 'été')).status).toBe(200);
  });

  it('refuses a name already in use', async () => {
    const { base } = world();
    await create(base, 'etl');
    const res = await create(base, 'etl');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ status: 'ERROR', result: 'context etl exists' });
  });

  it('refuses a config that is not HOCON with 400', async () => {
    const res = await create(world().base, 'etl', '', 'spark.context-settings { ');
    expect(res.status).toBe(400);
    expect(res.body.result).toMatch(/^Cannot parse config: String: 1: /);
  });

  it('refuses a config over the body limit with 413', async () => {
    const res = await create(world().base, 'etl', '', `a = "${'x'.repeat(2000)}"`);
    expect(res.status).toBe(413);
  });

  it('refuses a context over the namespace limit with 503', async () => {
    const { base } = world();
    for (const name of ['a', 'b', 'c']) expect((await create(base, name)).status).toBe(200);
    const res = await create(base, 'd');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'ERROR', result: 'jobfake: too many contexts in this namespace (limit 3)' });
  });

  it('makes a Python context from its context-factory, which runs Python jobs only', async () => {
    const { base, world: w } = world();
    await create(base, 'py', '?context-factory=spark.jobserver.python.PythonSessionContextFactory');
    expect(w.spark.contexts().find((c) => c.name === 'py')?.python).toBe(true);
    await upload(base, 'egg', jar('jobs/words.py'), 'application/python-archive');
    expect((await postJob(base, 'cp=egg&mainClass=jobs.words.WordCount&context=py')).status).toBe(202);
  });

  it('answers 404 for an unknown context on get and delete', async () => {
    const { base } = world();
    const got = await call(`${base}/contexts/ghost`);
    expect(got.status).toBe(404);
    expect(got.body).toEqual({ status: 'ERROR', result: "can't find context with name ghost" });
    const deleted = await call(`${base}/contexts/ghost`, { method: 'DELETE' });
    expect(deleted.status).toBe(404);
    expect(deleted.body).toEqual({ status: 'ERROR', result: 'context ghost not found' });
  });

  it('answers 202 with Location while a stop is in progress, then the context is gone', async () => {
    const { base, world: w } = world();
    w.spark.setSchedule({ contextStop: 2000 });
    await create(base, 'slow');
    const res = await call(`${base}/contexts/slow?force=true`, { method: 'DELETE' });
    expect(res.status).toBe(202);
    expect(res.text).toBe('');
    expect(res.headers.get('location')).toBe(`${base}/contexts/slow?force=true`);
    expect((await call(`${base}/contexts/slow`, { method: 'DELETE' })).status).toBe(202);
    w.clock.advance(2000);
    expect((await call(`${base}/contexts`)).body).toEqual([]);
    expect((await call(`${base}/contexts/slow`, { method: 'DELETE' })).status).toBe(404);
  });

  it('answers a force that is not a boolean with spray\'s text 400', async () => {
    const { base } = world();
    await create(base, 'etl');
    const res = await call(`${base}/contexts/etl?force=sure`, { method: 'DELETE' });
    expect(res.status).toBe(400);
    expect(res.text).toBe("The query parameter 'force' was malformed:\n'sure' is not a valid Boolean value");
  });

  it('shows an ad-hoc context while its job runs, and stopping it ends the job', async () => {
    const { base } = world();
    await upload(base, 'test', jar());
    const job = (await postJob(base, `appName=test&classPath=${WORDS}`, 'input.string = a')).body;
    expect((await call(`${base}/contexts/${job.context}`)).body.name).toBe(job.context);
    expect((await call(`${base}/contexts/${job.context}`, { method: 'DELETE' })).status).toBe(200);
    expect((await call(`${base}/jobs/${job.jobId}`)).body.status).toBe('ERROR');
  });
});
