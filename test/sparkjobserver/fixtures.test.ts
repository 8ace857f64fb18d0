import { describe, expect, it } from 'vitest';
import { FixtureError, validateFixtures } from '../../src/fixtures.js';
import { call, useFake } from '../helpers/fake.js';
import { jar, postJob, upload } from '../helpers/spark.js';

describe('the sparkJobserver fixtures', () => {
  it('refuses an unknown key, an unknown version and a malformed offset, naming where', () => {
    expect(() => validateFixtures({ sparkJobserver: { colour: 'red' } }, 'f.yaml')).toThrow(new FixtureError('f.yaml: unknown key "colour" at /sparkJobserver'));
    expect(() => validateFixtures({ sparkJobserver: { version: '1.0' } })).toThrow(/\/sparkJobserver\/version must be equal to one of the allowed values/);
    expect(() => validateFixtures({ sparkJobserver: { utcOffset: '5:30' } })).toThrow(/\/sparkJobserver\/utcOffset must match pattern/);
    expect(() => validateFixtures({ sparkJobserver: { classes: [{ name: 'a', durationMs: 1 }] } })).toThrow(/unknown key "durationMs" at \/sparkJobserver\/classes\/0/);
    expect(() => validateFixtures({ sparkJobserver: { contexts: [{ name: '9lives' }] } })).toThrow(/\/sparkJobserver\/contexts\/0\/name must match pattern/);
  });

  describe('binaries and contexts present from the start', () => {
    const ctx = useFake({
      fixtures: {
        sparkJobserver: {
          utcOffset: '-08:00',
          binaries: [{ name: 'etl' }, { name: 'py', type: 'Egg' }],
          contexts: [{ name: 'shared' }],
          classes: [{ name: 'com.acme.Etl', binary: 'etl', result: ['done'], duration: 0 }],
        },
      },
    });

    it('lists them, runs a declared class from a fixture binary, and prints times in the offset', async () => {
      expect((await call(`${ctx.url}/ns/fx-a/binaries`)).body).toEqual({
        etl: { 'binary-type': 'Jar', 'upload-time': expect.stringMatching(/-08:00$/) },
        py: { 'binary-type': 'Egg', 'upload-time': expect.stringMatching(/-08:00$/) },
      });
      expect((await call(`${ctx.url}/ns/fx-a/contexts`)).body).toEqual(['shared']);
      const job = await postJob(`${ctx.url}/ns/fx-a`, 'cp=etl&mainClass=com.acme.Etl&context=shared');
      expect((await call(`${ctx.url}/ns/fx-a/jobs/${job.body.jobId}`)).body).toMatchObject({ status: 'FINISHED', context: 'shared', result: ['done'] });
    });

    it('comes back on reset, with what was uploaded gone', async () => {
      await upload(`${ctx.url}/ns/fx-b`, 'extra', jar());
      ctx.fake.reset('fx-b');
      expect(Object.keys((await call(`${ctx.url}/ns/fx-b/binaries`)).body)).toEqual(['etl', 'py']);
    });
  });
});
