/**
 * The server around the Spark Jobserver routes, per release profile (issue 19): context UUIDs as
 * contextId, the 40 s request timeout, the 30 MiB upload limit, /jars, /data, PUT /contexts,
 * callbacks and run times read from the job's config.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { World } from '../../src/store.js';
import type { Fixtures } from '../../src/fixtures.js';
import { call, useFake } from '../helpers/fake.js';
import { worldOf } from '../helpers/internals.js';
import { freshNamespace, jar, postJob, upload } from '../helpers/spark.js';

const WORDS = 'spark.jobserver.WordCountExample';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TIMED_OUT = { status: 'ERROR', result: 'Request timed out. Try using the /jobs/<jobID>, /jobs APIs to get status/results' };
type Version = 'seed' | '0.9' | '0.10' | '0.11';
const VERSIONS: Version[] = ['seed', '0.9', '0.10', '0.11'];

/** The query that names the job's binary and class in this release (0.9 has no cp/mainClass). */
const jobQuery = (version: Version, cls = WORDS) => (version === '0.9' ? `appName=test&classPath=${cls}` : `cp=test&mainClass=${cls}`);

function useProfile(version: Version, fixtures: Fixtures['sparkJobserver'] = {}, limits = {}) {
  return useFake({ fixtures: { sparkJobserver: { version, ...fixtures } }, limits });
}

/** A fresh namespace, its clock paused, a jar uploaded as `test`. */
async function fresh(ctx: ReturnType<typeof useFake>) {
  const ns = freshNamespace();
  const control = ctx.fake.namespace(ns);
  control.clock.pause();
  const base = control.url;
  expect((await upload(base, 'test', jar())).status).toBeLessThan(300);
  // `ns` drives it as a test would; `world` is its internal state, for what no view shows.
  return { base, ns: control, world: worldOf(ctx.fake, ns) };
}

/** Resolves once the server holds this many sync requests waiting (so advancing the clock reaches them). */
async function waiting(world: World, count = 1) {
  await vi.waitFor(() => expect(world.spark.jobTable.waiterCount).toBe(count), { timeout: 5000, interval: 5 });
}

describe('contextId and context UUIDs', () => {
  describe('seed: as the seed example, no contextId, 8-hex ad-hoc names, the short context', () => {
    const ctx = useProfile('seed');
    it('leaves contextId out of every job report', async () => {
      const { base, ns } = await fresh(ctx);
      const started = await postJob(base, jobQuery('seed'), 'input.string = a b');
      expect(started.status).toBe(202);
      expect(started.body).not.toHaveProperty('contextId');
      expect(started.body.context).toMatch(/^[0-9a-f]{8}-spark\.jobserver\.WordCountExample$/);
      ns.clock.advance(5000);
      const report = (await call(`${base}/jobs/${started.body.jobId}`)).body;
      expect(report.status).toBe('FINISHED');
      expect(report).not.toHaveProperty('contextId');
      expect((await call(`${base}/jobs`)).body[0]).not.toHaveProperty('contextId');
      await call(`${base}/contexts/etl`, { method: 'POST' });
      expect((await call(`${base}/contexts/etl`)).body).toEqual({ name: 'etl', applicationId: expect.any(String), url: expect.any(String) });
    });
  });

  for (const version of ['0.9', '0.10', '0.11'] as const) {
    describe(`${version}: a JVM per context`, () => {
      const ctx = useProfile(version);
      it("reports the context's UUID as contextId, for shared and ad-hoc contexts", async () => {
        const { base, ns } = await fresh(ctx);
        expect((await call(`${base}/contexts/etl`, { method: 'POST' })).status).toBe(200);
        const info = (await call(`${base}/contexts/etl`)).body;
        expect(info).toEqual({
          id: expect.stringMatching(UUID),
          name: 'etl',
          startTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
          endTime: 'Empty',
          state: 'RUNNING',
          applicationId: expect.any(String),
          url: expect.any(String),
        });
        const shared = await postJob(base, `${jobQuery(version)}&context=etl`, 'input.string = a');
        expect(shared.body.contextId).toBe(info.id);
        const adHoc = await postJob(base, jobQuery(version), 'input.string = a');
        expect(adHoc.body.contextId).toMatch(UUID);
        expect(adHoc.body.contextId).not.toBe(info.id);
        // AkkaClusterSupervisorActor names an ad-hoc context <UUID>-<class>.
        expect(adHoc.body.context).toMatch(new RegExp(`^${UUID.source.slice(1, -1)}-spark\\.jobserver\\.WordCountExample$`));
        expect((await call(`${base}/jobs/${adHoc.body.jobId}`)).body.contextId).toBe(adHoc.body.contextId);
        // The report keeps the id once the ad-hoc context is gone.
        ns.clock.advance(5000);
        expect((await call(`${base}/contexts`)).body).toEqual(['etl']);
        expect((await call(`${base}/jobs/${adHoc.body.jobId}`)).body).toMatchObject({ status: 'FINISHED', contextId: adHoc.body.contextId });
      });

      it('ends the jobs of a stopped context with its UUID in the message', async () => {
        const { base } = await fresh(ctx);
        await call(`${base}/contexts/etl`, { method: 'POST' });
        const { id } = (await call(`${base}/contexts/etl`)).body;
        const job = await postJob(base, `${jobQuery(version)}&context=etl`, 'input.string = a');
        expect((await call(`${base}/contexts/etl`, { method: 'DELETE' })).status).toBe(200);
        expect((await call(`${base}/jobs/${job.body.jobId}`)).body.result.message).toBe(`Unexpected termination of context ${id}`);
      });
    });
  }

  describe('contextPerJvm: false (one JVM for every context)', () => {
    const ctx = useProfile('0.10', { contextPerJvm: false });
    it('reports contextId "" and the short context', async () => {
      const { base } = await fresh(ctx);
      const started = await postJob(base, jobQuery('0.10'), 'input.string = a');
      expect(started.body.contextId).toBe('');
      expect(started.body.context).toMatch(/^[0-9a-f]{8}-spark/);
      await call(`${base}/contexts/etl`, { method: 'POST' });
      expect(Object.keys((await call(`${base}/contexts/etl`)).body).sort()).toEqual(['applicationId', 'name', 'url']);
    });
  });
});

