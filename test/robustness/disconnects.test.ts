import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { call, useFake } from '../helpers/fake.js';
import { freshNamespace, openTunnel, runToDone, api, login } from '../helpers/scalingo.js';
import { worldWithJar } from '../helpers/spark.js';
import { startCli } from '../helpers/cli.js';
import { startFake } from '../../src/index.js';
import { readUnread } from '../../src/request-body.js';
import { pipeKnownLength } from '../../src/scalingo/multipart.js';

/**
 * A client that goes away in the middle of something leaves nothing behind: no socket, session,
 * timer or waiting callback. Each test ends with every live count back to zero.
 */
describe('clients that disconnect mid-request', () => {
  const ctx = useFake({ limits: { attachCloseGraceMs: 0 } });

  /** Live counts, once idle keep-alive sockets (the test's own fetches) are closed. */
  const counts = () => {
    ctx.fake.server.closeIdleConnections();
    return ctx.fake.liveCounts();
  };
  const allZero = { sockets: 0, attachSessions: 0, timers: 0, waiters: 0 };
  const settles = (expected: Partial<typeof allZero> = allZero) => vi.waitFor(() => expect(counts()).toEqual({ ...allZero, ...expected }), { timeout: 2000, interval: 5 });

  /** A raw connection that has written `data` and is still open. */
  const rawSocket = (data: string | Buffer) =>
    new Promise<Socket>((resolve, reject) => {
      const socket = connect(ctx.fake.port, '127.0.0.1', () => socket.write(data, () => resolve(socket)));
      socket.once('error', reject);
    });

  it('mid-upload, before the form parser is ready (busboy loads on the first upload): a request already gone fails the upload, never leaves it waiting', async () => {
    const { default: busboy } = await import('busboy');
    const form = '--b\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nabc\r\n--b--\r\n';
    const outcome = async (incoming: PassThrough) => {
      // Its 'close' has been emitted by the time the parser is piped.
      await new Promise((resolve) => setImmediate(resolve));
      const parser = busboy({ headers: { 'content-type': 'multipart/form-data; boundary=b' } });
      return new Promise<string>((resolve) => pipeKnownLength(incoming as unknown as IncomingMessage, parser, (err) => resolve(`refused: ${err.message}`), () => resolve('read')));
    };
    const gone = new PassThrough();
    gone.write(form.slice(0, 20));
    gone.destroy();
    expect(await outcome(gone)).toBe('refused: request body incomplete: the client went away');
    // All of it received, but not yet read when the client left.
    const unread = new PassThrough();
    unread.end(form);
    unread.destroy();
    expect(await outcome(unread)).toBe('refused: request body incomplete: the client went away');
    const whole = new PassThrough();
    whole.end(form);
    expect(await outcome(whole)).toBe('read');
  });

  it('mid-upload of a known length (Spark binaries and data files): a request already gone when the route reads it fails the read, never leaves it waiting', async () => {
    const outcome = async (incoming: PassThrough, length: number) => {
      await new Promise((resolve) => setImmediate(resolve));
      return readUnread({ incoming: incoming as unknown as IncomingMessage, length }).then(
        (bytes) => `read ${bytes.toString()}`,
        (err: Error) => `refused: ${err.message}`,
      );
    };
    const gone = new PassThrough();
    gone.write('PK');
    gone.destroy();
    expect(await outcome(gone, 4)).toBe('refused: request body incomplete: the client went away');
    const whole = new PassThrough();
    whole.end('PK34');
    expect(await outcome(whole, 4)).toBe('read PK34');
  });

  it('mid-upload: a multipart body cut short stores nothing and leaves no socket', async () => {
    const ns = freshNamespace();
    const w = ctx.fake.namespace(ns);
    w.clock.pause();
    const run = await runToDone(ctx.fake, `${ctx.fake.url}/ns/${ns}`, ns);
    const path = new URL(run.attachUrl).pathname;
    const part = '--b\r\nContent-Disposition: form-data; name="file"; filename="dump.sql"\r\nContent-Type: text/plain\r\n\r\n';
    const socket = await rawSocket(`POST ${path}/files HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n${part}${'x'.repeat(5000)}`);
    await vi.waitFor(() => expect(counts().sockets).toBe(1), { interval: 2 });
    socket.destroy();
    // The session still waits for its attach, with its idle deadline as the only timer.
    await settles({ timers: 1 });
    expect(ctx.fake.namespace(ns).scalingo.container(run.operation.start_one_off_data.container_id).attach?.uploads).toEqual([]);
    w.reset();
    await settles();
  });

  it('mid-attach: a tunnel that vanishes ends its session (129) with no timer or socket left', async () => {
    const ns = freshNamespace();
    ctx.fake.namespace(ns).clock.pause();
    const run = await runToDone(ctx.fake, `${ctx.fake.url}/ns/${ns}`, ns);
    const tunnel = await openTunnel(run.attachUrl);
    tunnel.socket.write('partial input');
    await vi.waitFor(() => expect(counts()).toMatchObject({ attachSessions: 1, timers: 1 }), { interval: 2 });
    tunnel.socket.resetAndDestroy();
    await settles();
    expect((await call(`${run.attachUrl}/wait`)).body).toEqual({ exit_code: 129 });
  });

  it('mid-/wait: a long poll that goes away is forgotten', async () => {
    const ns = freshNamespace();
    const w = ctx.fake.namespace(ns);
    w.clock.pause();
    const run = await runToDone(ctx.fake, `${ctx.fake.url}/ns/${ns}`, ns);
    const socket = await rawSocket(`GET ${new URL(run.attachUrl).pathname}/wait HTTP/1.1\r\nHost: x\r\n\r\n`);
    await vi.waitFor(() => expect(counts().waiters).toBe(1), { interval: 2 });
    socket.destroy();
    await settles({ timers: 1 });
    w.reset();
    await settles();
  });

  it('held CONNECT: a tunnel opened before the container runs, then dropped, is forgotten', async () => {
    const ns = freshNamespace();
    const w = ctx.fake.namespace(ns);
    w.clock.pause();
    const base = `${ctx.fake.url}/ns/${ns}`;
    const scalingo = api(base, await login(base));
    const run = await scalingo.post('/v1/apps/my-app/run', { command: 'bash' });
    const path = new URL(run.body.attach_url).pathname;
    for (let i = 0; i < 3; i++) {
      const socket = await rawSocket(`CONNECT ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
      await vi.waitFor(() => expect(counts().waiters).toBe(1), { interval: 2 });
      socket.destroy();
      await vi.waitFor(() => expect(counts()).toMatchObject({ sockets: 0, waiters: 0 }), { interval: 2 });
    }
    // The operation's own timer is all that is left; the session still attaches once it runs.
    w.clock.advance(1000);
    const tunnel = await openTunnel(run.body.attach_url);
    tunnel.socket.write('\x04');
    await tunnel.rest;
    tunnel.socket.destroy();
    await settles();
  });

  it('mid-sync-job: the waiting request is forgotten and its timeout timer cancelled; the job goes on', async () => {
    const { base, ns: w } = await worldWithJar(ctx.fake);
    w.spark.setSchedule({ running: 5000 });
    const body = 'input.string = a b';
    const path = `${new URL(base).pathname}/jobs?appName=test&classPath=spark.jobserver.WordCountExample&sync=true&timeout=600`;
    const socket = await rawSocket(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    // Held: the job's own timer, the request's timeout timer, one waiter.
    await vi.waitFor(() => expect(counts()).toMatchObject({ timers: 2, waiters: 1 }), { interval: 2 });
    socket.destroy();
    await settles({ timers: 1 });
    w.clock.advance(5000);
    expect(w.spark.jobs()[0]!.status).toBe('FINISHED');
    await settles();
  });

  describe('mid-body', () => {
    afterEach(() => vi.restoreAllMocks());

    it('a body cut short on a JSON, HOCON or binary route is no internal error of jobfake', async () => {
      const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
      const base = `/ns/${freshNamespace()}`;
      for (const path of ['/jobs?appName=a&classPath=b', '/contexts/etl', '/binaries/etl', '/__jobfake/scalingo/apps']) {
        const socket = await rawSocket(`POST ${base}${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"name":`);
        await vi.waitFor(() => expect(counts().sockets).toBe(1), { interval: 2 });
        socket.destroy();
        await settles();
      }
      expect(errors).not.toHaveBeenCalled();
    });
  });

  it('the inspector\'s event stream leaves no listener behind: HEAD answers its head alone, a page that leaves is forgotten', async () => {
    // A fake of its own: HEAD is GET without the body, which openapi.yaml does not list.
    const fake = await startFake({ port: 0 });
    try {
      for (let i = 0; i < 3; i++) {
        const res = await call(`${fake.url}/__jobfake/events`, { method: 'HEAD', headers: { connection: 'close' } });
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('text/event-stream');
      }
      await vi.waitFor(() => expect(fake.liveCounts()).toMatchObject({ sockets: 0, waiters: 0 }), { interval: 5 });
      // And a page that watches, then goes away.
      const watching = connect(fake.port, '127.0.0.1', () => watching.write('GET /__jobfake/events HTTP/1.1\r\nHost: x\r\n\r\n'));
      await new Promise((resolve) => watching.once('data', resolve));
      expect(fake.liveCounts().waiters).toBe(1);
      watching.destroy();
      await vi.waitFor(() => expect(fake.liveCounts()).toMatchObject({ sockets: 0, waiters: 0 }), { interval: 5 });
    } finally {
      await fake.close();
    }
  });

  it('the CLI process survives a client that drops mid-upload (no uncaught error)', async () => {
    const { child, url, exited } = await startCli(['--port', '0', '--quiet']);
    let exit: unknown;
    void exited.then((e) => (exit = e));
    try {
      const token = (await call(`${url}/v1/tokens/exchange`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from(':x').toString('base64')}` } })).body.token;
      const run = await call(`${url}/v1/apps/my-app/run`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"command":"bash"}' });
      // The default schedule: the container runs after 600 ms.
      await vi.waitFor(async () => expect((await call(run.body.operation_url, { headers: { authorization: `Bearer ${token}` } })).body.operation.status).toBe('done'), { timeout: 3000, interval: 50 });
      const { port } = new URL(url);
      const part = '--b\r\nContent-Disposition: form-data; name="file"; filename="dump.sql"\r\n\r\n';
      const socket = connect(Number(port), '127.0.0.1');
      await new Promise<void>((resolve) => socket.write(`POST ${new URL(run.body.attach_url).pathname}/files HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n${part}${'x'.repeat(5000)}`, () => resolve()));
      await new Promise((r) => setTimeout(r, 100));
      socket.destroy();
      await new Promise((r) => setTimeout(r, 300));
      expect(exit).toBeUndefined();
      expect((await call(`${url}/healthz`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});

