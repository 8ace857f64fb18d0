import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FixtureError, loadFixturesFile, validateFixtures } from '../../src/fixtures.js';
import { defaultFixturesPath } from '../../src/fixtures.js';

describe('fixtures', () => {
  it('loads the bundled default fixtures with my-app', () => {
    expect(loadFixturesFile(defaultFixturesPath).scalingo?.apps).toEqual([{ name: 'my-app' }]);
  });

  it('names an unknown key and where it is', () => {
    expect(() => validateFixtures({ scalingo: { apps: [{ name: 'a', colour: 'red' }] } }, 'f.yaml')).toThrow(
      new FixtureError('f.yaml: unknown key "colour" at /scalingo/apps/0'),
    );
  });

  it('names a value of the wrong type', () => {
    expect(() => validateFixtures({ scalingo: { schedule: { pending: 'soon' } } })).toThrow(/\/scalingo\/schedule\/pending must be integer/);
  });

  it('refuses a script pattern that is not a regular expression', () => {
    expect(() => validateFixtures({ scalingo: { commands: [{ pattern: '(' }] } })).toThrow(/\/scalingo\/commands\/0\/pattern is not a valid regular expression/);
  });

  it('says when a file cannot be read or is not YAML', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jobfake-'));
    expect(() => loadFixturesFile(join(dir, 'missing.yaml'))).toThrow(/cannot read fixtures file .*missing.yaml: ENOENT/);
    writeFileSync(join(dir, 'bad.yaml'), 'scalingo: [unclosed');
    expect(() => loadFixturesFile(join(dir, 'bad.yaml'))).toThrow(/bad.yaml: not valid YAML/);
  });
});