describe('the request timeout (request-timeout = 40 s) on the namespace clock', () => {
  for (const version of VERSIONS) {
    describe(version, () => {
      const ctx = useProfile(version, { schedule: { running: 120_000 } });

      it('answers a sync job still running at 40 s with WebApi.timeoutRoute\'s 500; the job goes on', async () => {
        const { base, ns, world } = await fresh(ctx);
        const pending = postJob(base, `${jobQuery(version)}&sync=true&timeout=60`, 'input.string = a b a');
        await waiting(world);
        ns.clock.advance(39_999);
        expect(world.spark.jobTable.waiterCount).toBe(1);
        ns.clock.advance(1);
        const res = await pending;
        expect([res.status, res.body]).toEqual([500, TIMED_OUT]);
        const [job] = ns.spark.jobs();
        expect(job!.status).toBe('RUNNING');
        ns.clock.advance(120_000);
        expect((await call(`${base}/jobs`)).body[0].status).toBe('FINISHED');
      });

      it('leaves a sync timeout shorter than 40 s to the ask timeout', async () => {
        const { base, ns, world } = await fresh(ctx);
        const pending = postJob(base, `${jobQuery(version)}&sync=true&timeout=30`, 'input.string = a');
        await waiting(world);
        ns.clock.advance(30_000);
        const res = await pending;
        expect(res.status).toBe(500);
        expect(res.body.result.errorClass).toBe('akka.pattern.AskTimeoutException');
      });
    });
  }

  describe('a context slow to start (schedule.contextStart)', () => {
    const ctx = useProfile('0.11', { schedule: { contextStart: 50_000 } });
    it('answers the timeout at 40 s; the context still starts at 50 s', async () => {
      const name = freshNamespace();
      const ns = ctx.fake.namespace(name);
      const world = worldOf(ctx.fake, name);
      ns.clock.pause();
      const base = ns.url;
      const pending = call(`${base}/contexts/etl`, { method: 'POST' });
      await vi.waitFor(() => expect(world.clock.scheduledCount).toBe(2), { timeout: 5000, interval: 5 });
      ns.clock.advance(40_000);
      const timedOut = await pending;
      expect(timedOut).toMatchObject({ status: 500, body: TIMED_OUT });
      expect((await call(`${base}/contexts`)).body).toEqual([]);
      ns.clock.advance(10_000);
      expect((await call(`${base}/contexts`)).body).toEqual(['etl']);
      // Under the timeout, the answer waits for the start.
      ns.spark.setSchedule({ contextStart: 1000 });
      const other = call(`${base}/contexts/quick`, { method: 'POST' });
      await vi.waitFor(() => expect(world.clock.scheduledCount).toBe(1), { timeout: 5000, interval: 5 });
      ns.clock.advance(999);
      expect((await call(`${base}/contexts`)).body).toEqual(['etl']);
      ns.clock.advance(1);
      expect((await other).body).toEqual({ status: 'SUCCESS', result: 'Context initialized' });
      expect((await call(`${base}/contexts/etl`, { method: 'POST' })).body).toEqual({ status: 'ERROR', result: 'context etl exists' });
    });

    it('lets a reset release a request waiting for a start', async () => {
      const name = freshNamespace();
      const ns = ctx.fake.namespace(name);
      const world = worldOf(ctx.fake, name);
      ns.clock.pause();
      const pending = call(`${ns.url}/contexts/etl`, { method: 'POST' });
      await vi.waitFor(() => expect(world.clock.scheduledCount).toBe(2), { timeout: 5000, interval: 5 });
      ns.reset();
      expect((await pending).status).toBe(500);
    });
  });

  describe('as a limit', () => {
    const ctx = useProfile('0.10', { schedule: { running: 90_000 } }, { sparkRequestTimeoutMs: 5000 });
    it('cuts at the limit set', async () => {
      const { base, ns, world } = await fresh(ctx);
      const pending = postJob(base, `${jobQuery('0.10')}&sync=true&timeout=60`, 'input.string = a');
      await waiting(world);
      ns.clock.advance(5000);
      expect((await pending).body).toEqual(TIMED_OUT);
    });
  });

  describe('0 turns it off', () => {
    const ctx = useProfile('0.10', { schedule: { running: 50_000 } }, { sparkRequestTimeoutMs: 0 });
    it('waits as long as `timeout`', async () => {
      const { base, ns, world } = await fresh(ctx);
      const pending = postJob(base, `${jobQuery('0.10')}&sync=true&timeout=60`, 'input.string = a a');
      await waiting(world);
      ns.clock.advance(50_000);
      expect((await pending).body).toEqual({ jobId: expect.stringMatching(UUID), result: { a: 2 } });
    });
  });
});

