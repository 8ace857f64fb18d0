import fc from 'fast-check';
import { Agent } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadFixturesFile, startFake, type Fake } from '../../src/index.js';
import { defaultFixturesPath } from '../../src/fixtures.js';
import { parseHocon, HoconError } from '../../src/sparkjobserver/hocon.js';
import { zipEntryNames } from '../../src/sparkjobserver/zip.js';
import { loadSpec } from '../../src/spec.js';
import { connect } from 'node:net';
import { contentType, headerName, headerValue, hoconBody, jsonBody, LEAK, multipartBody, problemsOf, queryString, rawRequest, segment, send, sendRaw, statusesIn, type FuzzRequest, type Outcome } from '../helpers/fuzz.js';
import { basic } from '../helpers/scalingo.js';
import { jar } from '../helpers/spark.js';

/**
 * Property-based fuzzing of every route: whatever a client sends, jobfake answers a documented
 * success or a 4xx in the API's own shape (never an undocumented 5xx, never a stack trace), and
 * keeps answering. Runs are bounded (numRuns and a time limit each) to keep `npm test` fast; a
 * failure prints fast-check's seed and the smallest request found, to replay.
 */
const LIMITS = {
  bodyBytes: 16 * 1024,
  uploadBytes: 32 * 1024,
  containerUploadBytes: 64 * 1024,
  uploadsPerContainer: 20,
  namespaces: 12,
  attachIdleMs: 2000,
  attachCloseGraceMs: 0,
  finishedKept: 40,
  headerBytes: 8 * 1024,
};
const NAMESPACES = ['', '/ns/fz'];

let fake: Fake;
let agent: Agent;
const errors = vi.fn();
const spec = loadSpec();
/** Known ids, tokens and names, so that random requests also reach deep into the routes. */
const pool = { tokens: [] as string[], mTokens: [] as string[], values: ['my-app', 'fz-jar', 'fz-ctx', 'spark.jobserver.WordCountExample'] };

async function json(path: string, init: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array } = {}) {
  const res = await fetch(`${fake.url}${path}`, { ...init, headers: { connection: 'close', ...init.headers } });
  return res.headers.get('content-type')?.includes('json') ? res.json() : res.text();
}

beforeAll(async () => {
  const fixtures = loadFixturesFile(defaultFixturesPath);
  fixtures.sparkJobserver = { ...fixtures.sparkJobserver, schedule: { started: 0, running: 20, contextStop: 0 } };
  fixtures.scalingo = { ...fixtures.scalingo, schedule: { pending: 10, running: 10 } };
  fake = await startFake({ port: 0, fixtures, limits: LIMITS, checkResponses: true });
  agent = new Agent({ keepAlive: true, maxSockets: 4 });
  vi.spyOn(console, 'error').mockImplementation(errors);
  for (const ns of NAMESPACES) {
    const { token } = (await json(`${ns}/v1/tokens/exchange`, { method: 'POST', headers: { authorization: basic('tk-fuzz') } })) as { token: string };
    pool.tokens.push(token);
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    for (const body of [{ command: 'bash' }, { command: 'bash' }, { command: 'sleep 1', detached: true }]) {
      const run = (await json(`${ns}/v1/apps/my-app/run`, { method: 'POST', headers: auth, body: JSON.stringify(body) })) as { attach_url?: string; operation_url: string; container: { id: string } };
      pool.values.push(run.operation_url.split('/').pop()!, run.container.id);
      if (run.attach_url) pool.values.push(run.attach_url.split('/').pop()!);
    }
    await json(`${ns}/binaries/fz-jar`, { method: 'POST', headers: { 'content-type': 'application/java-archive' }, body: jar() });
    await json(`${ns}/contexts/fz-ctx`, { method: 'POST' });
    const job = (await json(`${ns}/jobs?appName=fz-jar&classPath=spark.jobserver.WordCountExample`, { method: 'POST', body: 'input.string = a b' })) as { jobId: string };
    pool.values.push(job.jobId);
  }
});

