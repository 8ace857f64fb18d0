import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../src/spec.js';
import { call, useFake } from '../helpers/fake.js';
import { api, basic, freshNamespace, login, openTunnel, runToDone } from '../helpers/scalingo.js';
import { jar, upload } from '../helpers/spark.js';

/** Every file and folder name in a folder and the folders just under it. */
function namesNear(root: string): string[] {
  const names: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    names.push(entry.name);
    if (!entry.isDirectory() || entry.name === 'node_modules' || entry.name === '.git') continue;
    try {
      names.push(...readdirSync(join(root, entry.name)));
    } catch {
      // Another process's folder: not ours to read.
    }
  }
  return names;
}

describe('security defaults', () => {
  const ctx = useFake({ limits: { attachCloseGraceMs: 0 } });

  it('every Scalingo route but the token exchange needs a valid bearer token', async () => {
    const spec = loadSpec();
    // CORS preflights carry no credentials (browsers never send them): test/scalingo-cors.test.ts covers them.
    const guarded = spec.operations.filter((op) => op.pathTemplate.startsWith('/v1/') && op.pathTemplate !== '/v1/tokens/exchange' && op.method !== 'OPTIONS');
    expect(guarded.length).toBeGreaterThanOrEqual(8);
    const base = `${ctx.url}/ns/${freshNamespace()}`;
    const forged = `${(await login(base)).slice(0, -4)}AAAA`;
    for (const op of guarded) {
      const path = op.pathTemplate.replace('{app}', 'my-app').replace(/\{[^}]+\}/g, 'x');
      const headers = { 'content-type': 'application/json' };
      const none = await call(`${base}${path}`, { method: op.method, headers, body: op.method === 'GET' ? undefined : '{}' });
      expect([op.operationId, none.status]).toEqual([op.operationId, 401]);
      expect(none.body.error).toMatch(/Authorization/);
      const bad = await call(`${base}${path}`, { method: op.method, headers: { ...headers, authorization: `Bearer ${forged}` }, body: op.method === 'GET' ? undefined : '{}' });
      expect([op.operationId, bad.status, bad.body]).toEqual([op.operationId, 401, { error: 'invalid token: bad signature' }]);
    }
  });

  it('attach URLs carry 128 random bits, refuse wrong credentials, and die with their session', async () => {
    const ns = freshNamespace();
    ctx.fake.namespace(ns).clock.pause();
    const base = `${ctx.url}/ns/${ns}`;
    const scalingo = api(base, await login(base));
    const secrets = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const run = await scalingo.post('/v1/apps/my-app/run', { command: 'bash' });
      const secret = run.body.attach_url.split('/').pop();
      expect(secret).toMatch(/^[0-9a-f]{32}$/);
      secrets.add(secret);
    }
    expect(secrets.size).toBe(20);

    const { attachUrl } = await runToDone(ctx.fake, base, ns);
    const wrong = await call(attachUrl, { method: 'PUT', headers: { authorization: basic('not-a-jwt'), 'content-type': 'application/json' }, body: '{"width":80,"height":24}' });
    expect(wrong.status).toBe(401);
    const refused = await openTunnel(attachUrl, { headers: { Authorization: 'Bearer forged.jwt.here' } });
    expect(refused.head).toMatch(/^HTTP\/1\.1 401 /);
    refused.socket.destroy();

    const tunnel = await openTunnel(attachUrl);
    tunnel.socket.write('\x04');
    await tunnel.rest;
    tunnel.socket.destroy();
    const again = await openTunnel(attachUrl);
    expect(again.head).toMatch(/^HTTP\/1\.1 404 /);
    again.socket.destroy();
    expect((await call(attachUrl, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"width":80,"height":24}' })).status).toBe(404);
    const form = new FormData();
    form.append('file', new Blob(['x']), 'x.txt');
    expect((await call(`${attachUrl}/files`, { method: 'POST', body: form })).status).toBe(404);
    expect((await call(`${attachUrl}/wait`)).body).toEqual({ exit_code: 0 });
  });

  it('namespaces are isolated: neither a token nor an attach URL crosses over', async () => {
    const a = freshNamespace();
    const b = freshNamespace();
    ctx.fake.namespace(a).clock.pause();
    const { token, attachUrl, run } = await runToDone(ctx.fake, `${ctx.url}/ns/${a}`, a);
    const crossed = await api(`${ctx.url}/ns/${b}`, token).get('/v1/apps/my-app');
    expect(crossed).toMatchObject({ status: 401, body: { error: 'invalid token: issued for another namespace' } });
    const inB = attachUrl.replace(`/ns/${a}/`, `/ns/${b}/`);
    const tunnel = await openTunnel(inB);
    expect(tunnel.head).toMatch(/^HTTP\/1\.1 404 /);
    tunnel.socket.destroy();
    expect((await call(`${inB}/wait`)).status).toBe(404);
    expect((await call(attachUrl.replace(`/ns/${a}/`, '/'))).status).toBe(404);
    const containers = await call(`${ctx.url}/ns/${b}/__jobfake/scalingo/containers`);
    expect(containers.body.containers.map((c: { id: string }) => c.id)).not.toContain(run.body.container.id);
    ctx.fake.namespace(a).reset();
  });

  it('uploads and binaries never touch the disk, whatever their name', async () => {
    const marker = `jobfake-marker-${randomUUID()}`;
    const places = [process.cwd(), tmpdir()];
    const ns = freshNamespace();
    ctx.fake.namespace(ns).clock.pause();
    const base = `${ctx.url}/ns/${ns}`;
    const { attachUrl } = await runToDone(ctx.fake, base, ns);
    for (const name of [marker, `../../${marker}`, `/tmp/${marker}`, `..\\${marker}.sql`]) {
      const form = new FormData();
      form.append('file', new Blob([marker]), name);
      expect((await call(`${attachUrl}/files`, { method: 'POST', body: form })).status).toBe(200);
    }
    expect((await upload(base, marker, jar())).status).toBe(200);
    expect((await upload(base, `../${marker}`, jar())).status).toBe(200);
    // The container sees /tmp/uploads/<name>: only in memory, never on this machine.
    const view = ctx.fake.namespace(ns).scalingo.containers()[0]!.attach!;
    expect(view.uploads.map((u) => u.path).sort()).toEqual([`/tmp/uploads/${marker}`, `/tmp/uploads/${marker}.sql`]);
    expect(existsSync(`/tmp/uploads/${marker}`)).toBe(false);
    for (const place of places) expect(namesNear(place).filter((name) => name.includes(marker)), place).toEqual([]);
    // A binary name is only a key: a path in it opens nothing.
    expect((await call(`${base}/binaries/${encodeURIComponent('../../../etc/passwd')}`)).status).toBe(404);
  });
});