describe('the upload limit (parsing.max-content-length = 30m), in the HTTP server\'s words', () => {
  const LIMIT = 40 * 1024;
  const big = () => {
    const bytes = new Uint8Array(LIMIT + 1);
    bytes.set(jar());
    return bytes;
  };
  /** A body without Content-Length (chunked), in pieces. */
  const chunked = (bytes: Uint8Array) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < bytes.length; at += 8192) controller.enqueue(bytes.subarray(at, at + 8192));
        controller.close();
      },
    });

  it('defaults to 30 MiB', async () => {
    const { defaultLimits } = await import('../../src/limits.js');
    expect(defaultLimits.sparkUploadBytes).toBe(31_457_280);
    expect(defaultLimits.sparkRequestTimeoutMs).toBe(40_000);
  });

  for (const version of ['seed', '0.9', '0.10'] as const) {
    describe(`${version} (spray-can)`, () => {
      const ctx = useProfile(version, {}, { sparkUploadBytes: LIMIT });
      it('refuses a Content-Length over the limit with spray\'s text and closes the connection', async () => {
        const { base } = await fresh(ctx);
        const res = await upload(base, 'big', big());
        expect(res.status).toBe(413);
        expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
        expect(res.headers.get('connection')).toBe('close');
        expect(res.text).toBe(`Request Content-Length ${LIMIT + 1} exceeds the configured limit of ${LIMIT}`);
        expect(Object.keys((await call(`${base}/binaries`)).body)).toEqual(['test']);
        const data = await call(`${base}/data/input`, { method: 'POST', body: big() });
        expect([data.status, data.text]).toEqual([413, `Request Content-Length ${LIMIT + 1} exceeds the configured limit of ${LIMIT}`]);
      });

      it('refuses a chunked body over the aggregation limit', async () => {
        const { base } = await fresh(ctx);
        const res = await call(`${base}/binaries/big`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/java-archive' },
          body: chunked(big()),
          duplex: 'half',
        } as RequestInit);
        expect([res.status, res.text]).toEqual([413, `Aggregated request entity greater than configured limit of ${LIMIT} bytes`]);
      });

      it('takes a binary of exactly the limit, streamed in', async () => {
        const { base, ns, world } = await fresh(ctx);
        const exact = big().subarray(0, LIMIT);
        expect((await upload(base, 'exact', exact)).status).toBeLessThan(300);
        expect(world.spark.binaries.get('exact')!.bytes).toEqual(exact);
        const viaChunks = await call(`${base}/binaries/chunked`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/java-archive' },
          body: chunked(exact),
          duplex: 'half',
        } as RequestInit);
        expect(viaChunks.status).toBeLessThan(300);
        expect(world.spark.binaries.get('chunked')!.bytes).toEqual(exact);
      });
    });
  }

  describe('0.11 (akka-http)', () => {
    const ctx = useProfile('0.11', {}, { sparkUploadBytes: LIMIT });
    it("refuses with akka-http's rejection text, with or without Content-Length", async () => {
      const { base } = await fresh(ctx);
      const hint =
        'This may have been a parser limit (set via `akka.http.[server|client].parsing.max-content-length`), a decoder limit (set via `akka.http.routing.decode-max-size`), or a custom limit set with `withSizeLimit`.';
      const res = await upload(base, 'big', big());
      expect([res.status, res.text]).toEqual([413, `The request content was malformed:\nEntityStreamSizeException: incoming entity size (${LIMIT + 1}) exceeded size limit (${LIMIT} bytes)! ${hint}`]);
      const streamed = await call(`${base}/binaries/big`, { method: 'POST', headers: { 'Content-Type': 'application/java-archive' }, body: chunked(big()), duplex: 'half' } as RequestInit);
      expect([streamed.status, streamed.text]).toEqual([413, `The request content was malformed:\nEntityStreamSizeException: incoming entity size (while streaming) exceeded size limit (${LIMIT} bytes)! ${hint}`]);
    });
  });
});

