// The journal keeps what a client sent and what it got: bodies as text (bounded, secrets masked),
// JSON parsed, binaries and uploads as size and SHA-256; read over HTTP and in-process alike.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startFake, type LogEntry } from '../../src/index.js';
import { call, useFake } from '../helpers/fake.js';
import { worldOf } from '../helpers/internals.js';
import { api, basic, freshNamespace, login, runToDone } from '../helpers/scalingo.js';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A jar (a zip archive with one stored file). */
function jar(): Uint8Array {
  const name = Buffer.from('a.txt');
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(name.length, 26);
  return Buffer.concat([header, name]);
}

describe('the journal keeps the bodies', () => {
  const ctx = useFake();

  it("keeps a run's JSON body, read back parsed over HTTP and in-process, and the answer's excerpt", async () => {
    const ns = ctx.fake.namespace(freshNamespace());
    const scalingo = api(ns.url, await login(ns.url));
    const run = await scalingo.post('/v1/apps/my-app/run', { command: 'rake db:migrate', env: { RAILS_ENV: 'staging' }, size: 'L' });
    expect(run.status).toBe(200);

    const [entry] = ns.journal({ method: 'POST', path: '/v1/apps/my-app/run' });
    expect(entry!.body).toMatchObject({ contentType: 'application/json', json: { command: 'rake db:migrate', env: { RAILS_ENV: 'staging' }, size: 'L' } });
    expect(entry!.body!.size).toBe(Buffer.byteLength(JSON.stringify({ command: 'rake db:migrate', env: { RAILS_ENV: 'staging' }, size: 'L' })));
    expect(entry!.response!.json).toMatchObject({ container: { command: 'rake db:migrate', size: 'L' } });

    const viaHttp = await call(`${ns.url}/__jobfake/journal?method=POST&path=/v1/apps/my-app/run`);
    expect(viaHttp.status).toBe(200);
    expect(viaHttp.body.requests[0].body.json).toEqual({ command: 'rake db:migrate', env: { RAILS_ENV: 'staging' }, size: 'L' });
    expect(viaHttp.body.requests[0]).toEqual(JSON.parse(JSON.stringify(entry)));
  });

  it("keeps a Spark job's config as sent, and finds it by its content", async () => {
    const ns = ctx.fake.namespace(freshNamespace());
    expect((await call(`${ns.url}/binaries/wc`, { method: 'POST', headers: { 'content-type': 'application/java-archive' }, body: jar() })).status).toBe(200);
    const config = 'input.string = "the quick brown fox"\nspark.executor.memory = 2g';
    const job = await call(`${ns.url}/jobs?appName=wc&classPath=spark.jobserver.WordCountExample`, { method: 'POST', body: config });
    expect(job.status).toBe(202);
    await call(`${ns.url}/jobs?appName=wc&classPath=spark.jobserver.WordCountExample`, { method: 'POST', body: 'input.string = other' });

    const found = await call(`${ns.url}/__jobfake/journal?body=${encodeURIComponent('quick brown')}`);
    expect(found.body.count).toBe(1);
    expect(found.body.requests[0]).toMatchObject({ method: 'POST', path: '/jobs', body: { text: config, size: Buffer.byteLength(config) } });
    expect(found.body.requests[0].response.json).toMatchObject({ jobId: job.body.jobId, status: 'STARTED' });
    expect(ns.journal({ body: 'input.string' }).map((e) => e.body!.text)).toEqual([config, 'input.string = other']);
    expect(ns.journal({ body: 'no such text' })).toEqual([]);

    // The jar itself is bytes: kept as its size and digest, not as text.
    const [upload] = ns.journal({ path: '/binaries/wc' });
    expect(upload!.body).toEqual({ size: jar().length, contentType: 'application/java-archive', sha256: sha256(jar()) });
    // A jar past journalBodyBytes too (its digest is taken as it is journaled, the bytes not kept).
    const big = Buffer.concat([Buffer.from(jar()), Buffer.alloc(200 * 1024, 7)]);
    expect((await call(`${ns.url}/binaries/big`, { method: 'POST', headers: { 'content-type': 'application/java-archive' }, body: big })).status).toBe(200);
    expect(ns.journal({ path: '/binaries/big' })[0]!.body).toEqual({ size: big.length, contentType: 'application/java-archive', sha256: sha256(big) });
  });

  it('answers one entry by its id, headers and bodies included, and 404 for an id not kept', async () => {
    const ns = ctx.fake.namespace(freshNamespace());
    await call(`${ns.url}/jobs?appName=none&classPath=x`, { method: 'POST', headers: { 'x-trace': 'abc' }, body: 'a = 1' });
    const [kept] = (await call(`${ns.url}/__jobfake/journal`)).body.requests;
    const one = await call(`${ns.url}/__jobfake/journal/${kept.id}`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(kept);
    expect(one.body).toMatchObject({ headers: { 'x-trace': 'abc' }, body: { text: 'a = 1' }, status: 404, response: { json: { status: 'ERROR', result: 'appName none not found' } } });
    // The inspector's live state lists it without headers or bodies.
    const state = await call(`${ns.url}/__jobfake/events?once=true`);
    const listed = JSON.parse(state.text.split('\n').find((line: string) => line.startsWith('data: '))!.slice(6)).journal.requests[0];
    expect(listed).toEqual({ id: kept.id, time: kept.time, method: 'POST', path: '/jobs', query: kept.query, bodySize: 5, status: 404, durationMs: kept.durationMs });
    for (const id of [String(kept.id + 1), 'abc', '-1']) {
      const missing = await call(`${ns.url}/__jobfake/journal/${id}`);
      expect(missing.status, id).toBe(404);
      expect(missing.body, id).toEqual({ error: `no journal entry ${id}` });
    }
  });

  it("keeps an attach upload as the file's name, size and digest", async () => {
    const ns = freshNamespace();
    const { attachUrl } = await runToDone(ctx.fake, ctx.fake.namespace(ns).url, ns);
    const content = Buffer.alloc(3 * 1024 * 1024, 'x');
    const form = new FormData();
    form.append('file', new Blob([content]), 'dump.sql');
    expect((await fetch(`${attachUrl}/files`, { method: 'POST', body: form })).status).toBe(200);
    const [entry] = ctx.fake.namespace(ns).journal({ path: '/attach/*/files' });
    expect(entry!.body).toMatchObject({ size: content.length, files: [{ name: 'dump.sql', size: content.length, sha256: sha256(content) }] });
    expect(entry!.body!.text).toBeUndefined();
  });

  it('never keeps the API token or a JWT: not in the journal, the inspector or the log', async () => {
    const lines: LogEntry[] = [];
    const fake = await startFake({ port: 0, log: (entry) => lines.push(entry) });
    try {
      const apiToken = 'tk-us-very-secret-0123456789';
      const exchange = await call(`${fake.url}/v1/tokens/exchange`, { method: 'POST', headers: { authorization: basic(apiToken) } });
      const jwt: string = exchange.body.token;
      expect(jwt).toMatch(/^eyJ/);
      const { attachUrl } = await runToDone(fake, fake.url, 'default');
      const secret = new URL(attachUrl).pathname.split('/')[2]!;

      const journal = (await call(`${fake.url}/__jobfake/journal`)).text;
      const state = JSON.stringify(fake.namespace('default').journal());
      const page = await (await fetch(`${fake.url}/__jobfake/ui`)).text();
      const events = await fetch(`${fake.url}/__jobfake/events`);
      const reader = events.body!.getReader();
      const first = new TextDecoder().decode((await reader.read()).value);
      await reader.cancel();
      for (const [where, text] of Object.entries({ journal, state, page, events: first, log: JSON.stringify(lines) })) {
        expect(text, where).not.toContain(apiToken);
        expect(text, where).not.toContain(jwt);
        expect(text, where).not.toContain(jwt.split('.')[1]!);
      }
      // The bodies that held them are kept, masked: the exchange's answer, and a body that
      // carries a JWT (in its own namespace: the inspector shows the command it starts as sent).
      expect(journal).toContain('"text":"{\\"token\\":\\"***\\"}"');
      const echo = fake.namespace('echo');
      await api(echo.url, await login(echo.url)).post('/v1/apps/my-app/run', { command: `echo ${jwt}` });
      const [run] = echo.journal({ path: '/v1/apps/my-app/run' });
      expect(run!.body!.text).toBe('{"command":"echo ***"}');
      expect(JSON.stringify(run!.response)).not.toContain(jwt);
      // An attach secret is masked in bodies; it stays in the paths of the attach URL's own requests.
      expect(JSON.stringify(fake.namespace('default').journal({ path: '/v1/**' }))).not.toContain(secret);
    } finally {
      await fake.close();
    }
  });
});

describe('the journal within its bounds', () => {
  const ctx = useFake({ limits: { journalBodyBytes: 1024, journalBytes: 8 * 1024, bodyBytes: 64 * 1024 } });

  it('keeps the first journalBodyBytes of a body, marked truncated, never cutting a character', async () => {
    const ns = ctx.fake.namespace(freshNamespace());
    const body = `input.string = "${'é'.repeat(2000)}"`;
    await call(`${ns.url}/jobs?appName=none&classPath=x`, { method: 'POST', body });
    const [entry] = ns.journal({ path: '/jobs' });
    expect(entry!.body!.size).toBe(Buffer.byteLength(body));
    expect(entry!.body!.truncated).toBe(true);
    const kept = Buffer.byteLength(entry!.body!.text!);
    expect(kept).toBeLessThanOrEqual(1024);
    expect(kept).toBeGreaterThan(1020);
    expect(body.startsWith(entry!.body!.text!)).toBe(true);
  });

  it('drops the oldest entries once their bodies pass journalBytes, under a stream of large bodies', async () => {
    const ns = ctx.fake.namespace(freshNamespace());
    for (let i = 0; i < 40; i++) await call(`${ns.url}/jobs?appName=none&classPath=x`, { method: 'POST', body: `n = ${i}\ns = "${'a'.repeat(30_000)}"` });
    const kept = ns.journal();
    const held = kept.reduce((sum, e) => sum + Buffer.byteLength(e.body?.text ?? '') + Buffer.byteLength(e.response?.text ?? ''), 0);
    expect(held).toBeLessThanOrEqual(8 * 1024);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.at(-1)!.body!.text).toMatch(/^n = 39\n/);
    expect(kept.length).toBeLessThan(40);
  });

  it('counts each upload past journalBodyBytes against journalBytes, and holds its digest, not its bytes', async () => {
    const name = freshNamespace();
    const ns = ctx.fake.namespace(name);
    // Each counts journalBodyBytes (1 KiB, its answer's text a few bytes more): 8 KiB holds 7 of them.
    const big = Buffer.concat([Buffer.from(jar()), Buffer.alloc(4096, 7)]);
    for (let i = 0; i < 12; i++) await call(`${ns.url}/binaries/big${i}`, { method: 'POST', headers: { 'content-type': 'application/java-archive' }, body: big });
    const kept = ns.journal({ path: '/binaries/*' });
    expect(kept.map((e) => e.path)).toEqual(['/binaries/big5', '/binaries/big6', '/binaries/big7', '/binaries/big8', '/binaries/big9', '/binaries/big10', '/binaries/big11']);
    for (const e of kept) expect(e.body).toEqual({ size: big.length, contentType: 'application/java-archive', sha256: sha256(big) });
    // No view shows what a record holds: the upload's bytes are gone from every one.
    for (const record of worldOf(ctx.fake, name).journal) expect(record.input.body).toBeUndefined();
  });
});
