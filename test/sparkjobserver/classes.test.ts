import { describe, expect, it } from 'vitest';
import { BUILTIN_CLASSES, renderTemplate } from '../../src/sparkjobserver/classes.js';
import { parseHocon } from '../../src/sparkjobserver/hocon.js';
import { call, useFake } from '../helpers/fake.js';
import { freshNamespace, jar, postJob, upload } from '../helpers/spark.js';

describe('job classes', () => {
  describe('WordCountExample', () => {
    const words = BUILTIN_CLASSES.find((c) => c.name === 'spark.jobserver.WordCountExample')!;
    const run = (text: string) => words.run(parseHocon(text));

    it('counts the words of input.string', () => {
      expect(run('input.string = a b c a b see')).toEqual({ result: { a: 2, b: 2, c: 1, see: 1 } });
    });

    it('splits on single spaces as Java does: inner empty words count, trailing ones do not', () => {
      expect(run('input.string = "a  b  "')).toEqual({ result: { a: 1, '': 1, b: 1 } });
    });

    it('reads a number as its text, and refuses a missing or structured input.string', () => {
      expect(run('input.string = 42')).toEqual({ result: { '42': 1 } });
      expect(words.validate(parseHocon('input.other = 1'))).toBe('One(SparkJobInvalid(No input.string config param))');
      expect(words.validate(parseHocon('input.string { a = 1 }'))).toBeDefined();
    });
  });

  describe('templates', () => {
    const config = parseHocon('input { string = "a b", n = 3, list = [1, 2] }');

    it('fills placeholders inside strings and keeps the type of a whole placeholder', () => {
      expect(renderTemplate({ text: 'got {{input.string}} x{{input.n}}', n: '{{input.n}}', list: '{{ input.list }}', gone: '{{nope}}', fixed: 7 }, config)).toEqual({
        text: 'got a b x3',
        n: 3,
        list: [1, 2],
        gone: null,
        fixed: 7,
      });
    });
  });

  describe('over HTTP', () => {
    const ctx = useFake({
      fixtures: {
        sparkJobserver: {
          classes: [
            { name: 'com.example.Pi', binary: 'pi', result: 3.14, duration: 5000 },
            { name: 'com.example.Broken', error: 'java.io.IOException: disk full', errorClass: 'java.io.IOException' },
          ],
        },
      },
    });
    function world() {
      const ns = freshNamespace();
      const w = ctx.fake.namespace(ns);
      w.clock.pause();
      return { base: `${ctx.url}/ns/${ns}`, clock: w.clock };
    }

    it('runs a declared class for its duration and answers its fixed result', async () => {
      const { base, clock } = world();
      await upload(base, 'pi', jar());
      const id = (await postJob(base, 'cp=pi&mainClass=com.example.Pi')).body.jobId;
      clock.advance(4999);
      expect((await call(`${base}/jobs/${id}`)).body.status).toBe('RUNNING');
      clock.advance(1);
      expect((await call(`${base}/jobs/${id}`)).body).toMatchObject({ status: 'FINISHED', duration: '5.0 secs', result: 3.14 });
    });

    it('ends a class declared to fail in ERROR with its message and class', async () => {
      const { base, clock } = world();
      await upload(base, 'any', jar());
      const id = (await postJob(base, 'cp=any&mainClass=com.example.Broken')).body.jobId;
      clock.advance(1000);
      expect((await call(`${base}/jobs/${id}`)).body).toMatchObject({ status: 'ERROR', result: { message: 'java.io.IOException: disk full', errorClass: 'java.io.IOException' } });
    });

    it('finds an undeclared class inside the uploaded jar, and answers a null result', async () => {
      const { base, clock } = world();
      await upload(base, 'mine', jar('com/acme/Etl.class', 'com/acme/Other$.class'));
      const etl = (await postJob(base, 'cp=mine&mainClass=com.acme.Etl')).body.jobId;
      expect((await postJob(base, 'cp=mine&mainClass=com.acme.Other')).status).toBe(202);
      expect((await postJob(base, 'cp=mine&mainClass=com.acme.Missing')).status).toBe(404);
      clock.advance(1000);
      expect((await call(`${base}/jobs/${etl}`)).body).toMatchObject({ status: 'FINISHED', result: null });
    });

    it('finds a Python job\'s module inside the uploaded egg', async () => {
      const { base } = world();
      await upload(base, 'egg', jar('example_jobs/__init__.py', 'example_jobs/word_count.py'), 'application/python-archive');
      expect((await postJob(base, 'cp=egg&mainClass=example_jobs.word_count.WordCountSparkSessionJob')).status).toBe(202);
      expect((await postJob(base, 'cp=egg&mainClass=example_jobs.nope.Job')).status).toBe(404);
    });

    it('does not offer the built-in JVM examples to a Python job', async () => {
      const { base } = world();
      await upload(base, 'egg', jar('m.py'), 'application/python-archive');
      expect((await postJob(base, 'cp=egg&mainClass=spark.jobserver.WordCountExample', 'input.string = a')).status).toBe(404);
    });
  });
});