describe('/jars (0.9 only)', () => {
  describe('0.9', () => {
    const ctx = useProfile('0.9', {}, { sparkUploadBytes: 32 * 1024 });
    it('uploads a jar whatever its Content-Type and lists jars with their upload time', async () => {
      const ns = freshNamespace();
      const base = `${ctx.url}/ns/${ns}`;
      const res = await call(`${base}/jars/words`, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: jar() });
      expect([res.status, res.body]).toEqual([200, { status: 'SUCCESS', result: 'Jar uploaded' }]);
      expect((await upload(base, 'egg', jar(), 'application/python-archive')).status).toBe(200);
      const listed = (await call(`${base}/jars`)).body;
      expect(Object.keys(listed)).toEqual(['words']);
      expect(listed.words).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      expect((await call(`${base}/binaries`)).body.words['binary-type']).toBe('Jar');
      const bad = await call(`${base}/jars/bad`, { method: 'POST', body: 'not a jar' });
      expect([bad.status, bad.body]).toEqual([400, { status: 'ERROR', result: 'Jar is not of the right format' }]);
      const huge = new Uint8Array(64 * 1024);
      huge.set(jar());
      const tooBig = await call(`${base}/jars/huge`, { method: 'POST', body: huge });
      expect([tooBig.status, tooBig.text]).toEqual([413, `Request Content-Length ${64 * 1024} exceeds the configured limit of ${32 * 1024}`]);
      // A job runs from a jar uploaded there.
      expect((await postJob(base, `appName=words&classPath=${WORDS}`, 'input.string = x')).status).toBe(202);
    });
  });

  for (const version of ['seed', '0.10', '0.11'] as const) {
    describe(version, () => {
      const ctx = useProfile(version);
      it('does not serve them', async () => {
        const base = `${ctx.url}/ns/${freshNamespace()}`;
        expect((await call(`${base}/jars`)).status).toBe(404);
        expect((await call(`${base}/jars/words`, { method: 'POST', body: jar() })).status).toBe(404);
      });
    });
  }
});

