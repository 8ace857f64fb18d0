import { describe, expect, it } from 'vitest';
import { call, useFake } from '../helpers/fake.js';
import { freshNamespace, jar, postJob, upload } from '../helpers/spark.js';

const WORDS = 'spark.jobserver.WordCountExample';
const json = (method: string, body?: unknown) => ({ method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

describe('driving Spark Jobserver jobs from a test', () => {
  const ctx = useFake();

  async function submitted(ns: ReturnType<typeof ctx.fake.namespace>) {
    ns.clock.pause();
    await upload(ns.url, 'test', jar());
    const res = await postJob(ns.url, `appName=test&classPath=${WORDS}`, 'input.string = a b c a b see');
    expect(res.status).toBe(202);
    return res.body.jobId as string;
  }

  it('makes a job fail with a message; the client reads it as the real server reports an error', async () => {
    const ns = ctx.fake.namespace(freshNamespace());
    const jobId = await submitted(ns);
    const failed = ns.spark.failJob(jobId, 'Table not found: events', 'org.apache.spark.sql.AnalysisException');
    expect(failed).toMatchObject({ status: 'ERROR', error: { message: 'Table not found: events', errorClass: 'org.apache.spark.sql.AnalysisException' } });
    const report = await call(`${ns.url}/jobs/${jobId}`);
    expect(report.body).toMatchObject({ status: 'ERROR', result: { message: 'Table not found: events' } });
    expect(ns.spark.job(jobId).history.map((h) => h.status)).toEqual(['STARTED', 'RUNNING', 'ERROR']);
  });

  it('advances a job to FINISHED with its real result, and refuses to move an ended job', async () => {
    const ns = ctx.fake.namespace(freshNamespace());
    const jobId = await submitted(ns);
    expect(ns.spark.advanceJob(jobId, 'FINISHED')).toMatchObject({ status: 'FINISHED', result: { a: 2, b: 2, c: 1, see: 1 }, config: { input: { string: 'a b c a b see' } } });
    expect(() => ns.spark.advanceJob(jobId)).toThrow(/./);
    expect(() => ns.spark.job('nope')).toThrow(/no job nope/);
  });

  it('declares a class and a per-class schedule at run time', async () => {
    const ns = ctx.fake.namespace(freshNamespace());
    ns.clock.pause();
    ns.spark.addClass({ name: 'com.example.Report', result: '{{input.month}} done' });
    ns.spark.setSchedule({ running: 5000 }, 'com.example.Report');
    await upload(ns.url, 'reports', jar('com/example/Report.class'));
    const { body } = await postJob(ns.url, 'appName=reports&classPath=com.example.Report', 'input.month = march');
    ns.clock.advance(4999);
    expect(ns.spark.job(body.jobId).status).toBe('RUNNING');
    ns.clock.advance(1);
    expect((await call(`${ns.url}/jobs/${body.jobId}`)).body).toMatchObject({ status: 'FINISHED', result: 'march done' });
  });
});

describe('the Spark control API over HTTP', () => {
  const ctx = useFake();

  it('lists, reads, advances and fails jobs; lists binaries and contexts', async () => {
    const name = freshNamespace();
    const api = `${ctx.url}/ns/${name}`;
    const base = `${api}/__jobfake`;
    ctx.fake.namespace(name).clock.pause();
    await upload(api, 'test', jar());
    const first = (await postJob(api, `appName=test&classPath=${WORDS}`, 'input.string = x y x')).body.jobId;
    const second = (await postJob(api, `appName=test&classPath=${WORDS}`, 'input.string = z')).body.jobId;
    expect((await call(`${base}/spark/jobs`)).body.jobs.map((j: { jobId: string }) => j.jobId)).toEqual([first, second]);
    expect((await call(`${base}/spark/jobs/${first}`)).body).toMatchObject({ status: 'RUNNING', sync: false, result: null, error: null, endTime: null });
    const done = await call(`${base}/spark/jobs/${first}/advance`, json('POST', {}));
    expect(done.body).toMatchObject({ status: 'FINISHED', result: { x: 2, y: 1 } });
    expect((await call(`${base}/spark/jobs/${first}/advance`, json('POST', {}))).status).toBe(409);
    const failed = await call(`${base}/spark/jobs/${second}/fail`, json('POST', { message: 'OOM' }));
    expect(failed.body).toMatchObject({ status: 'ERROR', error: { message: 'OOM' } });
    expect((await call(`${base}/spark/jobs/${second}/fail`, json('POST', { message: 'again' }))).status).toBe(409);
    expect((await call(`${base}/spark/jobs/nope`)).status).toBe(404);
    expect((await call(`${base}/spark/jobs/nope/advance`, json('POST', {}))).status).toBe(404);
    expect((await call(`${base}/spark/jobs/nope/fail`, json('POST', { message: 'x' }))).status).toBe(404);
    expect((await call(`${base}/spark/jobs/${first}/advance`, json('POST', { to: 'DONE' }))).status).toBe(400);
    expect((await call(`${base}/spark/jobs/${first}/fail`, json('POST', {}))).status).toBe(400);
    expect((await call(`${base}/spark/binaries`)).body.binaries).toEqual([expect.objectContaining({ name: 'test', type: 'Jar' })]);
    expect((await call(`${base}/spark/contexts`)).body.contexts).toEqual([]);
  });

  it('sets schedules and declares classes, validating the bodies', async () => {
    const name = freshNamespace();
    const api = `${ctx.url}/ns/${name}`;
    const base = `${api}/__jobfake`;
    ctx.fake.namespace(name).clock.pause();
    expect((await call(`${base}/spark/schedule`, json('PUT', { started: 0, running: 10 }))).status).toBe(204);
    expect((await call(`${base}/spark/schedule`, json('PUT', { running: 'slow' }))).status).toBe(400);
    const declared = await call(`${base}/spark/classes`, json('POST', { name: 'com.example.Fails', error: 'boom' }));
    expect(declared).toMatchObject({ status: 201, body: { name: 'com.example.Fails' } });
    expect((await call(`${base}/spark/classes`, json('POST', { result: 1 }))).body.error).toMatch(/name is required/);
    await upload(api, 'b', jar('com/example/Fails.class'));
    const { body } = await postJob(api, 'appName=b&classPath=com.example.Fails');
    await call(`${base}/clock`, json('POST', { advance: 10 }));
    expect((await call(`${api}/jobs/${body.jobId}`)).body).toMatchObject({ status: 'ERROR', result: { message: 'boom' } });
  });
});
