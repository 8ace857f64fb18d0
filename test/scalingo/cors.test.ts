import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../src/spec.js';
import { call, useFake } from '../helpers/fake.js';
import { api, freshNamespace, login } from '../helpers/scalingo.js';

const ORIGIN = 'http://127.0.0.1:3000';

/** A browser's preflight: OPTIONS with the method and headers it is about to send. */
const preflight = (url: string, method: string, origin = ORIGIN) =>
  call(url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'authorization,content-type' } });

describe('CORS on the Scalingo API, any origin by default', () => {
  const ctx = useFake();

  it('answers the preflight of every documented Scalingo route without credentials, allowing Authorization', async () => {
    const spec = loadSpec();
    const preflights = spec.operations.filter((op) => op.method === 'OPTIONS');
    expect(preflights.length).toBeGreaterThanOrEqual(13);
    const base = `${ctx.url}/ns/${freshNamespace()}`;
    for (const op of preflights) {
      const path = op.pathTemplate.replace('{app}', 'my-app').replace(/\{[^}]+\}/g, 'x');
      const method = spec.operations.find((o) => o.pathTemplate === op.pathTemplate && o.method !== 'OPTIONS')!.method;
      const res = await preflight(`${base}${path}`, method);
      expect([op.operationId, res.status]).toEqual([op.operationId, 204]);
      expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
      expect(res.headers.get('access-control-allow-methods')).toBe(method);
      expect(res.headers.get('access-control-allow-headers')).toBe('authorization,content-type');
      expect(res.headers.get('access-control-max-age')).toBe('600');
      expect(res.text).toBe('');
    }
  });

  it('adds the origin and exposes Location on answers, errors included; a preflight for a method or path the API lacks allows nothing', async () => {
    const base = `${ctx.url}/ns/${freshNamespace()}`;
    const token = await login(base);
    const run = await call(`${base}/v1/apps/my-app/run`, { method: 'POST', headers: { origin: ORIGIN, authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"command":"bash"}' });
    expect(run.status).toBe(200);
    expect(run.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(run.headers.get('access-control-expose-headers')).toBe('Location');
    expect(run.headers.get('vary')).toMatch(/Origin/);
    const refused = await call(`${base}/v1/apps/my-app/ps`, { headers: { origin: ORIGIN } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    // DELETE is not a method of /run: answered without the headers, so the browser does not send it.
    const unknownMethod = await preflight(`${base}/v1/apps/my-app/run`, 'DELETE');
    expect([unknownMethod.status, unknownMethod.headers.get('access-control-allow-origin')]).toEqual([204, null]);
    // /v1/nothing is no route: its preflight falls through to the API's 404.

    const nothing = await preflight(`${base}/v1/nothing`, 'GET');
    expect([nothing.status, nothing.body]).toEqual([404, { message: 'Looking for something here? You must be wrong', url: 'https://developers.scalingo.com' }]);
    // Without an Origin, no CORS header at all (the CLI's calls).
    expect((await api(base, token).get('/v1/apps/my-app')).headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('CORS restricted with corsOrigins (--cors-origin)', () => {
  const ctx = useFake({ corsOrigins: ['http://127.0.0.1:3000'] });

  it('allows only the listed origins', async () => {
    const base = `${ctx.url}/ns/${freshNamespace()}`;
    const allowed = await preflight(`${base}/v1/apps/my-app/run`, 'POST');
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const other = await preflight(`${base}/v1/apps/my-app/run`, 'POST', 'http://127.0.0.1:4000');
    // Answered, but without the headers: the browser refuses to send the request.
    expect(other.status).toBe(204);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(other.headers.get('access-control-allow-headers')).toBeNull();
    const self = await call(`${base}/v1/users/self`, { headers: { origin: 'http://127.0.0.1:4000', authorization: `Bearer ${await login(base)}` } });
    expect(self.status).toBe(200);
    expect(self.headers.get('access-control-allow-origin')).toBeNull();
  });
});
