// --control-token: every control route, the inspector and its event stream included, answers 401
// without the token (routes derived from openapi.yaml); the emulated APIs are unchanged.
import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../src/spec.js';
import { call, freshNamespace, useFake } from '../helpers/fake.js';
import { login } from '../helpers/scalingo.js';

const TOKEN = 'ctl-0123456789abcdef';

describe('a control API guarded by a token', () => {
  const ctx = useFake({ controlToken: TOKEN });
  const controlOps = () => loadSpec().operations.filter((op) => op.pathTemplate.startsWith('/__jobfake'));

  it('answers 401 to every control route without the token, or with another, at the root and in a namespace', async () => {
    const ops = controlOps();
    expect(ops.length).toBeGreaterThanOrEqual(30);
    for (const base of [ctx.url, `${ctx.url}/ns/${freshNamespace()}`]) {
      for (const op of ops) {
        const path = op.pathTemplate.replace(/\{[^}]+\}/g, 'x');
        const body = op.method === 'GET' || op.method === 'DELETE' ? undefined : '{}';
        for (const authorization of [undefined, 'Bearer wrong-token', `Basic ${Buffer.from(`:${TOKEN}`).toString('base64')}`]) {
          const res = await call(`${base}${path}`, { method: op.method, headers: { 'content-type': 'application/json', ...(authorization && { authorization }) }, body });
          expect([op.operationId, authorization, res.status]).toEqual([op.operationId, authorization, 401]);
          expect(res.headers.get('www-authenticate')).toBe('Bearer realm="jobfake control API"');
          expect(res.body.error).toMatch(/needs the control token/);
        }
      }
    }
  });

  it('works with the token as a Bearer header on every route, and as ?token= for the inspector and its events', async () => {
    const ns = ctx.fake.namespace(freshNamespace());
    const auth = { authorization: `Bearer ${TOKEN}` };
    for (const op of controlOps()) {
      const path = op.pathTemplate.replace(/\{[^}]+\}/g, 'x');
      const body = op.method === 'GET' || op.method === 'DELETE' ? undefined : '{}';
      const res = await fetch(`${ns.url}${path}${path.endsWith('/events') ? '?once=true' : ''}`, { method: op.method, headers: { 'content-type': 'application/json', ...auth }, body });
      await res.arrayBuffer();
      expect([op.operationId, res.status === 401]).toEqual([op.operationId, false]);
    }
    expect((await call(`${ns.url}/__jobfake/clock`, { headers: auth })).status).toBe(200);
    const page = await fetch(`${ns.url}/__jobfake/ui?token=${TOKEN}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('jobfake inspector');
    const events = await call(`${ns.url}/__jobfake/events?once=true&token=${TOKEN}`);
    expect(events.status).toBe(200);
    expect(events.text).toMatch(/^event: state\n/);
    expect((await call(`${ns.url}/__jobfake/ui?token=${TOKEN}x`)).status).toBe(401);
  });

  it('leaves the emulated APIs and the in-process calls as they were', async () => {
    const ns = ctx.fake.namespace(freshNamespace());
    expect((await call(`${ns.url}/healthz`)).status).toBe(200);
    expect((await call(`${ns.url}/v1/apps/my-app/run`, { method: 'POST' })).status).toBe(401);
    const jwt = await login(ns.url);
    expect((await call(`${ns.url}/v1/apps/my-app`, { headers: { authorization: `Bearer ${jwt}` } })).status).toBe(200);
    // The JWT of the Scalingo API is no control token.
    expect((await call(`${ns.url}/__jobfake/journal`, { headers: { authorization: `Bearer ${jwt}` } })).status).toBe(401);
    expect(ns.journal().map((e) => e.path)).toEqual(['/healthz', '/v1/apps/my-app/run', '/v1/tokens/exchange', '/v1/apps/my-app']);
  });
});
