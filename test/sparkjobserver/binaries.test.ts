import { describe, expect, it } from 'vitest';
import { call, useFake } from '../helpers/fake.js';
import { freshNamespace, jar, postJob, upload } from '../helpers/spark.js';

const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(Z|[+-]\d{2}:\d{2})$/;

describe('Spark Jobserver binaries', () => {
  const ctx = useFake({ limits: { sparkUploadBytes: 64 * 1024, sparkBinaryBytes: 200 * 1024 } });
  const base = () => `${ctx.url}/ns/${freshNamespace()}`;

  describe('POST /binaries/{name}', () => {
    it('stores a jar and answers 200 text OK, as the seed shows', async () => {
      const res = await upload(base(), 'test', jar());
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(res.text).toBe('OK');
    });

    it('takes an egg as application/python-archive', async () => {
      const b = base();
      expect((await upload(b, 'py', jar('mod.py'), 'application/python-archive')).status).toBe(200);
      expect((await call(`${b}/binaries/py`)).body['binary-type']).toBe('Egg');
    });

    it('refuses another content type with 415 and names it', async () => {
      const res = await upload(base(), 'x', jar(), 'application/zip');
      expect(res.status).toBe(415);
      expect(res.body).toEqual({ status: 'ERROR', result: 'Unsupported binary type application/zip' });
    });

    it('refuses a wheel: the seed release takes jars and eggs only', async () => {
      expect((await upload(base(), 'w', jar(), 'application/python-wheel')).status).toBe(415);
    });

    it('refuses a body without a Content-Type with a text 415', async () => {
      const res = await upload(base(), 'x', jar(), null);
      expect(res.status).toBe(415);
      expect(res.text).toBe('Content-Type header must be set to indicate binary type');
    });

    it('refuses a jar that is not a zip with 400', async () => {
      const res = await upload(base(), 'x', 'not a jar at all');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ status: 'ERROR', result: 'Binary is not of the right format' });
    });

    it('refuses the four zip magic bytes alone: the server wants more than 4 bytes', async () => {
      expect((await upload(base(), 'x', new Uint8Array([0x50, 0x4b, 0x03, 0x04]))).status).toBe(400);
    });

    it('refuses a binary over the upload limit with spray\'s own 413 text and keeps nothing', async () => {
      const b = base();
      const big = new Uint8Array(65 * 1024);
      big.set(jar());
      const res = await upload(b, 'big', big);
      expect(res.status).toBe(413);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(res.text).toBe(`Request Content-Length ${65 * 1024} exceeds the configured limit of ${64 * 1024}`);
      expect((await call(`${b}/binaries`)).body).toEqual({});
    });

    it('refuses with 413 once the namespace holds its limit of binary bytes', async () => {
      const b = base();
      const chunk = new Uint8Array(60 * 1024);
      chunk.set(jar());
      for (const name of ['a', 'b', 'c']) expect((await upload(b, name, chunk)).status).toBe(200);
      const res = await upload(b, 'd', chunk);
      expect(res.status).toBe(413);
      expect(res.body.result).toMatch(/binaries in this namespace would exceed 204800 bytes/);
      // Replacing one in place still fits.
      expect((await upload(b, 'a', chunk)).status).toBe(200);
    });

    it('replaces a binary uploaded again under the same name', async () => {
      const b = base();
      const world = ctx.fake.namespace(b.split('/ns/')[1]!);
      world.clock.pause();
      await upload(b, 'test', jar());
      const first = (await call(`${b}/binaries/test`)).body['upload-time'];
      world.clock.advance(1500);
      await upload(b, 'test', jar('x/Y.class'));
      const list = (await call(`${b}/binaries`)).body;
      expect(Object.keys(list)).toEqual(['test']);
      expect(list.test['upload-time']).not.toBe(first);
    });
  });

  describe('GET /binaries and /binaries/{name}', () => {
    it('lists binaries as an object keyed by name', async () => {
      const b = base();
      await upload(b, 'test', jar());
      await upload(b, 'eggy', jar('m.py'), 'application/python-archive');
      const res = await call(`${b}/binaries`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        test: { 'binary-type': 'Jar', 'upload-time': expect.stringMatching(TIME) },
        eggy: { 'binary-type': 'Egg', 'upload-time': expect.stringMatching(TIME) },
      });
    });

    it('answers one binary, and 404 for an unknown one', async () => {
      const b = base();
      await upload(b, 'test', jar());
      expect((await call(`${b}/binaries/test`)).body).toEqual({ 'app-name': 'test', 'binary-type': 'Jar', 'upload-time': expect.stringMatching(TIME) });
      const missing = await call(`${b}/binaries/nope`);
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual({ status: 'ERROR', result: "Can't find binary with name nope" });
    });
  });

  describe('DELETE /binaries/{name}', () => {
    it('deletes a binary', async () => {
      const b = base();
      await upload(b, 'test', jar());
      const res = await call(`${b}/binaries/test`, { method: 'DELETE' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'SUCCESS' });
      expect((await call(`${b}/binaries`)).body).toEqual({});
    });

    it('answers 404 in lower case for an unknown binary', async () => {
      const res = await call(`${base()}/binaries/nope`, { method: 'DELETE' });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ status: 'ERROR', result: "can't find binary with name nope" });
    });

    it('refuses with 403 while a running job uses it, and deletes once the job ended', async () => {
      const ns = freshNamespace();
      const b = `${ctx.url}/ns/${ns}`;
      ctx.fake.namespace(ns).clock.pause();
      await upload(b, 'test', jar());
      const one = (await postJob(b, 'appName=test&classPath=spark.jobserver.WordCountExample', 'input.string = a')).body.jobId;
      const two = (await postJob(b, 'cp=test&mainClass=spark.jobserver.WordCountExample', 'input.string = b')).body.jobId;
      const refused = await call(`${b}/binaries/test`, { method: 'DELETE' });
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual({ status: 'ERROR', result: `Binary is in use by job(s): ${one}, ${two}` });
      ctx.fake.namespace(ns).clock.advance(1000);
      expect((await call(`${b}/binaries/test`, { method: 'DELETE' })).status).toBe(200);
    });
  });
});
