import { describe, expect, it } from 'vitest';
import { call, useFake } from '../helpers/fake.js';
import { api, basic, freshNamespace, login, openTunnel, runToDone } from '../helpers/scalingo.js';

/** Every Scalingo route that needs a bearer token, called without one. */
const bearerRoutes = [
  ['GET', '/v1/users/self'],
  ['GET', '/v1/regions'],
  ['GET', '/v1/apps/my-app'],
  ['POST', '/v1/apps/my-app/run'],
  ['GET', '/v1/apps/my-app/operations/x'],
  ['GET', '/v1/apps/my-app/ps'],
  ['POST', '/v1/apps/my-app/containers/x/stop'],
  ['POST', '/v1/apps/my-app/containers/x/kill'],
] as const;

describe('Scalingo status matrix', () => {
  const ctx = useFake({ limits: { attachSessions: 1, bodyBytes: 256 } });

  it.each(bearerRoutes)('%s %s without a token → 401 {"error"}', async (method, path) => {
    const res = await call(`${ctx.url}${path}`, { method });
    expect(res.status).toBe(401);
    expect(res.body.error).toMatch(/missing or malformed Authorization header/);
  });

  it('attach routes refuse wrong credentials with 401', async () => {
    const ns = freshNamespace();
    ctx.fake.namespace(ns).clock.pause();
    const { attachUrl } = await runToDone(ctx.fake, `${ctx.url}/ns/${ns}`, ns);
    const headers = { authorization: basic('wrong'), 'content-type': 'application/json' };
    expect((await call(attachUrl, { method: 'PUT', headers, body: '{"width":1,"height":1}' })).status).toBe(401);
    expect((await call(`${attachUrl}/wait`, { headers })).status).toBe(401);
  });

  it('kill: 400 for a body that is not JSON, 413 for an oversized body', async () => {
    const ns = freshNamespace();
    const base = `${ctx.url}/ns/${ns}`;
    ctx.fake.namespace(ns).clock.pause();
    const token = await login(base);
    const run = await api(base, token).post('/v1/apps/my-app/run', { command: 'x', detached: true });
    const kill = `${base}/v1/apps/my-app/containers/${run.body.container.id}/kill`;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const notJson = await call(kill, { method: 'POST', headers, body: 'SIGTERM' });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error).toMatch(/^invalid JSON body/);
    const huge = await call(kill, { method: 'POST', headers, body: JSON.stringify({ signal: 'x'.repeat(300) }) });
    expect(huge.status).toBe(413);
  });

  it('resize: 413 for an oversized body', async () => {
    const ns = freshNamespace();
    ctx.fake.namespace(ns).clock.pause();
    const { attachUrl } = await runToDone(ctx.fake, `${ctx.url}/ns/${ns}`, ns);
    const res = await call(attachUrl, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ width: 1, height: 1, pad: 'x'.repeat(300) }) });
    expect(res.status).toBe(413);
    expect(res.body.error).toMatch(/request body too large \(limit 256 bytes\)/);
  });

  it('CONNECT beyond the session limit → 503', async () => {
    const ns = freshNamespace();
    ctx.fake.namespace(ns).clock.pause();
    const first = await runToDone(ctx.fake, `${ctx.url}/ns/${ns}`, ns);
    const second = await runToDone(ctx.fake, `${ctx.url}/ns/${ns}`, ns);
    const open = await openTunnel(first.attachUrl);
    const refused = await openTunnel(second.attachUrl);
    expect(refused.head).toMatch(/^HTTP\/1\.1 503 /);
    expect(JSON.parse((await refused.rest).toString()).error).toMatch(/too many attach sessions open \(limit 1\)/);
    open.socket.end('\x04');
    await open.rest;
    open.socket.destroy();
  });
});