afterAll(async () => {
  vi.restoreAllMocks();
  agent?.destroy();
  await fake?.close();
});

/** Requests that may wait as long as they like: a long poll and a sync job. */
const mayWait = (req: FuzzRequest) => /\/wait(\?|$)/.test(req.path) || (req.method === 'POST' && /\/jobs\?.*sync=(true|yes|on)/i.test(req.path));

async function check(req: FuzzRequest): Promise<Outcome> {
  const outcome = await send(fake.port, agent, req, mayWait(req) ? 100 : 3000);
  if ('timedOut' in outcome) {
    if (!mayWait(req)) throw new Error(`no answer within 3 s: ${req.method} ${req.path}`);
    return outcome;
  }
  if ('closed' in outcome) {
    const size = req.body === undefined ? 0 : Buffer.byteLength(req.body);
    throw new Error(`connection closed without an answer (${outcome.closed}): ${req.method} ${req.path} (${size} bytes, ${req.headers['content-type']})`);
  }
  const problems = problemsOf(req, outcome);
  // A success must come from a route the spec documents (HEAD is GET without the body).
  if (outcome.status < 400 && !spec.findOperation(req.method === 'HEAD' ? 'GET' : req.method, new URL(`http://x${req.path}`).pathname)) {
    problems.push(`success from an undocumented route: ${req.method} ${req.path} → ${outcome.status}`);
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return outcome;
}

/** Time moves again after a request that paused a clock, so waits stay bounded. */
async function resumeClocks() {
  const { namespaces } = (await json('/__jobfake/namespaces')) as { namespaces: string[] };
  for (const name of namespaces) fake.namespace(name).clock.resume();
}

const authorization = () =>
  fc.oneof(
    fc.constant(undefined),
    fc.constantFrom(...pool.tokens).map((t) => `Bearer ${t}`),
    fc.constantFrom(...pool.tokens).map((t) => basic(t)),
    fc.constantFrom('Bearer ', 'Bearer a.b.c', 'Basic !!!', 'Basic Og==', 'Digest x', basic('tk-fuzz'), basic('')),
    headerValue,
  );

const body = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: jsonBody },
  { weight: 2, arbitrary: hoconBody },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 512 }) },
  { weight: 1, arbitrary: fc.constant('x'.repeat(LIMITS.bodyBytes + 1)) },
  { weight: 1, arbitrary: fc.constant(jar('spark/jobserver/Fz.class')) },
);

function requestArbitrary(): fc.Arbitrary<FuzzRequest> {
  // Every route of the spec but adding faults (a fault answers off-spec, or waits, on purpose);
  // CONNECT has a fuzz test of its own.
  const routes = loadSpec().operations.filter((op) => op.operationId !== 'controlAddFault' && op.method !== 'CONNECT');
  const param = fc.oneof(fc.constantFrom(...pool.values), segment);
  const specPath = fc
    .tuple(fc.constantFrom(...routes), fc.array(param, { minLength: 4, maxLength: 4 }))
    .map(([op, params]) => ({ method: op.method, path: op.pathTemplate.replace(/\{[^}]+\}/g, () => params.shift()!) }));
  const randomPath = fc.tuple(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'), fc.array(segment, { maxLength: 6 })).map(([method, s]) => ({ method, path: `/${s.join('/')}` }));
  return fc
    .record({
      target: fc.oneof({ weight: 4, arbitrary: specPath }, { weight: 1, arbitrary: randomPath }),
      ns: fc.constantFrom(...NAMESPACES, '/ns/fz-other', '/ns/%ZZ', `/ns/${'n'.repeat(65)}`, '/ns/..'),
      otherMethod: fc.option(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'), { freq: 5 }),
      query: fc.option(queryString, { freq: 2 }),
      type: fc.option(contentType, { freq: 3 }),
      authorization: authorization(),
      extra: fc.dictionary(headerName, headerValue, { maxKeys: 3 }),
      body,
      chunked: fc.boolean(),
    })
    .map(({ target, ns, otherMethod, query, type, authorization, extra, body, chunked }) => {
      const method = otherMethod ?? target.method;
      const headers: Record<string, string> = { ...extra };
      if (type !== null) headers['content-type'] = type;
      if (authorization !== undefined) headers['authorization'] = authorization;
      return { method, path: `${ns}${target.path}${query ?? ''}`, headers, body: method === 'HEAD' ? undefined : body, chunked };
    });
}

/**
 * What the response checker found, less what is no fault: answers to no operation (the request
 * was for no route of the spec: its shape is checked above, and a success there fails the run),
 * and 413 (body over its limit) or 503 (namespace limit) where an operation does not list them,
 * as any route answers them.
 */
const specProblems = () => fake.specViolations().filter((v) => !/: no operation in openapi\.yaml$/.test(v) && !/\) (413|503): status not documented$/.test(v));

