import { describe, expect, it } from 'vitest';
import { call, useFake } from '../helpers/fake.js';
import { jar, postJob, upload, worldWithJar } from '../helpers/spark.js';

const WORDS = 'spark.jobserver.WordCountExample';

describe('POST /jobs error answers', () => {
  const ctx = useFake({
    limits: { bodyBytes: 4096, sparkContexts: 5 },
    fixtures: {
      sparkJobserver: {
        maxJobsPerContext: 2,
        contexts: [{ name: 'shared' }, { name: 'py', factory: 'spark.jobserver.python.PythonSessionContextFactory' }],
        classes: [
          { name: 'needs.Config', requiredConfig: ['input.path'] },
          { name: 'only.InOther', binary: 'other' },
        ],
      },
    },
  });

  /** A fresh namespace (paused clock) with a jar `test` and an egg `egg`. */
  async function world() {
    const { base, ns: w } = await worldWithJar(ctx.fake);
    await upload(base, 'egg', jar('jobs/words.py'), 'application/python-archive');
    return { base, world: w };
  }

  const error = (result: string) => ({ status: 'ERROR', result });
  const exception = (status: string, message: string, errorClass: string) => ({ status, result: { message, errorClass, stack: expect.any(String) } });

  // [what, query, body, status, body answered]
  const table: [string, string, string, number, unknown][] = [
    ['neither appName nor cp', `classPath=${WORDS}`, '', 400, error('Cannot parse config: To start the job appName or cp parameters should be configured!')],
    ['appName without classPath', 'appName=test', '', 400, error('Cannot parse config: classPath parameter is missing!')],
    ['cp without mainClass', 'cp=test', '', 400, error('Cannot parse config: mainClass parameter is missing!')],
    ['a config that is not HOCON', `appName=test&classPath=${WORDS}`, 'input.string = {', 400, error("Cannot parse config: String: 1: expecting a close parentheses ')' here, not: end of file")],
    ['a bad config before missing parameters', '', 'a = [', 400, error('Cannot parse config: String: 1: List should have ] or a first element after the open [, instead had token: end of file (if you want end of file to be part of a string value, then double-quote it)')],
    ['an unknown binary', `appName=nope&classPath=${WORDS}`, '', 404, error('appName nope not found')],
    ['an unknown binary in cp, before an unknown context', `cp=test,nope&mainClass=${WORDS}&context=ghost`, '', 404, error('appName nope not found')],
    ['an unknown context', `appName=test&classPath=${WORDS}&context=ghost`, '', 404, error('context ghost not found')],
    ['an unknown class, with appName (the real server leaves the name out)', 'appName=test&classPath=com.example.Nope', '', 404, error('classPath  not found')],
    ['an unknown class, with mainClass', 'cp=test&mainClass=com.example.Nope', '', 404, error('classPath com.example.Nope not found')],
    ['a class declared for another binary', 'cp=test&mainClass=only.InOther', '', 404, error('classPath only.InOther not found')],
    ['a URI protocol Java does not know', `cp=test,xyz://host/a.jar&mainClass=${WORDS}`, '', 400, exception('JOB LOADING FAILED: Malformed URL', 'unknown protocol: xyz', 'java.net.MalformedURLException')],
    ['a Python job with two binaries', 'cp=egg,egg&mainClass=jobs.words.WordCount&context=py', '', 400, exception('JOB LOADING FAILED', 'Python should have exactly one egg file! Found: 2', 'java.lang.IllegalArgumentException')],
    ['a Python job in a JVM context', 'cp=egg&mainClass=jobs.words.WordCount&context=shared', '', 400, error('Invalid job type for this context')],
    ['a JVM job in a Python context', `cp=test&mainClass=${WORDS}&context=py`, '', 400, error('Invalid job type for this context')],
    ['WordCountExample without input.string', `appName=test&classPath=${WORDS}`, 'other = 1', 400, exception('VALIDATION FAILED', 'One(SparkJobInvalid(No input.string config param))', 'java.lang.Throwable')],
    ['a declared class missing its required config', 'cp=test&mainClass=needs.Config', '', 400, exception('VALIDATION FAILED', 'One(SparkJobInvalid(No input.path config param))', 'java.lang.Throwable')],
  ];
  for (const [what, query, body, status, answer] of table) {
    it(`answers ${status} for ${what}`, async () => {
      const { base } = await world();
      const res = await postJob(base, query, body);
      expect(res.status).toBe(status);
      expect(res.body).toEqual(answer);
    });
  }

  it('answers a sync or timeout that does not parse with spray\'s text 400', async () => {
    const { base } = await world();
    const sync = await postJob(base, `appName=test&classPath=${WORDS}&sync=maybe`);
    expect(sync.status).toBe(400);
    expect(sync.text).toBe("The query parameter 'sync' was malformed:\n'maybe' is not a valid Boolean value");
    const timeout = await postJob(base, `appName=test&classPath=${WORDS}&timeout=1.5`);
    expect(timeout.status).toBe(400);
    expect(timeout.text).toBe("The query parameter 'timeout' was malformed:\n'1.5' is not a valid 32-bit signed integer value");
  });

  it('keeps a job that failed validation, in ERROR, without answering its id', async () => {
    const { base } = await world();
    const res = await postJob(base, `appName=test&classPath=${WORDS}`);
    expect(res.body).not.toHaveProperty('jobId');
    const [job] = (await call(`${base}/jobs`)).body;
    expect(job).toMatchObject({ classPath: WORDS, status: 'ERROR', result: { message: 'One(SparkJobInvalid(No input.string config param))' } });
  });

  it('answers 503 NO SLOTS AVAILABLE when the context runs its maximum, before validating', async () => {
    const { base, world: w } = await world();
    const ids: string[] = [];
    for (const n of [1, 2]) ids.push((await postJob(base, `appName=test&classPath=${WORDS}&context=shared`, `input.string = ${n}`)).body.jobId);
    const full = await postJob(base, `appName=test&classPath=${WORDS}&context=shared`);
    expect(full.status).toBe(503);
    expect(full.body).toEqual({ status: 'NO SLOTS AVAILABLE', result: "Too many running jobs (2) for job context 'shared'" });
    w.spark.advanceJob(ids[0]!, 'FINISHED');
    expect((await postJob(base, `appName=test&classPath=${WORDS}&context=shared`, 'input.string = 3')).status).toBe(202);
  });

  it('answers 503 when the namespace holds its limit of contexts', async () => {
    const { base } = await world();
    // Two fixture contexts and three ad-hoc ones make the five allowed.
    for (let i = 0; i < 3; i++) expect((await postJob(base, `appName=test&classPath=${WORDS}`, 'input.string = x')).status).toBe(202);
    const res = await postJob(base, `appName=test&classPath=${WORDS}`, 'input.string = x');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'ERROR', result: 'jobfake: too many contexts in this namespace (limit 5)' });
  });

  it('answers 409 while the context is being stopped', async () => {
    const { base, world: w } = await world();
    w.spark.setSchedule({ contextStop: 500 });
    expect((await call(`${base}/contexts/shared`, { method: 'DELETE' })).status).toBe(202);
    const res = await postJob(base, `appName=test&classPath=${WORDS}&context=shared`, 'input.string = x');
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ status: 'ERROR', result: 'Context stop in progress' });
  });

  it('answers 413 for a config over the body limit', async () => {
    const { base } = await world();
    const res = await postJob(base, `appName=test&classPath=${WORDS}`, `input.string = ${'a '.repeat(3000)}`);
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ status: 'ERROR', result: 'Request entity is larger than the limit of 4096 bytes' });
  });

  it('accepts local:, file: and ftp: URIs in cp without fetching them', async () => {
    const { base } = await world();
    const res = await postJob(base, `cp=local:///opt/a.jar,file:///tmp/b.jar,ftp://h/c.jar&mainClass=${WORDS}`, 'input.string = x');
    expect(res.status).toBe(202);
  });

  it('reads cp and mainClass from the config when the query has none', async () => {
    const { base } = await world();
    const res = await postJob(base, '', `cp = ["test"]\nmainClass = ${WORDS}\ninput.string = x`);
    expect(res.status).toBe(202);
    expect(res.body.classPath).toBe(WORDS);
  });

  it('never answers 500 to odd input', async () => {
    const { base } = await world();
    const odd = ['cp=%2C%2C&mainClass=x', 'appName=&classPath=', 'cp=test&mainClass=' + encodeURIComponent('a b'), 'context=&appName=test&classPath=x', 'timeout=-5&sync=true&appName=test&classPath=x'];
    for (const query of odd) {
      const res = await postJob(base, query, '\u0000\uFFFF"');
      expect(res.status, query).toBeLessThan(500);
    }
  });
});
