import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { Ajv, type ValidateFunction } from 'ajv';
import { describe, expect, it, vi } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { fixturesAjvOptions, fixturesSchemaKey, loadFixturesFile } from '../../src/fixtures.js';
import { textKey } from '../../src/prebuilt.js';
import { RegExpRouter } from 'hono/router/reg-exp-router';
import { createApp } from '../../src/app.js';
import type { ServerContext } from '../../src/context.js';
import { resolveLimits } from '../../src/limits.js';
import { searchOf } from '../../src/pipeline.js';
import { API_MOUNTS, startFake } from '../../src/server.js';
import { Spec, createSpecAjv, specKey } from '../../src/spec.js';
import { call, useFake } from '../helpers/fake.js';
import { api, basic, freshNamespace, login } from '../helpers/scalingo.js';

/**
 * What the performance work (issue 9) changed under the hood stays invisible from outside: the
 * journal's copies, the body limit decided from headers, remembered token checks, the prebuilt
 * fixtures validator.
 */
describe('the hot paths keep their answers', () => {
  const ctx = useFake();

  /** A raw HTTP request, for bodies sent chunked (no Content-Length). */
  function chunked(url: string, headers: Record<string, string>, chunks: Buffer[]): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request(url, { method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' } }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      for (const chunk of chunks) req.write(chunk);
      req.end();
    });
  }

  it('journals the query and every header as sent, the credentials masked, in the entry order as before', async () => {
    const ns = ctx.fake.namespace(freshNamespace());
    const token = await login(ns.url);
    await call(`${ns.url}/v1/apps/my-app?b=2&a='x'&c=%20#frag`, {
      headers: { authorization: `Bearer ${token}`, 'X-Extra': 'one', 'x-extra': 'two', accept: 'application/json' },
    });
    const [entry] = ns.journal({ path: '/v1/apps/my-app' });
    expect(Object.keys(entry!)).toEqual(['id', 'time', 'method', 'path', 'query', 'headers', 'bodySize', 'status', 'response', 'durationMs']);
    expect(entry!.query).toBe("?b=2&a=%27x%27&c=%20");
    expect(entry!.headers).toMatchObject({ authorization: 'Bearer ***', 'x-extra': 'one, two', accept: 'application/json' });
    expect(Object.keys(entry!.headers)).toEqual(Object.keys(entry!.headers).sort());
    const viaHttp = await call(`${ns.url}/__jobfake/journal?path=/v1/apps/my-app`);
    expect(viaHttp.body.requests[0]).toEqual(JSON.parse(JSON.stringify(entry)));
  });

  it("routes with Hono's RegExpRouter: every route is one it takes (one it refuses sends the whole app to the slower TrieRouter)", () => {
    const app = createApp({ limits: resolveLimits({}) } as ServerContext, API_MOUNTS);
    const router = new RegExpRouter<unknown>();
    for (const route of app.routes) router.add(route.method, route.path, route.handler);
    expect(app.routes.length).toBeGreaterThan(50);
    expect(() => router.match('GET', '/ns/a/v1/apps/my-app/operations/x')).not.toThrow();
  });

  it('slices the query as new URL() would', () => {
    for (const url of ['http://h/p', 'http://h/p?', 'http://h/p?a=1', "http://h/p?a='1'", 'http://h/p?a=1#f', 'http://h/p#f?a', 'http://h/p?a b', 'http://h/p?\u00e9', 'http://h/p?a="<>"', 'http://h/p??x']) {
      expect(searchOf(url), url).toBe(new URL(url).search);
    }
  });

  it('still counts a chunked body against the limit (413), and lets a smaller one through', async () => {
    const ns = ctx.fake.namespace(freshNamespace());
    const token = await login(ns.url);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const limit = ctx.fake.limits.bodyBytes;
    const big = await chunked(`${ns.url}/v1/apps/my-app/run`, headers, [Buffer.from('{"command":"'), Buffer.alloc(limit, 0x61), Buffer.from('"}')]);
    expect(big.status).toBe(413);
    const small = await chunked(`${ns.url}/v1/apps/my-app/run`, headers, [Buffer.from('{"command":'), Buffer.from('"bash"}')]);
    expect(small.status).toBe(200);
    const spark = await chunked(`${ns.url}/jobs?appName=x&classPath=y`, { 'content-type': 'text/plain' }, [Buffer.alloc(limit + 1, 0x61)]);
    expect(spark.status).toBe(413);
  });

  it('accepts a chunked multipart upload (read through Hono)', async () => {
    const ns = ctx.fake.namespace(freshNamespace());
    const scalingo = api(ns.url, await login(ns.url));
    const run = await scalingo.post('/v1/apps/my-app/run', { command: 'bash' });
    const boundary = 'b0undary';
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="c.txt"\r\nContent-Type: text/plain\r\n\r\nchunked\r\n--${boundary}--\r\n`;
    const res = await chunked(`${run.body.attach_url}/files`, { 'content-type': `multipart/form-data; boundary=${boundary}` }, [Buffer.from(body.slice(0, 20)), Buffer.from(body.slice(20))]);
    expect(res.status).toBe(200);
    const container = ns.scalingo.container(run.body.container.id) as { attach?: { uploads?: { path: string; size: number }[] } };
    expect(JSON.stringify(container)).toContain('/tmp/uploads/c.txt');
  });

  it('counts a chunked upload form as it streams: 413 past the form bound or the file limit, and a file of exactly the limit is taken', async () => {
    const fake = await startFake({ port: 0, limits: { uploadBytes: 64 * 1024 }, checkResponses: true });
    try {
      const scalingo = api(fake.url, await login(fake.url));
      const run = await scalingo.post('/v1/apps/my-app/run', { command: 'bash' });
      const boundary = 'b0undary';
      const form = (content: Buffer) => [
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="d.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`),
        // In 8 KiB pieces: the form streams in, no piece over the bound on its own.
        ...Array.from({ length: Math.ceil(content.length / 8192) }, (_, i) => content.subarray(i * 8192, (i + 1) * 8192)),
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ];
      const upload = (content: Buffer) => chunked(`${run.body.attach_url}/files`, { 'content-type': `multipart/form-data; boundary=${boundary}` }, form(content));
      // Past the whole form's bound (the file's limit and 64 KiB of framing): cut off as it streams.
      const overForm = await upload(Buffer.alloc(200 * 1024, 1));
      expect(overForm).toEqual({ status: 413, body: JSON.stringify({ error: 'upload too large (limit 65536 bytes)' }) });
      // Within the form's bound, the file one byte over its limit.
      const overFile = await upload(Buffer.alloc(64 * 1024 + 1, 2));
      expect(overFile).toEqual({ status: 413, body: JSON.stringify({ error: 'file too large: over 65536 bytes, the limit' }) });
      const exact = Buffer.alloc(64 * 1024, 3);
      expect(await upload(exact)).toEqual({ status: 200, body: '' });
      // With a Content-Length too: a file of exactly the limit is taken (busboy alone would call it truncated).
      const sized = async (bytes: number) => {
        const form = new FormData();
        form.append('file', new Blob([Buffer.alloc(bytes, 4)]), `e${bytes}.bin`);
        return (await fetch(`${run.body.attach_url}/files`, { method: 'POST', body: form })).status;
      };
      expect(await sized(64 * 1024)).toBe(200);
      expect(await sized(64 * 1024 + 1)).toBe(413);
      const container = fake.namespace('default').scalingo.container(run.body.container.id) as { attach?: { uploads?: { path: string; size: number }[] } };
      expect(container.attach?.uploads).toEqual([
        expect.objectContaining({ path: '/tmp/uploads/d.bin', size: exact.length }),
        expect.objectContaining({ path: '/tmp/uploads/e65536.bin', size: 64 * 1024 }),
      ]);
      expect(fake.specViolations()).toEqual([]);
    } finally {
      await fake.close();
    }
  });

  /**
   * Opens a raw connection to a fresh attach upload URL, lets `send` write a form busboy refuses
   * midway (and the rest of its body), then asks GET /healthz on the same connection: expects the
   * 400 for the form, then the 200.
   */
  async function refusedThenServed(send: (socket: Socket, filesPath: string, boundary: string) => Promise<void>): Promise<void> {
    const ns = ctx.fake.namespace(freshNamespace());
    const run = await api(ns.url, await login(ns.url)).post('/v1/apps/my-app/run', { command: 'bash' });
    const socket = connect(ctx.fake.port, '127.0.0.1');
    let answers = '';
    socket.on('data', (d) => (answers += d.toString('latin1')));
    await new Promise((resolve) => socket.once('connect', resolve));
    await send(socket, `${new URL(run.body.attach_url).pathname}/files`, 'b0undary');
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await vi.waitFor(() => expect(answers).toContain('{"status":"SUCCESS"}'), { timeout: 5000, interval: 20 });
    socket.destroy();
    expect(answers.match(/HTTP\/1\.1 \d+/g)).toEqual(['HTTP/1.1 400', 'HTTP/1.1 200']);
    expect(answers).toContain('{"error":"malformed multipart body"}');
  }

  /** Writes `count` pieces of 64 KiB, waiting on back-pressure. */
  async function writeMany(socket: Socket, count: number, piece: (bytes: Buffer) => Buffer = (bytes) => bytes): Promise<void> {
    for (let i = 0; i < count; i++) if (!socket.write(piece(Buffer.alloc(65536, 2)))) await new Promise((resolve) => socket.once('drain', resolve));
  }

  it('answers a chunked form busboy refuses midway with 400, drops the rest of it, and serves the next request on the connection', async () => {
    const chunk = (bytes: Buffer) => Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n')]);
    await refusedThenServed(async (socket, path, boundary) => {
      socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nTransfer-Encoding: chunked\r\n\r\n`);
      // A part header busboy cannot read, while the file before it is still being written (so the
      // parser may be full), then 8 MiB more of the body.
      socket.write(Buffer.concat([
        chunk(Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n\r\n`), Buffer.alloc(10240, 1)])),
        chunk(Buffer.alloc(10240, 1)),
        chunk(Buffer.concat([Buffer.from(`\r\n--${boundary}\r\n\x01bad: x\r\n\r\n`), Buffer.alloc(10240, 1)])),
      ]));
      await writeMany(socket, 128, chunk);
      socket.write('0\r\n\r\n');
    });
  });

  it('answers a form of known length busboy refuses midway with 400, drops the rest of it, and serves the next request on the connection', async () => {
    await refusedThenServed(async (socket, path, boundary) => {
      const head = Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n\r\n`),
        Buffer.alloc(20480, 1),
        Buffer.from(`\r\n--${boundary}\r\n\x01bad: x\r\n\r\n`),
      ]);
      const rest = 8 * 1024 * 1024;
      socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${head.length + rest}\r\n\r\n`);
      socket.write(head);
      // The rest of the announced body after the part busboy refused.
      await writeMany(socket, rest / 65536);
    });
  });

  it('checks a remembered token against the namespace and its clock every time', async () => {
    const a = ctx.fake.namespace(freshNamespace());
    const b = ctx.fake.namespace(freshNamespace());
    const token = await login(a.url);
    const get = (base: string) => call(`${base}/v1/apps/my-app`, { headers: { authorization: `Bearer ${token}` } });
    expect((await get(a.url)).status).toBe(200);
    expect((await get(a.url)).status).toBe(200);
    expect((await get(b.url)).body.error).toMatch(/another namespace/);
    a.clock.advance(3601 * 1000);
    expect((await get(a.url)).body.error).toMatch(/expired/);
    const forged = `${token.slice(0, -2)}xx`;
    expect((await call(`${a.url}/v1/apps/my-app`, { headers: { authorization: `Bearer ${forged}` } })).body.error).toMatch(/signature|not a JWT/);
    expect((await call(`${a.url}/v1/tokens/exchange`, { method: 'POST', headers: { authorization: basic('tk') } })).status).toBe(200);
  });
});