describe('fuzzing every route', () => {
  it('answers random requests to every route with a documented answer or a 4xx in the API\'s shape', async () => {
    await fc.assert(
      fc.asyncProperty(requestArbitrary(), async (req) => {
        await check(req);
        if (req.path.includes('__jobfake')) await resumeClocks();
      }),
      { numRuns: 300, interruptAfterTimeLimit: 6000 },
    );
    expect(specProblems()).toEqual([]);
    expect(errors).not.toHaveBeenCalled();
  });
});

/** A new one-off in namespace fz-m; its attach session waiting (container running) unless `booting`. */
async function freshSession({ booting = false } = {}) {
  const run = (await json('/ns/fz-m/v1/apps/my-app/run', {
    method: 'POST',
    headers: { authorization: `Bearer ${pool.mTokens[0]}`, 'content-type': 'application/json' },
    body: '{"command":"bash"}',
  })) as { attach_url: string; operation_url: string };
  if (!booting) fake.namespace('fz-m').scalingo.advanceOperation(run.operation_url.split('/').pop()!, 'done');
  return new URL(run.attach_url).pathname;
}

describe('fuzzing faults', () => {
  it('adds a fault from any body (201) or refuses it with 400 {"error"}', async () => {
    const matcher = fc.record({ method: fc.option(fc.constantFrom('GET', 'post', 'CONNECT', '')), path: fc.option(fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('/**', '/*/*', '**a**a**a**a**b', '/jobs/*', 'x'.repeat(300)))) }, { requiredKeys: [] });
    const action = fc.oneof(
      fc.record({ type: fc.constantFrom('status'), status: fc.oneof(fc.integer({ min: 100, max: 700 }), fc.constant(1e300)), message: fc.option(fc.string({ maxLength: 20 })) }),
      fc.record({ type: fc.constantFrom('delay'), ms: fc.integer({ min: -5, max: 700_000 }) }),
      fc.record({ type: fc.constantFrom('empty', 'reset', 'rateLimit', 'dropAfterBytes', 'nope'), retryAfter: fc.option(fc.integer()), bytes: fc.option(fc.integer()) }),
      fc.jsonValue({ maxDepth: 2 }),
    );
    const fault = fc.oneof(fc.record({ match: fc.option(matcher), action, times: fc.option(fc.oneof(fc.integer({ min: -1, max: 3 }), fc.constant(0.5))) }), fc.jsonValue({ maxDepth: 3 }));
    await fc.assert(
      fc.asyncProperty(fault, async (body) => {
        const added = await check({ method: 'POST', path: '/ns/fz-f/__jobfake/faults', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        expect([201, 400, 413]).toContain('status' in added ? added.status : 0);
        await check({ method: 'DELETE', path: '/ns/fz-f/__jobfake/faults', headers: {} });
      }),
      { numRuns: 100, interruptAfterTimeLimit: 3000 },
    );
    expect(specProblems()).toEqual([]);
    expect(errors).not.toHaveBeenCalled();
  });
});

describe('fuzzing multipart uploads', () => {
  beforeAll(async () => {
    fake.namespace('fz-m').clock.pause();
    const { token } = (await json('/ns/fz-m/v1/tokens/exchange', { method: 'POST', headers: { authorization: basic('tk-fuzz') } })) as { token: string };
    pool.mTokens.push(token);
  });

  it('answers truncated, mis-bounded, huge-headed and many-parted bodies with 200 or a 4xx in shape, keeping only safe names', async () => {
    const routes = fc.constantFrom('attach', 'attach', 'attach', '/binaries/fz-up', '/jobs?appName=fz-jar&classPath=x', '/contexts/fz-up', '/ns/fz-m/v1/apps/my-app/run', '/__jobfake/scalingo/apps');
    await fc.assert(
      fc.asyncProperty(multipartBody, routes, fc.boolean(), async ({ contentType, body }, route, chunked) => {
        const path = route === 'attach' ? `${await freshSession()}/files` : route;
        const outcome = await check({ method: 'POST', path, headers: { 'content-type': contentType, authorization: `Bearer ${pool.mTokens[0]}` }, body, chunked });
        if (route === 'attach' && 'status' in outcome && outcome.status === 200) {
          const container = fake.namespace('fz-m').scalingo.containers().find((c) => c.attach && path.includes(new URL(`http://x${path}`).pathname.split('/')[2]!));
          for (const upload of container?.attach?.uploads ?? []) {
            expect(upload.name).not.toMatch(/[\\/\u0000]/);
            expect(['', '.', '..']).not.toContain(upload.name);
          }
        }
      }),
      { numRuns: 90, interruptAfterTimeLimit: 4000 },
    );
    expect(specProblems()).toEqual([]);
    expect(errors).not.toHaveBeenCalled();
  });
});

describe('fuzzing the HTTP parser', () => {
  it('refuses broken request lines, headers and framing with a 4xx (never a 5xx or a stack), and stays up', async () => {
    await fc.assert(
      fc.asyncProperty(rawRequest, fc.boolean(), async (bytes, endAfter) => {
        const reply = await sendRaw(fake.port, bytes, { waitMs: 150, endAfter });
        for (const status of statusesIn(reply)) expect(status < 500 || status === 503, reply.slice(0, 300)).toBe(true);
        expect(reply).not.toMatch(LEAK);
      }),
      { numRuns: 80, interruptAfterTimeLimit: 5000 },
    );
    expect(errors).not.toHaveBeenCalled();
  });
});

/** CONNECT, then random bytes; resolves with the response head (or '' if none came) once done. */
function connectFuzz(target: string, headers: string, after: Uint8Array, close: 'end' | 'destroy' | 'linger') {
  return new Promise<string>((resolve) => {
    const socket = connect(fake.port, '127.0.0.1', () => socket.write(Buffer.concat([Buffer.from(`CONNECT ${target} HTTP/1.1\r\nHost: x\r\n${headers}\r\n`), after])));
    let received = '';
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(received);
    };
    // A CONNECT held for a booting container gets no head: leave after a moment.
    const timer = setTimeout(finish, 150);
    socket.on('data', (d: Buffer) => {
      received += d.toString('latin1');
      if (!received.includes('\r\n\r\n') || settled) return;
      if (close === 'destroy') return finish();
      if (close === 'end') socket.end();
    });
    socket.on('error', finish);
    socket.on('close', finish);
  });
}