describe('/data, in memory', () => {
  for (const version of VERSIONS) {
    describe(version, () => {
      const ctx = useProfile(version, { utcOffset: '+05:30' });
      it('stores, lists, deletes and resets data files under the names DataFileDAO gives', async () => {
        const base = `${ctx.url}/ns/${freshNamespace()}`;
        const stored = await call(`${base}/data/input`, { method: 'POST', body: 'a,b\n1,2\n' });
        expect(stored.status).toBe(200);
        expect(stored.body).toEqual({ result: { filename: expect.stringMatching(/^\/tmp\/spark-jobserver\/upload\/input-\d{4}-\d{2}-\d{2}T\d{2}_\d{2}_\d{2}\.\d{3}\+05_30\.dat$/) } });
        const name = stored.body.result.filename;
        const second = (await call(`${base}/data/other`, { method: 'POST', body: 'x' })).body.result.filename;
        expect((await call(`${base}/data`)).body).toEqual([name, second]);

        const deleted = await call(`${base}/data/${encodeURIComponent(name)}`, { method: 'DELETE' });
        expect([deleted.status, deleted.text]).toEqual([200, 'OK']);
        const again = await call(`${base}/data/${encodeURIComponent(name)}`, { method: 'DELETE' });
        expect(again.status).toBe(500);
        expect(again.body.status).toBe('ERROR');
        expect(again.body.result).toMatchObject({ message: `Error(Unknown file: ${name}) (of class spark.jobserver.DataManagerActor$Error)`, errorClass: 'scala.MatchError' });

        const reset = await call(`${base}/data?reset=reboot`, { method: 'PUT' });
        expect(reset.body).toEqual({ status: 'SUCCESS', result: 'Data reset' });
        expect((await call(`${base}/data`)).body).toEqual([]);
        await call(`${base}/data/more`, { method: 'POST', body: 'y' });
        expect((await call(`${base}/data?reset=reboot&sync=false`, { method: 'PUT' })).body).toEqual({ status: 'SUCCESS', result: 'Data reset requested' });
        expect((await call(`${base}/data?reset=now`, { method: 'PUT' })).text).toBe('ERROR');
        expect((await call(`${base}/data`, { method: 'PUT' })).status).toBe(404);
        const malformed = await call(`${base}/data?reset=reboot&sync=maybe`, { method: 'PUT' });
        expect([malformed.status, malformed.text]).toEqual([400, "The query parameter 'sync' was malformed:\n'maybe' is not a valid Boolean value"]);
      });
    });
  }
});

describe('/data within sparkBinaryBytes', () => {
  const ctx = useProfile('0.10', {}, { sparkBinaryBytes: 4096 });
  it('refuses a file that would take the namespace past it, in the JSON error shape', async () => {
    const base = `${ctx.url}/ns/${freshNamespace()}`;
    const piece = 'x'.repeat(1500);
    expect((await call(`${base}/data/a`, { method: 'POST', body: piece })).status).toBe(200);
    expect((await call(`${base}/data/b`, { method: 'POST', body: piece })).status).toBe(200);
    const refused = await call(`${base}/data/c`, { method: 'POST', body: piece });
    expect([refused.status, refused.body]).toEqual([413, { status: 'ERROR', result: 'jobfake: data files in this namespace would exceed 4096 bytes' }]);
    expect((await call(`${base}/data`)).body).toHaveLength(2);
  });
});

