import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultLimits, startFake, type Fake } from '../../src/index.js';
import { limitNames, parseLimitFlag, resolveLimits } from '../../src/limits.js';
import { checkingInterval } from '../../src/server.js';
import { call, useFake } from '../helpers/fake.js';
import { api, freshNamespace, login, openTunnel, runToDone } from '../helpers/scalingo.js';

/** Writes `data` on a raw connection and collects what comes back until the server closes it. */
function rawExchange(port: number, data: string, { keepWriting = '', everyMs = 0, giveUpMs = 3000 } = {}) {
  return new Promise<{ reply: string; closedAfterMs: number }>((resolve) => {
    const started = performance.now();
    const socket = connect(port, '127.0.0.1', () => socket.write(data));
    let reply = '';
    // A slowloris: one more byte every `everyMs`, never finishing.
    const drip = everyMs > 0 ? setInterval(() => socket.writable && socket.write(keepWriting), everyMs) : undefined;
    const giveUp = setTimeout(() => socket.destroy(), giveUpMs);
    socket.on('data', (d) => (reply += d));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(drip);
      clearTimeout(giveUp);
      resolve({ reply, closedAfterMs: performance.now() - started });
    });
  });
}

const bodyOf = (reply: string) => JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4));

describe('limits: settings', () => {
  it('every limit has a default, and startFake({ limits }) sets any of them', async () => {
    expect(limitNames.length).toBeGreaterThan(10);
    for (const name of limitNames) expect(Number.isSafeInteger(defaultLimits[name]), name).toBe(true);
    const fake = await startFake({ port: 0, limits: { journalEntries: 7 } });
    try {
      expect(fake.limits).toEqual({ ...defaultLimits, journalEntries: 7 });
    } finally {
      await fake.close();
    }
  });

  it('refuses an unknown limit or a value that is not a whole number ≥ 0', () => {
    expect(() => resolveLimits({ bodyBites: 1 } as never)).toThrow(/unknown limit "bodyBites"/);
    expect(() => resolveLimits({ bodyBytes: -1 })).toThrow(/bodyBytes must be a whole number/);
    expect(() => resolveLimits({ bodyBytes: Number.NaN })).toThrow(/bodyBytes must be a whole number/);
    expect(() => resolveLimits({ bodyBytes: '10' as never })).toThrow(/bodyBytes must be a whole number/);
    expect(resolveLimits({ bodyBytes: undefined })).toEqual(defaultLimits);
  });

  it('parses the CLI form NAME=N', () => {
    expect(parseLimitFlag('bodyBytes=65536')).toEqual(['bodyBytes', 65536]);
    expect(parseLimitFlag('uploadBytes=10_000_000')).toEqual(['uploadBytes', 10_000_000]);
    expect(() => parseLimitFlag('bodyBytes')).toThrow(/NAME=N/);
    expect(() => parseLimitFlag('bodyBytes=-1')).toThrow(/NAME=N/);
    expect(() => parseLimitFlag('nope=1')).toThrow(/unknown limit "nope"/);
  });

  it('README lists every limit with its default and what happens past it', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const name of limitNames) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${name}\` |`));
      expect(row, `README row for ${name}`).toBeDefined();
      expect(row!.split('|')[2]!.replaceAll(/[ `_,]/g, '').replace(/\(.*\)/, ''), name).toBe(String(defaultLimits[name]));
    }
  });

  it('checks the timeouts a quarter as often as the shorter one, 10 ms to 30 s, or every 30 s when both are off', () => {
    expect(checkingInterval(defaultLimits)).toBe(2500);
    expect(checkingInterval({ ...defaultLimits, headersTimeoutMs: 100 })).toBe(25);
    expect(checkingInterval({ ...defaultLimits, headersTimeoutMs: 1, requestTimeoutMs: 1 })).toBe(10);
    expect(checkingInterval({ ...defaultLimits, headersTimeoutMs: 0, requestTimeoutMs: 0 })).toBe(30_000);
    expect(checkingInterval({ ...defaultLimits, headersTimeoutMs: 0, requestTimeoutMs: 10 * 60_000 })).toBe(30_000);
  });
});

describe('limits: slow and oversized clients', () => {
  let fake: Fake;
  beforeAll(async () => {
    fake = await startFake({ port: 0, limits: { headersTimeoutMs: 150, requestTimeoutMs: 400, headerBytes: 2048, bodyBytes: 16 * 1024, attachCloseGraceMs: 0 } });
  });
  afterAll(() => fake.close());

  it('headersTimeoutMs: a client dripping its head (slowloris) gets 408 and is cut off', async () => {
    const { reply, closedAfterMs } = await rawExchange(fake.port, 'GET /v1/users/self HTTP/1.1\r\nHost: x\r\n', { keepWriting: 'X', everyMs: 20 });
    expect(reply).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(bodyOf(reply)).toEqual({ status: 'ERROR', result: expect.stringMatching(/headers within 150 ms/) });
    expect(closedAfterMs).toBeGreaterThanOrEqual(140);
    expect(closedAfterMs).toBeLessThan(1000);
  });

  it('requestTimeoutMs: a client dripping its body gets 408 and is cut off', async () => {
    const head = 'POST /jobs?appName=a&classPath=b HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 10000\r\n\r\n';
    const { reply, closedAfterMs } = await rawExchange(fake.port, head, { keepWriting: 'a', everyMs: 20 });
    expect(reply).toMatch(/^HTTP\/1\.1 408 /);
    expect(closedAfterMs).toBeGreaterThanOrEqual(390);
    expect(closedAfterMs).toBeLessThan(1500);
    expect((await call(`${fake.url}/healthz`)).status).toBe(200);
  });

  it('neither timeout cuts an attach session or a /wait that last longer', async () => {
    const ns = freshNamespace();
    fake.namespace(ns).clock.pause();
    const run = await runToDone(fake, `${fake.url}/ns/${ns}`, ns);
    const tunnel = await openTunnel(run.attachUrl);
    const waiting = call(`${run.attachUrl}/wait`);
    await new Promise((r) => setTimeout(r, 600));
    tunnel.socket.write('still here\x04');
    expect((await tunnel.rest).toString()).toBe('still here');
    expect((await waiting).body).toEqual({ exit_code: 0 });
    tunnel.socket.destroy();
  });

  it('headerBytes: a head over the limit gets 431 in the error shape of the API it named', async () => {
    const pad = `X-Pad: ${'a'.repeat(3000)}\r\n`;
    const scalingo = await rawExchange(fake.port, `GET /ns/a/v1/apps/my-app HTTP/1.1\r\nHost: x\r\n${pad}\r\n`);
    expect(scalingo.reply).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(bodyOf(scalingo.reply)).toEqual({ error: 'request headers too large (limit 2048 bytes)' });
    const spark = await rawExchange(fake.port, `GET /jobs HTTP/1.1\r\nHost: x\r\n${pad}\r\n`);
    expect(bodyOf(spark.reply)).toEqual({ status: 'ERROR', result: 'request headers too large (limit 2048 bytes)' });
    const fits = await call(`${fake.url}/healthz`, { headers: { 'x-pad': 'a'.repeat(1500) } });
    expect(fits.status).toBe(200);
  });

  it('bodyBytes: a client sending a body far over the limit reads the 413, every time', async () => {
    // Refused from its Content-Length, the body is drained: no reset cuts the answer short.
    const post = (path: string) =>
      new Promise<string>((resolve) => {
        const body = Buffer.alloc(1024 * 1024, 0x61);
        const req = request({ host: '127.0.0.1', port: fake.port, method: 'POST', path, headers: { 'content-type': 'application/json', 'content-length': String(body.length) } }, (res) => {
          res.resume();
          res.on('end', () => resolve(String(res.statusCode)));
        });
        req.on('error', (err) => resolve(err.message));
        req.end(body);
      });
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await post('/contexts/etl'), await post('/__jobfake/scalingo/apps'));
    expect(answers).toEqual(Array(8).fill('413'));
  });

  it('bodyBytes: a chunked body far over the limit gets its 413, and the connection serves the next request', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const send = (method: string, path: string, chunks = 0) =>
      new Promise<string>((resolve) => {
        const req = request({ host: '127.0.0.1', port: fake.port, agent, method, path }, (res) => {
          res.resume();
          res.on('end', () => resolve(String(res.statusCode)));
        });
        req.on('error', (err) => resolve(err.message));
        // Written in pieces with no Content-Length: sent chunked, its size unknown up front.
        for (let i = 0; i < chunks; i++) req.write(Buffer.alloc(64 * 1024, 0x61));
        req.end();
      });
    try {
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(await send('POST', '/contexts/etl', 16), await send('POST', '/__jobfake/scalingo/apps', 16), await send('GET', '/healthz'));
      expect(answers).toEqual(Array(3).fill(['413', '413', '200']).flat());
    } finally {
      agent.destroy();
    }
  });

  it('a malformed request gets 400 in the error shape of the API it named', async () => {
    const { reply } = await rawExchange(fake.port, 'GET /__jobfake/journal HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n');
    expect(reply).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(bodyOf(reply)).toEqual({ error: 'malformed HTTP request' });
    // As the routes see it: dot segments resolved, an absolute form's origin dropped.
    const dots = await rawExchange(fake.port, 'GET /attach/%2e%2e/jobs HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n');
    expect(bodyOf(dots.reply)).toEqual({ status: 'ERROR', result: 'malformed HTTP request' });
    const absolute = await rawExchange(fake.port, 'GET http://x/v1/apps HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n');
    expect(bodyOf(absolute.reply)).toEqual({ error: 'malformed HTTP request' });
    const empty = await rawExchange(fake.port, 'GET // HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n');
    expect(bodyOf(empty.reply)).toEqual({ status: 'ERROR', result: 'malformed HTTP request' });
  });
});

describe('limits: what is kept', () => {
  const ctx = useFake({ limits: { bodyBytes: 512, finishedKept: 2, journalEntries: 3, namespaces: 4 } });

  it('bodyBytes: 413 in each API\'s own shape', async () => {
    const big = 'x'.repeat(600);
    const base = `${ctx.url}/ns/${freshNamespace()}`;
    const scalingo = await api(base, await login(base)).post('/v1/apps/my-app/run', { command: big });
    expect(scalingo.status).toBe(413);
    expect(scalingo.body).toEqual({ error: 'request body too large (limit 512 bytes)' });
    const control = await call(`${base}/__jobfake/scalingo/apps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: big }) });
    expect(control.status).toBe(413);
    expect(control.body.error).toMatch(/limit 512 bytes/);
    const spark = await call(`${base}/jobs?appName=a&classPath=b`, { method: 'POST', body: `input.string = "${big}"` });
    expect(spark.status).toBe(413);
    expect(spark.body).toEqual({ status: 'ERROR', result: 'Request entity is larger than the limit of 512 bytes' });
  });

  it('finishedKept: ended operations and containers past the limit are evicted, oldest first', async () => {
    const ns = ctx.fake.namespace(freshNamespace());
    ns.clock.pause();
    const scalingo = api(ns.url, await login(ns.url));
    const ids: { operation: string; container: string }[] = [];
    for (let i = 0; i < 4; i++) {
      const run = await scalingo.post('/v1/apps/my-app/run', { command: `job ${i}` });
      ids.push({ operation: run.headers.get('location')!.split('/').pop()!, container: run.body.container.id });
      const stopped = await scalingo.post(`/v1/apps/my-app/containers/${run.body.container.id}/stop`);
      expect(stopped.status).toBe(202);
    }
    const still = await scalingo.get(`/v1/apps/my-app/operations/${ids[3]!.operation}`);
    expect(still.status).toBe(200);
    const evicted = await scalingo.get(`/v1/apps/my-app/operations/${ids[0]!.operation}`);
    expect(evicted.status).toBe(404);
    expect(ns.scalingo.containers().map((c) => c.id)).toEqual([ids[2]!.container, ids[3]!.container]);
    expect(ns.scalingo.operations()).toHaveLength(2);
  });

  it('journalEntries: the journal keeps the last N requests', async () => {
    const ns = ctx.fake.namespace(freshNamespace());
    for (let i = 0; i < 5; i++) await call(`${ns.url}/jobs/job-${i}`);
    expect(ns.journal().map((e) => e.path)).toEqual(['/jobs/job-2', '/jobs/job-3', '/jobs/job-4']);
  });

  it('namespaces: the least recently used idle namespace is dropped for a new one; with none idle, 503', async () => {
    // Fresh: the default namespace plus up to three more.
    await call(`${ctx.url}/__jobfake/reset`, { method: 'POST' });
    const before = (await call(`${ctx.url}/__jobfake/namespaces`)).body.namespaces as string[];
    expect(before).toContain('default');
    const names = ['ns-a', 'ns-b', 'ns-c', 'ns-d', 'ns-e'];
    for (const name of names) expect((await call(`${ctx.url}/ns/${name}/healthz`)).status).toBe(200);
    const after = (await call(`${ctx.url}/__jobfake/namespaces`)).body.namespaces as string[];
    expect(after).toHaveLength(4);
    expect(after).toEqual(expect.arrayContaining(['default', 'ns-c', 'ns-d', 'ns-e']));
    // Hold every other namespace with an attached session: none can go, the next one is refused.
    const tunnels = [];
    for (const name of ['ns-c', 'ns-d', 'ns-e']) {
      ctx.fake.namespace(name).clock.pause();
      const run = await runToDone(ctx.fake, `${ctx.url}/ns/${name}`, name);
      tunnels.push(await openTunnel(run.attachUrl));
    }
    const refused = await call(`${ctx.url}/ns/ns-f/v1/users/self`);
    expect(refused.status).toBe(503);
    expect(refused.body).toEqual({ error: 'too many namespaces in use (limit 4)' });
    const refusedSpark = await call(`${ctx.url}/ns/ns-f/jobs`);
    expect(refusedSpark.body).toEqual({ status: 'ERROR', result: 'too many namespaces in use (limit 4)' });
    for (const tunnel of tunnels) {
      tunnel.socket.write('\x04');
      await tunnel.rest;
      tunnel.socket.destroy();
    }
    expect((await call(`${ctx.url}/ns/ns-f/jobs`)).status).toBe(200);
  });
});