describe('fuzzing CONNECT', () => {
  it('answers any CONNECT with 200 on a live attach URL or a 4xx/503, whatever bytes follow, and ends every session', async () => {
    const target = fc.oneof(
      { weight: 3, arbitrary: fc.constant('live') },
      { weight: 1, arbitrary: fc.constant('booting') },
      { weight: 1, arbitrary: fc.constant('absolute') },
      { weight: 3, arbitrary: fc.array(segment, { maxLength: 4 }).map((s) => `/attach/${s.join('/')}`) },
      { weight: 2, arbitrary: fc.constantFrom('*', 'host:443', '/', '/ns/fz-m/attach/', '/ns/%ZZ/attach/x', '/attach/x?y=1', 'http://[::1', `/attach/${'a'.repeat(5000)}`) },
    );
    const headers = fc.array(fc.tuple(headerName, headerValue).map(([k, v]) => `${k}: ${v}\r\n`), { maxLength: 3 }).map((h) => h.join(''));
    const auth = fc.option(fc.constantFrom('Authorization: Bearer forged\r\n', 'Authorization: Basic Og==\r\n', `Authorization: ${basic('x')}\r\n`));
    await fc.assert(
      fc.asyncProperty(target, headers, auth, fc.uint8Array({ maxLength: 512 }), fc.constantFrom('end' as const, 'destroy' as const, 'linger' as const), async (kind, extra, authorization, after, close) => {
        const live = kind === 'live' || kind === 'absolute' || kind === 'booting';
        let path = live ? await freshSession({ booting: kind === 'booting' }) : kind;
        if (kind === 'absolute') path = `http://127.0.0.1:${fake.port}${path}`;
        const head = await connectFuzz(path, `${extra}${authorization ?? ''}`, after, close);
        const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(head)?.[1] ?? 0);
        if (kind === 'booting') expect([0, 401]).toContain(status);
        else if (live && !authorization) expect(head.startsWith('HTTP/1.1 200 OK\r\n\r\n'), head.slice(0, 200)).toBe(true);
        else expect([200, 400, 401, 404, 409, 503], head.slice(0, 200)).toContain(status);
        expect(head).not.toMatch(LEAK);
      }),
      { numRuns: 90, interruptAfterTimeLimit: 4000 },
    );
    expect(errors).not.toHaveBeenCalled();
  });
});