describe('what the build prepares for start-up', () => {
  const schemaText = readFileSync(new URL('../../fixtures/schema.json', import.meta.url), 'utf8');
  const built = createRequire(import.meta.url)('../../dist/fixtures-validator.cjs') as ((v: unknown) => boolean) & { errors?: unknown; key?: string };

  it('was compiled from the current fixtures/schema.json', () => {
    expect(built.key).toBe(fixturesSchemaKey(schemaText));
  });

  it('finds the same errors as the schema compiled at run time', () => {
    const compiled = new Ajv(fixturesAjvOptions).compile(JSON.parse(schemaText));
    const samples = [
      {},
      { scalingo: { apps: [{ name: 'a' }] } },
      { scalingo: { tokens: 'no' } },
      { scalingo: { appz: [] } },
      { scalingo: { schedule: { pending: -1 } }, sparkJobserver: { version: '9' } },
      { sparkJobserver: { classes: [{ name: 1, extra: true }] } },
      [],
    ];
    for (const sample of samples) {
      expect(built(sample)).toBe(compiled(sample));
      expect(built.errors ?? null).toEqual(compiled.errors ?? null);
    }
  });

  it('holds the bundled default fixtures as parsed from the current default.yaml', () => {
    const text = readFileSync(new URL('../../fixtures/default.yaml', import.meta.url), 'utf8');
    const prebuilt = createRequire(import.meta.url)('../../dist/default-fixtures.cjs') as { key: string; json: string };
    expect(prebuilt.key).toBe(textKey(text));
    expect(JSON.parse(prebuilt.json)).toEqual(parseYaml(text));
    // Each load is a fresh object: a caller may change what it gets.
    const path = new URL('../../fixtures/default.yaml', import.meta.url).pathname;
    const first = loadFixturesFile(path);
    first.scalingo!.apps = [];
    expect(loadFixturesFile(path).scalingo!.apps).toEqual([{ name: 'my-app' }]);
  });
});

