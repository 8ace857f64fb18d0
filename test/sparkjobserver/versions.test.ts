import { describe, expect, it } from 'vitest';
import { call, useFake } from '../helpers/fake.js';
import { freshNamespace, jar, postJob, upload } from '../helpers/spark.js';
import { worldOf } from '../helpers/internals.js';

const WORDS = 'spark.jobserver.WordCountExample';

function paused(ctx: ReturnType<typeof useFake>) {
  const ns = freshNamespace();
  ctx.fake.namespace(ns).clock.pause();
  return { base: `${ctx.url}/ns/${ns}`, world: worldOf(ctx.fake, ns) };
}

describe('sparkJobserver.version', () => {
  describe('seed (the default)', () => {
    const ctx = useFake();

    it('answers an upload with text OK and everything else as 0.10', async () => {
      const { base } = paused(ctx);
      expect((await upload(base, 'test', jar())).text).toBe('OK');
      expect((await call(`${base}/binaries/test`, { method: 'DELETE' })).body).toEqual({ status: 'SUCCESS' });
      expect((await call(`${ctx.url}/healthz`)).body).toEqual({ status: 'SUCCESS' });
    });
  });

  describe('0.9', () => {
    const ctx = useFake({ fixtures: { sparkJobserver: { version: '0.9' } } });

    it('answers upload, delete and /healthz with text OK', async () => {
      const { base } = paused(ctx);
      const uploaded = await upload(base, 'test', jar());
      expect([uploaded.status, uploaded.text]).toEqual([200, 'OK']);
      const deleted = await call(`${base}/binaries/test`, { method: 'DELETE' });
      expect([deleted.status, deleted.headers.get('content-type'), deleted.text]).toEqual([200, 'text/plain; charset=UTF-8', 'OK']);
      expect((await call(`${base}/healthz`)).text).toBe('OK');
    });

    it('refuses another binary type with a bare-string 415', async () => {
      const res = await upload(paused(ctx).base, 'x', jar(), 'application/zip');
      expect([res.status, res.text]).toEqual([415, 'Unsupported binary type application/zip']);
    });

    it('requires appName and classPath as query parameters (404 text), ignoring cp', async () => {
      const { base } = paused(ctx);
      const noApp = await postJob(base, `cp=test&mainClass=${WORDS}`);
      expect([noApp.status, noApp.text]).toEqual([404, "Request is missing required query parameter 'appName'"]);
      const noClass = await postJob(base, 'appName=test');
      expect([noClass.status, noClass.text]).toEqual([404, "Request is missing required query parameter 'classPath'"]);
    });

    it('checks the context before the binary, and names the class when it is not found', async () => {
      const { base } = paused(ctx);
      expect((await postJob(base, `appName=nope&classPath=${WORDS}&context=ghost`)).body.result).toBe('context ghost not found');
      await upload(base, 'test', jar());
      expect((await postJob(base, 'appName=test&classPath=com.example.Nope')).body.result).toBe('classPath com.example.Nope not found');
    });

    it('answers GET /binaries/{name} with the whole list, as its route did', async () => {
      const { base } = paused(ctx);
      await upload(base, 'test', jar());
      expect(Object.keys((await call(`${base}/binaries/anything`)).body)).toEqual(['test']);
    });

    it('deletes a binary even while a job uses it', async () => {
      const { base } = paused(ctx);
      await upload(base, 'test', jar());
      expect((await postJob(base, `appName=test&classPath=${WORDS}`, 'input.string = a')).status).toBe(202);
      expect((await call(`${base}/binaries/test`, { method: 'DELETE' })).status).toBe(200);
    });
  });

  describe('0.10', () => {
    const ctx = useFake({ fixtures: { sparkJobserver: { version: '0.10' } } });

    it('answers an upload with 201 {"status": "SUCCESS"}', async () => {
      const res = await upload(paused(ctx).base, 'test', jar());
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ status: 'SUCCESS' });
    });
  });

  describe('0.11', () => {
    const ctx = useFake({ fixtures: { sparkJobserver: { version: '0.11' } } });

    it('takes eggs as application/python-egg and wheels', async () => {
      const { base } = paused(ctx);
      expect((await upload(base, 'egg', jar('m.py'), 'application/python-egg')).status).toBe(201);
      expect((await upload(base, 'whl', jar('m.py'), 'application/python-wheel')).status).toBe(201);
      expect((await upload(base, 'old', jar('m.py'), 'application/python-archive')).status).toBe(201);
      expect((await call(`${base}/binaries`)).body).toMatchObject({ egg: { 'binary-type': 'Egg' }, whl: { 'binary-type': 'Wheel' }, old: { 'binary-type': 'Egg' } });
    });

    it('reads a body without Content-Type as application/octet-stream', async () => {
      const res = await upload(paused(ctx).base, 'x', jar(), null);
      expect(res.status).toBe(415);
      expect(res.body).toEqual({ status: 'ERROR', result: 'Unsupported binary type application/octet-stream' });
    });

    it('keeps an http callbackUrl and answers one of another scheme with the server\'s 500', async () => {
      const { base, world } = paused(ctx);
      await upload(base, 'test', jar());
      const ok = await postJob(base, `appName=test&classPath=${WORDS}&callbackUrl=${encodeURIComponent('http://127.0.0.1:9/done')}`, 'input.string = a');
      expect(ok.status).toBe(202);
      expect(world.spark.jobs.get(ok.body.jobId)?.callbackUrl).toBe('http://127.0.0.1:9/done');
      const bad = await postJob(base, `appName=test&classPath=${WORDS}&callbackUrl=ftp://host/x`, 'input.string = a');
      expect(bad.status).toBe(500);
      expect(bad.body).toEqual({ status: 'ERROR', result: { message: "Callback Url has to be 'http'/'https'", errorClass: 'java.lang.IllegalArgumentException', stack: expect.any(String) } });
    });
  });
});
