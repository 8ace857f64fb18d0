import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src/log.js';
import { call, useFake } from '../helpers/fake.js';
import { basic, freshNamespace, openTunnel, runToDone } from '../helpers/scalingo.js';
import { worldOf } from '../helpers/internals.js';

describe('CONNECT on the attach URL', () => {
  const ctx = useFake({
    // The close grace (for the real CLI) has its own test below; here it would only slow things.
    limits: { attachCloseGraceMs: 0 },
    fixtures: {
      scalingo: {
        apps: [{ name: 'my-app' }],
        commands: [
          { command: 'bundle exec rake db:migrate', output: '== 20261125 CreateJobs: migrating\n== done\n', exitCode: 0 },
          { pattern: '^ls /tmp/uploads', output: '{{uploads}}\n', exitCode: 0 },
          { command: 'false', exitCode: 1 },
          { command: 'slow', output: 'late\n', delay: 5000, exitCode: 3 },
          { command: 'tail -f log', output: 'a line\n', delay: 20 * 60_000, echo: true },
        ],
      },
    },
  });

  async function oneOff(body: object = { command: 'bash' }) {
    const ns = freshNamespace();
    const base = `${ctx.url}/ns/${ns}`;
    const world = ctx.fake.namespace(ns);
    world.clock.pause();
    const run = await runToDone(ctx.fake, base, ns, body);
    const session = worldOf(ctx.fake, ns).scalingo.sessions.get(run.attachUrl.split('/').pop()!)!;
    return { ...run, ns, base, world, session };
  }

  const wait = async (attachUrl: string, headers: Record<string, string> = {}) => call(`${attachUrl}/wait`, { headers });

  it('echoes what the Go hijack client sends (no credentials), ends on EOT and closes with FIN; /wait says 0', async () => {
    const { attachUrl, session } = await oneOff();
    const tunnel = await openTunnel(attachUrl);
    expect(tunnel.head).toBe('HTTP/1.1 200 OK\r\n\r\n');
    tunnel.socket.write('hello\n');
    tunnel.socket.write('\x04');
    expect((await tunnel.rest).toString()).toBe('hello\n');
    tunnel.socket.destroy();
    expect((await wait(attachUrl)).body).toEqual({ exit_code: 0 });
    expect(Buffer.concat(session.received).toString()).toBe('hello\n\x04');
    expect(session.bytesIn).toBe(7);
  });

  it('echoes bytes sent in the same packet as the request head', async () => {
    const { attachUrl } = await oneOff();
    const tunnel = await openTunnel(attachUrl, { sameWrite: 'early bytes\x04' });
    expect((await tunnel.rest).toString()).toBe('early bytes');
    tunnel.socket.destroy();
  });

  it('works the way the CLI drives it: Basic auth on CONNECT and /wait', async () => {
    const { attachUrl, token } = await oneOff();
    const tunnel = await openTunnel(attachUrl, { headers: { Authorization: basic(token) } });
    tunnel.socket.end('ls\n');
    expect((await tunnel.rest).toString()).toBe('ls\n');
    expect((await wait(attachUrl, { authorization: basic(token) })).body).toEqual({ exit_code: 0 });
  });

  it('ends with exit code 130 on Ctrl-C and 131 on Ctrl-\\', async () => {
    for (const [byte, code] of [['\x03', 130], ['\x1c', 131]] as const) {
      const { attachUrl } = await oneOff();
      const tunnel = await openTunnel(attachUrl);
      tunnel.socket.write(`sleep 100${byte}`);
      expect((await tunnel.rest).toString()).toBe('sleep 100');
      tunnel.socket.destroy();
      expect((await wait(attachUrl)).body).toEqual({ exit_code: code });
    }
  });

  it('echoes a multi-megabyte stream intact with back-pressure', async () => {
    const { attachUrl } = await oneOff();
    const tunnel = await openTunnel(attachUrl);
    const size = 8 * 1024 * 1024;
    const data = Buffer.alloc(size);
    for (let i = 0; i < size; i++) data[i] = 0x20 + (i % 90);
    let received = 0;
    const chunks: Buffer[] = [];
    tunnel.socket.on('data', (c: Buffer) => {
      chunks.push(c);
      received += c.length;
      if (received === size) tunnel.socket.write('\x04');
    });
    tunnel.socket.write(data);
    await tunnel.rest;
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
    tunnel.socket.destroy();
  });

  it('plays a scripted command: its output, then its exit code', async () => {
    const { attachUrl } = await oneOff({ command: 'bundle exec rake db:migrate' });
    const tunnel = await openTunnel(attachUrl);
    expect((await tunnel.rest).toString()).toBe('== 20261125 CreateJobs: migrating\n== done\n');
    tunnel.socket.destroy();
    expect((await wait(attachUrl)).body).toEqual({ exit_code: 0 });
    const failing = await oneOff({ command: 'false' });
    const second = await openTunnel(failing.attachUrl);
    expect((await second.rest).length).toBe(0);
    second.socket.destroy();
    expect((await wait(failing.attachUrl)).body).toEqual({ exit_code: 1 });
  });

  it('plays a delayed script on the namespace clock', async () => {
    const { attachUrl, world } = await oneOff({ command: 'slow' });
    const tunnel = await openTunnel(attachUrl);
    let got = '';
    tunnel.socket.on('data', (d) => (got += d));
    await new Promise((r) => setTimeout(r, 20));
    expect(got).toBe('');
    world.clock.advance(5000);
    expect((await tunnel.rest).toString()).toBe('late\n');
    tunnel.socket.destroy();
    expect((await wait(attachUrl)).body).toEqual({ exit_code: 3 });
  });

  it('refuses an unknown URL (404), bad credentials (401) and a second attach (409)', async () => {
    const { attachUrl, base } = await oneOff();
    const unknown = await openTunnel(`${base}/attach/0123456789abcdef0123456789abcdef`);
    expect(unknown.head).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
    expect((await unknown.rest).toString()).toBe('{"resource":"attach","error":"not found"}');
    const forged = await openTunnel(attachUrl, { headers: { Authorization: basic('not-a-token') } });
    expect(forged.head).toMatch(/^HTTP\/1\.1 401 /);
    const first = await openTunnel(attachUrl);
    const second = await openTunnel(attachUrl);
    expect(second.head).toMatch(/^HTTP\/1\.1 409 Conflict/);
    expect(JSON.parse((await second.rest).toString())).toEqual({ error: 'this container is already attached' });
    first.socket.end('\x04');
    await first.rest;
    first.socket.destroy();
    const after = await openTunnel(attachUrl);
    expect(after.head).toMatch(/^HTTP\/1\.1 404 /);
  });

  it('holds a CONNECT made before the operation is done, then attaches (older CLIs)', async () => {
    const ns = freshNamespace();
    const base = `${ctx.url}/ns/${ns}`;
    const world = ctx.fake.namespace(ns);
    world.clock.pause();
    const { login, api } = await import('../helpers/scalingo.js');
    const run = await api(base, await login(base)).post('/v1/apps/my-app/run', { command: 'bash' });
    const pending = openTunnel(run.body.attach_url, { sameWrite: 'typed early' });
    await new Promise((r) => setTimeout(r, 20));
    world.clock.advance(600);
    const tunnel = await pending;
    expect(tunnel.head).toBe('HTTP/1.1 200 OK\r\n\r\n');
    tunnel.socket.write('\x04');
    expect((await tunnel.rest).toString()).toBe('typed early');
    tunnel.socket.destroy();
  });

  it('stopping the container closes the stream; /wait gives 143', async () => {
    const { attachUrl, scalingo, run } = await oneOff();
    const tunnel = await openTunnel(attachUrl);
    expect((await scalingo.post(`/v1/apps/my-app/containers/${run.body.container.id}/stop`)).status).toBe(202);
    await tunnel.rest;
    tunnel.socket.destroy();
    expect((await wait(attachUrl)).body).toEqual({ exit_code: 143 });
  });

  it('ends a silent session after the idle timeout: /wait answers 408', async () => {
    const { attachUrl, world } = await oneOff();
    const tunnel = await openTunnel(attachUrl);
    const waiting = wait(attachUrl);
    world.clock.advance(ctx.fake.limits.attachIdleMs);
    await tunnel.rest;
    tunnel.socket.destroy();
    const answer = await waiting;
    expect(answer.status).toBe(408);
    expect(answer.body.error).toMatch(/aborted: no input or output/);
  });

  it('counts output as activity: a container that writes keeps its session past the idle timeout', async () => {
    const idle = ctx.fake.limits.attachIdleMs;
    expect(idle).toBe(30 * 60_000);
    const { attachUrl, world, session } = await oneOff({ command: 'tail -f log' });
    const tunnel = await openTunnel(attachUrl);
    const received: Buffer[] = [];
    tunnel.socket.on('data', (chunk: Buffer) => received.push(chunk));
    // The script writes at 20 min; without input, the session still runs at 40 min (20 after the output)...
    world.clock.advance(20 * 60_000);
    world.clock.advance(20 * 60_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(Buffer.concat(received).toString()).toBe('a line\n');
    expect(session.phase).toBe('attached');
    // ...and ends 30 min after that output.
    world.clock.advance(10 * 60_000);
    await tunnel.rest;
    tunnel.socket.destroy();
    expect((await wait(attachUrl)).status).toBe(408);
  });

  it('treats a client that half-closes as the end of input (exit 0), and one that vanishes as a hangup (129)', async () => {
    const half = await oneOff();
    const t1 = await openTunnel(half.attachUrl);
    t1.socket.end('bye');
    expect((await t1.rest).toString()).toBe('bye');
    expect((await wait(half.attachUrl)).body).toEqual({ exit_code: 0 });
    const gone = await oneOff();
    const t2 = await openTunnel(gone.attachUrl);
    t2.socket.resetAndDestroy();
    await new Promise((r) => setTimeout(r, 20));
    expect((await wait(gone.attachUrl)).body).toEqual({ exit_code: 129 });
  });

  it('close() ends with attach tunnels open and leaves no socket behind', async () => {
    const { startFake } = await import('../../src/index.js');
    const fake = await startFake({ port: 0 });
    const ns = 'x';
    fake.namespace(ns).clock.pause();
    const run = await runToDone(fake, `${fake.url}/ns/${ns}`, ns);
    const tunnel = await openTunnel(run.attachUrl);
    expect(fake.liveCounts().attachSessions).toBe(1);
    await fake.close();
    await tunnel.rest;
    expect(fake.liveCounts().sockets).toBe(0);
  });

  it('logs the start of a session, then its end with bytes each way and the exit code', async () => {
    const { startFake } = await import('../../src/index.js');
    const entries: LogEntry[] = [];
    const fake = await startFake({ port: 0, log: (entry) => entries.push(entry), limits: { attachCloseGraceMs: 0 } });
    try {
      fake.namespace('logs').clock.pause();
      const run = await runToDone(fake, `${fake.url}/ns/logs`, 'logs');
      const tunnel = await openTunnel(run.attachUrl);
      tunnel.socket.write('hi\x03');
      await tunnel.rest;
      tunnel.socket.destroy();
      const refused = await openTunnel(`${fake.url}/ns/logs/attach/nope`);
      await refused.rest;
      const attach = entries.filter((e) => e.type !== 'request' || e.method === 'CONNECT');
      expect(attach.map((e) => e.type)).toEqual(['attach-start', 'attach-end', 'request']);
      expect(attach[1]).toMatchObject({ namespace: 'logs', bytesIn: 3, bytesOut: 2, exitCode: 130 });
      expect(attach[2]).toMatchObject({ method: 'CONNECT', path: '/ns/logs/attach/nope', status: 404 });
    } finally {
      await fake.close();
    }
  });

  it('holds its FIN for the close grace after the first output, so the CLI\'s first read is not its last', async () => {
    const { startFake } = await import('../../src/index.js');
    const fake = await startFake({ port: 0, limits: { attachCloseGraceMs: 600 } });
    try {
      fake.namespace('grace').clock.pause();
      const run = await runToDone(fake, `${fake.url}/ns/grace`, 'grace');
      const tunnel = await openTunnel(run.attachUrl);
      let firstOutput = 0;
      tunnel.socket.once('data', () => (firstOutput = performance.now()));
      tunnel.socket.write('hello\n\x04');
      expect((await tunnel.rest).toString()).toBe('hello\n');
      expect(performance.now() - firstOutput).toBeGreaterThanOrEqual(500);
      expect((await call(`${run.attachUrl}/wait`)).body).toEqual({ exit_code: 0 });
      tunnel.socket.destroy();
    } finally {
      await fake.close();
    }
  });
});