describe('what the build prepares for the first request', () => {
  const specText = readFileSync(new URL('../../openapi.yaml', import.meta.url), 'utf8');
  const load = createRequire(import.meta.url);
  const doc = load('../../dist/openapi-doc.cjs') as { key: string; json: string; validators: Record<string, number> };
  const spec = new Spec(specText);

  it('holds openapi.yaml as parsed from the current text, and a validator for each schema the server checks', () => {
    expect(doc.key).toBe(specKey(specText));
    expect(JSON.parse(doc.json)).toEqual(parseYaml(specText));
    expect(Object.keys(doc.validators).sort()).toEqual(spec.schemaPointers().sort());
    expect(spec.schemaPointers()).toContain('#/paths/~1v1~1apps~1{app}~1run/post/requestBody/content/application~1json/schema');
  });

  it('whose validators find the same errors as the schemas compiled at run time', () => {
    const ajv = createSpecAjv(spec.doc);
    // Every schema, on values of each JSON type and two objects that break most schemas.
    const samples = [{}, [], null, 'x', 1, true, { command: 1, env: { A: 1 }, size: 'XXL' }, { status: 'nope', id: 1, created_at: 'yesterday', url: 'not a uri' }];
    for (const [pointer, n] of Object.entries(doc.validators)) {
      const built = load(`../../dist/openapi-validators/${n}.cjs`) as ValidateFunction & { key: string };
      expect(built.key, pointer).toBe(doc.key);
      const compiled = ajv.compile({ $ref: `openapi${pointer}` });
      for (const sample of samples) {
        expect(built(sample), pointer).toBe(compiled(sample));
        expect(built.errors ?? null, pointer).toEqual(compiled.errors ?? null);
      }
    }
  });

  it('is what a Spec of the same text uses; another text is parsed and compiled as given', () => {
    const pointer = '#/paths/~1v1~1apps~1{app}~1run/post/requestBody/content/application~1json/schema';
    expect(spec.validator(pointer)).toBe(load(`../../dist/openapi-validators/${doc.validators[pointer]}.cjs`));
    const changed = new Spec(specText.replace("command: { type: string, minLength: 1", "command: { type: string, minLength: 2"));
    expect(spec.validator(pointer)({ command: 'a' })).toBe(true);
    expect(changed.validator(pointer)({ command: 'a' })).toBe(false);
  });
});