describe('after the fuzzing', () => {
  it('still answers /healthz, and holds no session, waiter or socket', async () => {
    expect((await json('/healthz')) as unknown).toEqual({ status: 'SUCCESS' });
    agent.destroy();
    fake.reset('fz-m');
    await vi.waitFor(
      () => {
        fake.server.closeIdleConnections();
        expect(fake.liveCounts()).toMatchObject({ sockets: 0, attachSessions: 0, waiters: 0 });
      },
      { timeout: 3000, interval: 10 },
    );
  });
});

describe('fuzzing the parsers directly', () => {
  it('HOCON: any text parses or is refused with a HoconError, quickly', () => {
    const soup = fc.oneof(hoconBody, fc.string({ maxLength: 200 }), fc.nat(5000).map((n) => '['.repeat(n)), fc.nat(800).map((n) => `a = 1\n${Array.from({ length: n }, (_, i) => `k${i} = \${a}`).join('\n')}`));
    fc.assert(
      fc.property(soup, (text) => {
        try {
          const config = parseHocon(text);
          expect(typeof config).toBe('object');
        } catch (err) {
          expect(err, String(err)).toBeInstanceOf(HoconError);
        }
      }),
      { numRuns: 500 },
    );
    // A parser that backtracks or recurses without bound would not return on these (the run would
    // hang, not fail); speed is the bench's to measure, not a test's.
  }, 20_000);

  it('zip: entry names are read from any bytes without throwing', () => {
    const valid = jar('a/B.class', 'c.py');
    const mutated = fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }).map((edits) => {
      const copy = new Uint8Array(valid);
      for (const [at, byte] of edits) copy[at] = byte;
      return copy;
    });
    fc.assert(
      fc.property(fc.oneof(mutated, fc.uint8Array({ maxLength: 300 }).map((b) => Uint8Array.from([0x50, 0x4b, 0x03, 0x04, ...b]))), (bytes) => {
        expect(Array.isArray(zipEntryNames(bytes))).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });
});
