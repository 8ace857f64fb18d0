import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../src/spec.js';
import { call, useFake } from '../helpers/fake.js';
import { api, freshNamespace, login, openTunnel } from '../helpers/scalingo.js';

const json = (method: string, body?: unknown) => ({ method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

describe('driving the fake from a test with the public helper', () => {
  const ctx = useFake();

  it('forces a one-off\'s operation to error, and the client sees the message', async () => {
    const ns = ctx.fake.namespace(freshNamespace());
    ns.clock.pause();
    const scalingo = api(ns.url, await login(ns.url));
    const run = await scalingo.post('/v1/apps/my-app/run', { command: 'bash' });
    const id = run.headers.get('location')!.split('/').pop()!;
    expect(ns.scalingo.failOperation(id, 'image pull failed').status).toBe('error');
    const op = await scalingo.get(`/v1/apps/my-app/operations/${id}`);
    expect(op.body.operation).toMatchObject({ status: 'error', error: 'image pull failed' });
    expect(() => ns.scalingo.advanceOperation(id)).toThrow(/already ended/);
  });

  it('advances an operation step by step with time paused', async () => {
    const ns = ctx.fake.namespace(freshNamespace());
    ns.clock.pause();
    const run = await api(ns.url, await login(ns.url)).post('/v1/apps/my-app/run', { command: 'bash' });
    const id = run.headers.get('location')!.split('/').pop()!;
    expect(ns.scalingo.advanceOperation(id).status).toBe('running');
    expect(ns.scalingo.advanceOperation(id).history.map((h) => h.status)).toEqual(['pending', 'running', 'done']);
    expect(ns.scalingo.container('one-off-1')).toMatchObject({ state: 'running', attach: { phase: 'waiting' } });
  });

  it('counts the polls of an operation in the journal', async () => {
    const ns = ctx.fake.namespace(freshNamespace());
    ns.clock.pause();
    const scalingo = api(ns.url, await login(ns.url));
    const run = await scalingo.post('/v1/apps/my-app/run', { command: 'bash' });
    const path = new URL(run.headers.get('location')!).pathname.replace(`/ns/${ns.name}`, '');
    for (let i = 0; i < 3; i++) await scalingo.get(path);
    ns.clock.advance(600);
    await scalingo.get(path);
    expect(ns.journal({ method: 'GET', path: '/v1/apps/*/operations/*' })).toHaveLength(4);
    const entry = ns.journal({ path: '/v1/apps/my-app/run' })[0]!;
    expect(entry).toMatchObject({ method: 'POST', status: 200 });
    expect(entry.headers['authorization']).toBe('Bearer ***');
    ns.clearJournal();
    expect(ns.journal()).toEqual([]);
  });

  it('injects a 500 once, then the route answers normally; reset clears faults', async () => {
    const ns = ctx.fake.namespace(freshNamespace());
    const scalingo = api(ns.url, await login(ns.url));
    ns.faults.add({ match: { method: 'GET', path: '/v1/apps/my-app' }, action: { type: 'status', status: 500 }, times: 1 });
    const failed = await scalingo.get('/v1/apps/my-app');
    expect(failed.status).toBe(500);
    expect(failed.body).toEqual({ error: 'fault injected by jobfake: 500' });
    expect((await scalingo.get('/v1/apps/my-app')).status).toBe(200);
    ns.faults.add({ match: { path: '/v1/apps/**' }, action: { type: 'rateLimit', retryAfter: 7 } });
    const limited = await scalingo.get('/v1/apps/my-app/ps');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    ns.reset();
    expect(ns.faults.list()).toEqual([]);
    expect((await scalingo.get('/v1/apps/my-app/ps')).status).toBe(200);
  });

  it('closes the connection for empty and reset faults, and the server stays up', async () => {
    const ns = ctx.fake.namespace(freshNamespace());
    ns.faults.add({ match: { path: '/healthz' }, action: { type: 'empty' }, times: 1 });
    ns.faults.add({ match: { path: '/healthz' }, action: { type: 'reset' }, times: 1 });
    await expect(fetch(`${ns.url}/healthz`)).rejects.toThrow();
    await expect(fetch(`${ns.url}/healthz`)).rejects.toThrow();
    expect((await call(`${ns.url}/healthz`)).status).toBe(200);
  });

  it('drops an attach session after N bytes', async () => {
    const ns = ctx.fake.namespace(freshNamespace());
    ns.clock.pause();
    const run = await api(ns.url, await login(ns.url)).post('/v1/apps/my-app/run', { command: 'bash' });
    ns.clock.advance(600);
    ns.faults.add({ match: { method: 'CONNECT' }, action: { type: 'dropAfterBytes', bytes: 4 } });
    const tunnel = await openTunnel(run.body.attach_url);
    tunnel.socket.write('abcdefgh');
    await tunnel.rest;
    expect(ns.scalingo.container('one-off-1').attach).toMatchObject({ received: 'abcd', phase: 'ended' });
  });

  it('keeps two namespaces with the same app names apart', async () => {
    const a = ctx.fake.namespace(freshNamespace('a'));
    const b = ctx.fake.namespace(freshNamespace('b'));
    a.clock.pause();
    b.clock.pause();
    const [runA, runB] = await Promise.all([
      api(a.url, await login(a.url)).post('/v1/apps/my-app/run', { command: 'in a' }),
      api(b.url, await login(b.url)).post('/v1/apps/my-app/run', { command: 'in b' }),
    ]);
    expect(runA.body.container.label).toBe('one-off-1');
    expect(runB.body.container.label).toBe('one-off-1');
    a.clock.advance(600);
    expect(a.scalingo.operations().map((o) => o.status)).toEqual(['done']);
    expect(b.scalingo.operations().map((o) => o.status)).toEqual(['pending']);
    expect(b.scalingo.containers().map((c) => c.command)).toEqual(['in b']);
    expect(a.journal().some((e) => e.path.includes(runB.body.container.id))).toBe(false);
    const idB = runB.headers.get('location')!.split('/').pop()!;
    const crossed = await api(a.url, await login(a.url)).get(`/v1/apps/my-app/operations/${idB}`);
    expect(crossed.status).toBe(404);
  });
});

describe('the control API over HTTP', () => {
  const ctx = useFake();

  it('adds apps and tokens, sets schedules, reads operations and containers', async () => {
    const base = `${ctx.url}/ns/${freshNamespace()}/__jobfake`;
    expect((await call(`${base}/scalingo/apps`, json('POST', { name: 'billing', schedule: { pending: 0, running: 50 } }))).status).toBe(201);
    expect((await call(`${base}/scalingo/apps`)).body.apps.map((a: { name: string }) => a.name)).toEqual(['my-app', 'billing']);
    expect((await call(`${base}/scalingo/tokens`, json('POST', { token: 'tk-only' }))).status).toBe(204);
    expect((await call(`${base}/scalingo/schedule`, json('PUT', { pending: 10, running: 10 }))).status).toBe(204);
    expect((await call(`${base}/clock`, json('POST', { paused: true }))).body.paused).toBe(true);

    const apiBase = base.replace('/__jobfake', '');
    const refused = await call(`${apiBase}/v1/tokens/exchange`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from(':other').toString('base64')}` } });
    expect(refused.status).toBe(401);
    const run = await api(apiBase, await login(apiBase, 'tk-only')).post('/v1/apps/billing/run', { command: 'bill' });
    const id = run.headers.get('location')!.split('/').pop()!;
    expect((await call(`${base}/scalingo/operations`)).body.operations).toHaveLength(1);
    expect((await call(`${base}/scalingo/operations/${id}`)).body.status).toBe('pending');
    expect((await call(`${base}/clock`, json('POST', { advance: 50 }))).body.paused).toBe(true);
    expect((await call(`${base}/scalingo/operations/${id}`)).body.status).toBe('done');
    expect((await call(`${base}/scalingo/containers`)).body.containers[0]).toMatchObject({ app: 'billing', state: 'running' });
    const container = await call(`${base}/scalingo/containers/one-off-1`);
    expect(container.body).toMatchObject({ command: 'bill', attach: { phase: 'waiting', uploads: [] } });
    expect((await call(`${base}/clock`)).body.paused).toBe(true);
  });

  it('advances and fails operations, with 404 and 409 where they do not apply', async () => {
    const ns = freshNamespace();
    const base = `${ctx.url}/ns/${ns}/__jobfake`;
    ctx.fake.namespace(ns).clock.pause();
    const apiBase = `${ctx.url}/ns/${ns}`;
    const scalingo = api(apiBase, await login(apiBase));
    const first = (await scalingo.post('/v1/apps/my-app/run', { command: 'a' })).headers.get('location')!.split('/').pop()!;
    const second = (await scalingo.post('/v1/apps/my-app/run', { command: 'b' })).headers.get('location')!.split('/').pop()!;
    expect((await call(`${base}/scalingo/operations/${first}/advance`, json('POST', { to: 'done' }))).body.status).toBe('done');
    const again = await call(`${base}/scalingo/operations/${first}/advance`, json('POST', {}));
    expect(again.status).toBe(409);
    expect((await call(`${base}/scalingo/operations/${second}/fail`, json('POST', { message: 'boom' }))).body).toMatchObject({ status: 'error', error: 'boom' });
    expect((await call(`${base}/scalingo/operations/${second}/fail`, json('POST', { message: 'again' }))).status).toBe(409);
    expect((await call(`${base}/scalingo/operations/nope`)).status).toBe(404);
    expect((await call(`${base}/scalingo/operations/nope/advance`, json('POST', {}))).status).toBe(404);
    expect((await call(`${base}/scalingo/operations/nope/fail`, json('POST', { message: 'x' }))).status).toBe(404);
    expect((await call(`${base}/scalingo/containers/nope`)).body).toEqual({ error: 'no container nope' });
  });

  it('names the offending field of a bad control body, from the spec', async () => {
    const base = `${ctx.url}/ns/${freshNamespace()}/__jobfake`;
    const bad = await call(`${base}/scalingo/operations/x/advance`, json('POST', { to: 'finished' }));
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('to must be one of running, done');
    expect((await call(`${base}/scalingo/apps`, json('POST', { nom: 'x' }))).body.error).toMatch(/name is required/);
    const fault = await call(`${base}/faults`, json('POST', { action: { type: 'explode' } }));
    expect(fault).toMatchObject({ status: 400, body: { error: 'action does not match any of the allowed forms (see openapi.yaml)' } });
    expect((await call(`${base}/clock`, { method: 'POST', body: '{' })).body.error).toMatch(/^invalid JSON body/);
    expect((await call(`${base}/scalingo/tokens`, json('POST', {}))).status).toBe(400);
    expect((await call(`${base}/scalingo/schedule`, json('PUT', { pending: -1 }))).status).toBe(400);
    expect((await call(`${base}/scalingo/operations/x/fail`, json('POST', {}))).status).toBe(400);
    expect((await call(`${base}/journal?limit=ten`)).status).toBe(400);
  });

  it('reads, filters and clears the journal; adds, lists and removes faults', async () => {
    const ns = freshNamespace();
    const base = `${ctx.url}/ns/${ns}/__jobfake`;
    await call(`${ctx.url}/ns/${ns}/healthz`);
    await call(`${ctx.url}/ns/${ns}/v1/apps/my-app`);
    const journal = await call(`${base}/journal?path=/v1/**&status=401`);
    expect(journal.body).toMatchObject({ count: 1, requests: [{ method: 'GET', path: '/v1/apps/my-app', status: 401 }] });
    expect((await call(`${base}/journal?limit=1`)).body.requests[0].path).toBe('/v1/apps/my-app');
    expect((await call(`${base}/journal`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(`${base}/journal`)).body.count).toBe(0);

    const fault = await call(`${base}/faults`, json('POST', { match: { path: '/healthz' }, action: { type: 'delay', ms: 1 }, times: 2 }));
    expect(fault.status).toBe(201);
    expect(fault.body).toMatchObject({ remaining: 2, hits: 0, action: { type: 'delay', ms: 1 } });
    expect((await call(`${base}/faults`)).body.faults).toHaveLength(1);
    expect((await call(`${base}/faults/${fault.body.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(`${base}/faults/${fault.body.id}`, { method: 'DELETE' })).status).toBe(404);
    await call(`${base}/faults`, json('POST', { action: { type: 'status', status: 503 } }));
    expect((await call(`${base}/faults`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(`${ctx.url}/ns/${ns}/healthz`)).status).toBe(200);
  });

  it('resets one namespace, or every one from the root, and lists namespaces', async () => {
    const ns = freshNamespace();
    const base = `${ctx.url}/ns/${ns}/__jobfake`;
    await call(`${base}/scalingo/apps`, json('POST', { name: 'temp' }));
    expect((await call(`${base}/reset`, json('POST'))).body).toEqual({ reset: [ns] });
    expect((await call(`${base}/scalingo/apps`)).body.apps.map((a: { name: string }) => a.name)).toEqual(['my-app']);
    expect((await call(`${ctx.url}/__jobfake/namespaces`)).body.namespaces).toContain(ns);
    await call(`${base}/scalingo/apps`, json('POST', { name: 'temp' }));
    const all = await call(`${ctx.url}/__jobfake/reset`, json('POST'));
    expect(all.body.reset).toContain(ns);
    expect((await call(`${base}/scalingo/apps`)).body.apps).toHaveLength(1);
  });
});

describe('the control API under hostile values', () => {
  const ctx = useFake();

  it('a clock advance of 1e300 ms leaves the namespace answering (time stops at year 9999)', async () => {
    const ns = freshNamespace();
    const base = `${ctx.url}/ns/${ns}`;
    const advanced = await call(`${base}/__jobfake/clock`, json('POST', { advance: 1e300 }));
    expect(advanced.status).toBe(200);
    expect(advanced.body.now).toBe('9999-01-01T00:00:00.000Z');
    expect((await call(`${base}/healthz`)).status).toBe(200);
    expect((await call(`${base}/jobs`)).status).toBe(200);
  });
});

describe('control API bodies', () => {
  const ctx = useFake({ limits: { bodyBytes: 256 } });

  it('every control operation that takes a body answers 413 {"error"} past bodyBytes', async () => {
    const spec = loadSpec();
    const withBody = spec.operations.filter((op) => op.pathTemplate.startsWith('/__jobfake') && op.operation.requestBody);
    expect(withBody.length).toBeGreaterThan(5);
    const base = `${ctx.url}/ns/${freshNamespace()}`;
    for (const op of withBody) {
      const path = op.pathTemplate.replace(/\{[^}]+\}/g, 'x');
      const res = await call(`${base}${path}`, json(op.method, { name: 'x'.repeat(300) }));
      expect([op.operationId, res.status, res.body]).toEqual([op.operationId, 413, { error: 'request body too large (limit 256 bytes)' }]);
    }
  });

  it('reset ignores a body, as it takes none', async () => {
    const ns = freshNamespace();
    const res = await call(`${ctx.url}/ns/${ns}/__jobfake/reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'not json' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ reset: [ns] });
  });
});