describe('PUT /contexts?reset=reboot', () => {
  for (const version of VERSIONS) {
    describe(version, () => {
      const ctx = useProfile(version, { contexts: [{ name: 'shared' }] });
      it('stops every context, ends its jobs, and brings the fixtures\' contexts back', async () => {
        const { base } = await fresh(ctx);
        await call(`${base}/contexts/etl`, { method: 'POST' });
        const job = await postJob(base, `${jobQuery(version)}&context=shared`, 'input.string = a');
        const before = (await call(`${base}/contexts/shared`)).body;
        const res = await call(`${base}/contexts?reset=reboot`, { method: 'PUT' });
        expect([res.status, res.body]).toEqual([200, { status: 'SUCCESS', result: 'Context reset' }]);
        expect((await call(`${base}/contexts`)).body).toEqual(['shared']);
        expect((await call(`${base}/jobs/${job.body.jobId}`)).body.status).toBe('ERROR');
        if (before.id) expect((await call(`${base}/contexts/shared`)).body.id).not.toBe(before.id);

        const requested = await call(`${base}/contexts?reset=reboot&sync=false`, { method: 'PUT' });
        expect(requested.body).toEqual({ status: 'SUCCESS', result: 'Context reset requested' });
        expect((await call(`${base}/contexts`)).body).toEqual([]);

        const other = await call(`${base}/contexts?reset=soft`, { method: 'PUT' });
        if (version === '0.9') expect([other.status, other.text]).toEqual([200, 'ERROR']);
        else expect([other.status, other.body]).toEqual([500, { status: 'ERROR', result: 'ERROR' }]);
        const missing = await call(`${base}/contexts`, { method: 'PUT' });
        expect([missing.status, missing.text]).toEqual([404, "Request is missing required query parameter 'reset'"]);
        expect((await call(`${base}/contexts?reset=reboot&sync=maybe`, { method: 'PUT' })).status).toBe(400);
      });
    });
  }
});

