import { describe, expect, it } from 'vitest';
import { call, useFake } from '../helpers/fake.js';
import { api, basic, freshNamespace, login } from '../helpers/scalingo.js';

/** Decodes a JWT's claims without checking the signature, as the Go client does. */
function claimsOf(jwt: string): Record<string, unknown> {
  const parts = jwt.split('.');
  expect(parts).toHaveLength(3);
  expect(JSON.parse(Buffer.from(parts[0]!, 'base64url').toString()).alg).toBe('HS256');
  return JSON.parse(Buffer.from(parts[1]!, 'base64url').toString());
}

describe('Scalingo auth and the calls the CLI makes first', () => {
  const ctx = useFake();

  it('exchanges any non-empty API token for a JWT with a numeric exp about an hour ahead', async () => {
    const jwt = await login(ctx.url, 'tk-us-anything');
    const { exp } = claimsOf(jwt);
    expect(typeof exp).toBe('number');
    expect((exp as number) * 1000 - Date.now()).toBeGreaterThan(55 * 60 * 1000);
  });

  it('refuses the exchange without Basic auth, or with an empty token', async () => {
    const none = await call(`${ctx.url}/v1/tokens/exchange`, { method: 'POST', body: '{}' });
    expect(none.status).toBe(401);
    expect(none.body.error).toMatch(/Basic Authorization/);
    const empty = await call(`${ctx.url}/v1/tokens/exchange`, { method: 'POST', headers: { authorization: basic('') } });
    expect(empty.status).toBe(401);
    expect(empty.body).toEqual({ error: 'invalid API token' });
  });

  it('answers users/self and one default region whose api is the fake itself, namespace included', async () => {
    const base = `${ctx.url}/ns/${freshNamespace()}`;
    const scalingo = api(base, await login(base));
    const self = await scalingo.get('/v1/users/self?');
    expect(self.status).toBe(200);
    expect(self.body.user).toMatchObject({ username: 'jobfake', flags: {} });
    const regions = await scalingo.get('/v1/regions?');
    expect(regions.body.regions).toEqual([expect.objectContaining({ api: base, default: true })]);
  });

  it('answers 401 in the real shape for a missing, malformed, forged or expired bearer token', async () => {
    const ns = freshNamespace();
    const base = `${ctx.url}/ns/${ns}`;
    const jwt = await login(base);
    const missing = await call(`${base}/v1/apps/my-app`);
    expect(missing.status).toBe(401);
    expect(missing.body.error).toMatch(/Bearer/);
    expect((await api(base, 'not-a-jwt').get('/v1/apps/my-app')).body).toEqual({ error: 'invalid token: not a JWT' });
    const [h, p] = jwt.split('.');
    expect((await api(base, `${h}.${p}.AAAA`).get('/v1/apps/my-app')).body).toEqual({ error: 'invalid token: bad signature' });
    ctx.fake.namespace(ns).clock.advance(3601 * 1000);
    const expired = await api(base, jwt).get('/v1/apps/my-app');
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual({ error: 'token is expired' });
  });

  it('does not accept a token from one namespace in another', async () => {
    const jwt = await login(`${ctx.url}/ns/${freshNamespace()}`);
    const other = await api(`${ctx.url}/ns/${freshNamespace()}`, jwt).get('/v1/apps/my-app');
    expect(other.status).toBe(401);
    expect(other.body.error).toMatch(/another namespace/);
  });
});

describe('a fixtures token list', () => {
  const ctx = useFake({ fixtures: { scalingo: { tokens: ['tk-us-allowed'], apps: [{ name: 'my-app' }] } } });

  it('accepts only the listed tokens at the exchange', async () => {
    expect(claimsOf(await login(ctx.url, 'tk-us-allowed')).exp).toBeTypeOf('number');
    const refused = await call(`${ctx.url}/v1/tokens/exchange`, { method: 'POST', headers: { authorization: basic('tk-us-other') } });
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({ error: 'invalid API token' });
  });
});
