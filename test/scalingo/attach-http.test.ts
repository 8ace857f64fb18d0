import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { call, useFake } from '../helpers/fake.js';
import { basic, freshNamespace, openTunnel, runToDone } from '../helpers/scalingo.js';
import { worldOf } from '../helpers/internals.js';

const upload = (attachUrl: string, name: string, content: string | Buffer, headers: Record<string, string> = {}) => {
  const form = new FormData();
  form.append('file', new Blob([content]), name);
  return call(`${attachUrl}/files`, { method: 'POST', body: form, headers });
};
const resize = (attachUrl: string, body: unknown) =>
  call(attachUrl, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('the attach URL over HTTP', () => {
  const ctx = useFake({
    fixtures: { scalingo: { apps: [{ name: 'my-app' }], commands: [{ pattern: '^ls /tmp/uploads', output: '{{uploads}}\n' }] } },
    limits: { uploadBytes: 1024, containerUploadBytes: 1536, uploadsPerContainer: 3 },
  });

  async function oneOff(command = 'bash') {
    const ns = freshNamespace();
    ctx.fake.namespace(ns).clock.pause();
    const run = await runToDone(ctx.fake, `${ctx.url}/ns/${ns}`, ns, { command });
    return { ...run, session: worldOf(ctx.fake, ns).scalingo.sessions.get(run.attachUrl.split('/').pop()!)! };
  }

  describe('PUT (resize)', () => {
    it('accepts numbers (the seeds) and numeric strings (the CLI), and records each resize', async () => {
      const { attachUrl, session } = await oneOff();
      const numbers = await resize(attachUrl, { width: 80, height: 25 });
      expect(numbers.status).toBe(200);
      expect(numbers.text).toBe('');
      expect((await resize(attachUrl, { width: '120', height: '40' })).status).toBe(200);
      // The CLI sends "0" × "0" when its terminal size is unknown (CI); the real service takes it.
      expect((await resize(attachUrl, { width: '0', height: '0' })).status).toBe(200);
      expect(session.resizes.map(({ width, height }) => [width, height])).toEqual([[80, 25], [120, 40], [0, 0]]);
    });

    it.each([
      [{ height: 25 }, /^width must be a whole number from 0 to 65535 .* got nothing$/],
      [{ width: 80, height: -1 }, /^height must be a whole number/],
      [{ width: 'wide', height: 25 }, /^width must be a whole number .* got "wide"$/],
      [{ width: 80.5, height: 25 }, /^width must be a whole number/],
      [{ width: 70000, height: 25 }, /^width must be a whole number/],
      ['{"width": 80,', /^invalid JSON body/],
    ])('answers 400 with a clear message for %j', async (body, message) => {
      const { attachUrl, session } = await oneOff();
      const res = await resize(attachUrl, body);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(message);
      expect(session.resizes).toEqual([]);
    });
  });

  describe('POST /files (upload)', () => {
    it('keeps the last part named "file" of a form, exactly as sent, whatever came before it', async () => {
      const { attachUrl, session } = await oneOff();
      const form = new FormData();
      form.append('file', new Blob(['a'.repeat(600)]), 'first.txt');
      form.append('file', new Blob(['second, shorter']), 'second.txt');
      expect((await call(`${attachUrl}/files`, { method: 'POST', body: form })).status).toBe(200);
      expect([...session.uploads.keys()]).toEqual(['second.txt']);
      expect(session.uploads.get('second.txt')!.content.toString()).toBe('second, shorter');
      expect(session.uploads.get('second.txt')!.size).toBe(15);
    });

    it('keeps the file in memory under /tmp/uploads/<name> with its size and sha256, visible to a script', async () => {
      const { attachUrl, session } = await oneOff('ls /tmp/uploads');
      const res = await upload(attachUrl, 'dump.sql', 'select 1;\n');
      expect(res.status).toBe(200);
      expect(res.text).toBe('');
      expect(session.uploads.get('dump.sql')).toMatchObject({
        path: '/tmp/uploads/dump.sql',
        size: 10,
        sha256: createHash('sha256').update('select 1;\n').digest('hex'),
      });
      expect(session.uploads.get('dump.sql')!.content.toString()).toBe('select 1;\n');
      const tunnel = await openTunnel(attachUrl);
      expect((await tunnel.rest).toString()).toBe('/tmp/uploads/dump.sql 10\n');
      tunnel.socket.destroy();
    });

    it('accepts the CLI\'s Basic auth and refuses a bad one with 401', async () => {
      const { attachUrl, token } = await oneOff();
      expect((await upload(attachUrl, 'a.txt', 'a', { authorization: basic(token) })).status).toBe(200);
      const bad = await upload(attachUrl, 'a.txt', 'a', { authorization: basic('wrong') });
      expect(bad.status).toBe(401);
      expect(bad.body.error).toMatch(/invalid token/);
    });

    it('reduces path tricks to a safe base name, never a path', async () => {
      const { attachUrl, session } = await oneOff();
      for (const name of ['../../etc/passwd', '/abs/path/key.pem', 'dir\\win.txt']) expect((await upload(attachUrl, name, 'x')).status).toBe(200);
      expect([...session.uploads.keys()].sort()).toEqual(['key.pem', 'passwd', 'win.txt']);
      const dots = await upload((await oneOff()).attachUrl, '..', 'x');
      expect(dots.status).toBe(400);
      expect(dots.body.error).toMatch(/unusable file name/);
    });

    it('answers 409 once the container is attached: uploads come first', async () => {
      const { attachUrl } = await oneOff();
      const tunnel = await openTunnel(attachUrl);
      const late = await upload(attachUrl, 'late.txt', 'x');
      expect(late.status).toBe(409);
      expect(late.body.error).toMatch(/uploads must come before the attach/);
      tunnel.socket.end('\x04');
      await tunnel.rest;
      tunnel.socket.destroy();
    });

    it('answers 400 without a file part, 415 when not multipart', async () => {
      const { attachUrl } = await oneOff();
      const form = new FormData();
      form.append('other', 'x');
      const missing = await call(`${attachUrl}/files`, { method: 'POST', body: form });
      expect(missing.status).toBe(400);
      expect(missing.body.error).toMatch(/missing "file" part/);
      const json = await call(`${attachUrl}/files`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(json.status).toBe(415);
    });

    it('enforces the per-file, per-container and file-count limits with 413', async () => {
      const { attachUrl, session } = await oneOff();
      const big = await upload(attachUrl, 'big.bin', Buffer.alloc(1025));
      expect(big.status).toBe(413);
      expect(big.body.error).toBe('file too large: over 1024 bytes, the limit');
      expect((await upload(attachUrl, 'a.bin', Buffer.alloc(1000))).status).toBe(200);
      const over = await upload(attachUrl, 'b.bin', Buffer.alloc(600));
      expect(over.status).toBe(413);
      expect(over.body.error).toMatch(/would exceed 1536 bytes/);
      expect((await upload(attachUrl, 'c.bin', 'c')).status).toBe(200);
      expect((await upload(attachUrl, 'd.bin', 'd')).status).toBe(200);
      expect((await upload(attachUrl, 'e.bin', 'e')).body.error).toMatch(/too many files/);
      expect(session.uploads.size).toBe(3);
    });
  });

  describe('GET /wait', () => {
    it('waits for the session to end, then answers the exit code', async () => {
      const { attachUrl } = await oneOff();
      const tunnel = await openTunnel(attachUrl);
      let answered = false;
      const waiting = call(`${attachUrl}/wait`).then((r) => ((answered = true), r));
      await new Promise((r) => setTimeout(r, 30));
      expect(answered).toBe(false);
      tunnel.socket.write('\x03');
      expect((await waiting).body).toEqual({ exit_code: 130 });
      tunnel.socket.destroy();
    });

    it('answers 404 for an unknown attach URL, whatever the method', async () => {
      const { attachUrl } = await oneOff();
      const unknown = attachUrl.replace(/[0-9a-f]{32}$/, 'f'.repeat(32));
      expect((await call(`${unknown}/wait`)).body).toEqual({ resource: 'attach', error: 'not found' });
      expect((await resize(unknown, { width: 1, height: 1 })).status).toBe(404);
      expect((await upload(unknown, 'x', 'x')).status).toBe(404);
    });
  });
});
