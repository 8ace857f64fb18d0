import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startFake } from '../../src/index.js';
import { apiApp, type ErrorAnswer } from '../../src/api-app.js';
import { createApp, type ApiMount } from '../../src/app.js';
import type { ServerContext } from '../../src/context.js';
import { defaultFixturesPath, loadFixturesFile } from '../../src/fixtures.js';
import { resolveLimits } from '../../src/limits.js';
import { loadSpec } from '../../src/spec.js';
import { scalingoError } from '../../src/scalingo/errors.js';
import { sparkError } from '../../src/sparkjobserver/errors.js';
import { Worlds } from '../../src/store.js';
import { call, useFake } from '../helpers/fake.js';

describe('the server', () => {
  const ctx = useFake();

  it('answers /healthz in the default world and in a namespace', async () => {
    expect((await call(`${ctx.url}/healthz`)).body).toEqual({ status: 'SUCCESS' });
    expect((await call(`${ctx.url}/ns/team-a/healthz`)).status).toBe(200);
    expect(ctx.fake.namespace('team-a').name).toBe('team-a');
  });

  it('answers an unknown route with 404 in the error shape of the API the path belongs to (the real Scalingo body under /v1)', async () => {
    const scalingo = await call(`${ctx.url}/v1/nothing-here`);
    expect(scalingo.status).toBe(404);
    // The real API's own body for a path it does not serve, which the CLI prints.
    expect(scalingo.body).toEqual({ message: 'Looking for something here? You must be wrong', url: 'https://developers.scalingo.com' });
    const attach = await call(`${ctx.url}/attach/x/nothing-here`);
    expect(attach.body).toEqual({ error: 'no route for GET /attach/x/nothing-here' });
    const spark = await call(`${ctx.url}/nothing-here`);
    expect(spark.status).toBe(404);
    expect(spark.body).toEqual({ status: 'ERROR', result: 'no route for GET /nothing-here' });
  });

  it('answers what a route throws in the words of the API whose sub-app it lives in, whatever its path', async () => {
    const limits = resolveLimits({});
    const server: ServerContext = { worlds: new Worlds(loadFixturesFile(defaultFixturesPath), limits), limits, spec: loadSpec() };
    // Each sub-app serves a path the other API owns, so that only the sub-app decides the shape.
    const throwing = (answer: ErrorAnswer, path: string): ApiMount => () => {
      const api = apiApp(answer);
      api.get(path, () => {
        throw Object.assign(new Error('body refused while read'), { status: 413 });
      });
      return api;
    };
    const app = createApp(server, [throwing(sparkError, '/v1/in-spark'), throwing(scalingoError, '/in-scalingo')]);
    for (const base of ['', '/ns/team-b']) {
      const spark = await app.request(`${base}/v1/in-spark`);
      expect([spark.status, await spark.json()]).toEqual([413, { status: 'ERROR', result: 'request body too large' }]);
      const scalingo = await app.request(`${base}/in-scalingo`);
      expect([scalingo.status, await scalingo.json()]).toEqual([413, { error: 'request body too large' }]);
    }
  });

  it('answers a malformed request line with 400 and stays up', async () => {
    const reply = await new Promise<string>((resolve) => {
      const socket = connect(ctx.fake.port, '127.0.0.1', () => socket.write('NOT HTTP\r\n\r\n'));
      let data = '';
      socket.on('data', (d) => (data += d));
      socket.on('close', () => resolve(data));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    expect((await call(`${ctx.url}/healthz`)).status).toBe(200);
  });
});

describe('startFake', () => {
  it('binds to 127.0.0.1 by default and close() releases the port', async () => {
    const fake = await startFake({ port: 0 });
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(fake.server.address()).toMatchObject({ address: '127.0.0.1' });
    await fake.close();
    await expect(fetch(`${fake.url}/healthz`)).rejects.toThrow();
  });

  it('close() ends even with an idle keep-alive connection open', async () => {
    const fake = await startFake({ port: 0 });
    const socket = connect(fake.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => socket.once('data', resolve));
    await fake.close();
    expect(fake.liveCounts().sockets).toBe(0);
    socket.destroy();
  });

  it('starts with a request timeout shorter than the default header timeout (it bounds both)', async () => {
    const fake = await startFake({ port: 0, limits: { requestTimeoutMs: 1000 } });
    try {
      expect(fake.server.headersTimeout).toBe(1000);
      expect((await call(`${fake.url}/healthz`)).status).toBe(200);
    } finally {
      await fake.close();
    }
  });
});