/** A local receiver for callbacks, answering `status`. */
function useReceiver() {
  const got: { body: any; contentType: string | undefined }[] = [];
  let status = 200;
  let server: Server;
  let url = '';
  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        got.push({ body: JSON.parse(Buffer.concat(chunks).toString('utf8')), contentType: req.headers['content-type'] });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/done`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return {
    got,
    get url() {
      return url;
    },
    answer(code: number) {
      status = code;
    },
  };
}

describe('callbackUrl (0.11)', () => {
  const ctx = useProfile('0.11', { classes: [{ name: 'com.acme.Broken', error: 'disk full', errorClass: 'java.io.IOException' }] });
  const receiver = useReceiver();

  it('POSTs the sync answer when the job finishes or fails, visible in the control API', async () => {
    receiver.answer(200);
    receiver.got.length = 0;
    const { base, ns } = await fresh(ctx);
    const ok = await postJob(base, `${jobQuery('0.11')}&callbackUrl=${encodeURIComponent(receiver.url)}`, 'input.string = a b a');
    const broken = await postJob(base, `${jobQuery('0.11', 'com.acme.Broken')}&callbackUrl=${encodeURIComponent(receiver.url)}`);
    // Nothing is sent while the jobs run.
    expect(receiver.got).toEqual([]);
    ns.clock.advance(1000);
    await vi.waitFor(() => expect(receiver.got).toHaveLength(2), { timeout: 5000 });
    const bodies = receiver.got.map((g) => g.body);
    expect(bodies).toContainEqual({ jobId: ok.body.jobId, result: { a: 2, b: 1 } });
    expect(bodies).toContainEqual({ jobId: broken.body.jobId, status: 'ERROR', result: expect.objectContaining({ message: 'disk full', errorClass: 'java.io.IOException' }) });
    expect(receiver.got[0]!.contentType).toBe('application/json');
    const view = await call(`${base}/__jobfake/spark/jobs/${ok.body.jobId}`);
    await vi.waitFor(async () => expect((await call(`${base}/__jobfake/spark/jobs/${ok.body.jobId}`)).body.callback.state).toBe('delivered'));
    expect(view.body.callback).toMatchObject({ url: receiver.url, payload: { jobId: ok.body.jobId, result: { a: 2, b: 1 } } });
    expect((await call(`${base}/__jobfake/spark/jobs/${ok.body.jobId}`)).body.callback.attempts).toEqual([{ at: expect.any(String), status: 200 }]);
  });

  it('retries a failing receiver 10 s apart on the clock, 5 attempts, then logs it; the job stays FINISHED', async () => {
    receiver.answer(503);
    receiver.got.length = 0;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const { base, ns } = await fresh(ctx);
      const job = await postJob(base, `${jobQuery('0.11')}&callbackUrl=${encodeURIComponent(receiver.url)}`, 'input.string = z');
      ns.clock.advance(1000);
      for (let attempt = 1; attempt <= 5; attempt++) {
        await vi.waitFor(() => expect(receiver.got).toHaveLength(attempt), { timeout: 5000 });
        await vi.waitFor(() => expect(ns.spark.job(job.body.jobId).callback!.attempts[attempt - 1]!.error).toBe('HTTP 503'));
        // No retry before its 10 s.
        ns.clock.advance(9_999);
        expect(receiver.got).toHaveLength(attempt);
        ns.clock.advance(1);
      }
      const record = ns.spark.job(job.body.jobId).callback!;
      expect(record.state).toBe('failed');
      expect(record.attempts).toHaveLength(5);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining(`callback for Spark job ${job.body.jobId} to ${receiver.url} failed 5 times; last: HTTP 503`));
      ns.clock.advance(60_000);
      expect(receiver.got).toHaveLength(5);
      expect((await call(`${base}/jobs/${job.body.jobId}`)).body.status).toBe('FINISHED');
    } finally {
      warn.mockRestore();
    }
  });

  it('records an unreachable receiver as a failed attempt, and never calls back a killed job', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const { base, ns } = await fresh(ctx);
      // A port nothing listens on: the receiver's, once closed, is not known here; port 9 (discard) on loopback refuses.
      const job = await postJob(base, `${jobQuery('0.11')}&callbackUrl=${encodeURIComponent('http://127.0.0.1:9/cb')}`, 'input.string = z');
      ns.clock.advance(1000);
      await vi.waitFor(() => expect(ns.spark.job(job.body.jobId).callback!.attempts[0]!.error).toMatch(/fetch failed|ECONNREFUSED/), { timeout: 5000 });
      receiver.got.length = 0;
      receiver.answer(200);
      const killed = await postJob(base, `${jobQuery('0.11')}&callbackUrl=${encodeURIComponent(receiver.url)}`, 'input.string = z');
      await call(`${base}/jobs/${killed.body.jobId}`, { method: 'DELETE' });
      ns.clock.advance(1000);
      expect(ns.spark.job(killed.body.jobId).callback).toBeNull();
      expect(receiver.got).toEqual([]);
      ns.reset();
    } finally {
      warn.mockRestore();
    }
  });
});

describe('run time from the job\'s config', () => {
  const ctx = useProfile('0.10', {
    classes: [{ name: 'com.acme.Sized', duration: { config: 'work.seconds', unit: 's', default: 3 }, result: '{{work.seconds}}' }],
  });
  it('runs a declared class as long as its config says, else its default', async () => {
    const { base, ns } = await fresh(ctx);
    const long = await postJob(base, 'cp=test&mainClass=com.acme.Sized', 'work.seconds = 20');
    const short = await postJob(base, 'cp=test&mainClass=com.acme.Sized', 'work.seconds = "500 ms"');
    const plain = await postJob(base, 'cp=test&mainClass=com.acme.Sized');
    ns.clock.advance(500);
    const status = async (id: string) => (await call(`${base}/jobs/${id}`)).body.status;
    expect(await status(short.body.jobId)).toBe('FINISHED');
    expect(await status(plain.body.jobId)).toBe('RUNNING');
    ns.clock.advance(2500);
    expect(await status(plain.body.jobId)).toBe('FINISHED');
    expect(await status(long.body.jobId)).toBe('RUNNING');
    ns.clock.advance(17_000);
    expect((await call(`${base}/jobs/${long.body.jobId}`)).body).toMatchObject({ status: 'FINISHED', duration: '20.0 secs', result: 20 });
  });

  it("runs the test jar's LongPiJob for stress.test.longpijob.duration seconds (default 5)", async () => {
    const { base, ns } = await fresh(ctx);
    const two = await postJob(base, 'cp=test&mainClass=spark.jobserver.LongPiJob', 'stress.test.longpijob.duration = 2');
    const byDefault = await postJob(base, 'cp=test&mainClass=spark.jobserver.LongPiJob');
    ns.clock.advance(2000);
    expect((await call(`${base}/jobs/${two.body.jobId}`)).body).toMatchObject({ status: 'FINISHED', result: expect.closeTo(Math.PI, 5) });
    expect((await call(`${base}/jobs/${byDefault.body.jobId}`)).body.status).toBe('RUNNING');
    ns.clock.advance(3000);
    expect((await call(`${base}/jobs/${byDefault.body.jobId}`)).body).toMatchObject({ status: 'FINISHED', duration: '5.0 secs' });
  });
});
