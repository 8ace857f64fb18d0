import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { globMatcher, MAX_GLOB_LENGTH } from '../../src/match.js';
import { call, useFake } from '../helpers/fake.js';
import { freshNamespace } from '../helpers/scalingo.js';

/** The regular expression the globs used to compile to: right answers, exponential time. */
const slowGlob = (glob: string) =>
  new RegExp(`^${glob.split(/(\*\*|\*)/).map((p) => (p === '**' ? '.*' : p === '*' ? '[^/]*' : p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))).join('')}$`);

describe('path globs', () => {
  it('match as * within a segment and ** across segments', () => {
    expect(globMatcher('/v1/apps/*/operations/*')('/v1/apps/my-app/operations/42')).toBe(true);
    expect(globMatcher('/v1/apps/*')('/v1/apps/my-app/ps')).toBe(false);
    expect(globMatcher('/v1/apps/**')('/v1/apps/my-app/ps')).toBe(true);
    expect(globMatcher('/v1/apps/**')('/v1/apps/')).toBe(true);
    expect(globMatcher('/jobs/*')('/jobs/')).toBe(true);
    expect(globMatcher('/a.b')('/aXb')).toBe(false);
    expect(globMatcher('')('')).toBe(true);
  });

  it('agree with the regular expression they replace, on random globs and paths', () => {
    const alphabet = fc.constantFrom('a', 'b', '/', '*', '.', '(', '$');
    fc.assert(
      fc.property(fc.string({ unit: alphabet, maxLength: 12 }), fc.string({ unit: fc.constantFrom('a', 'b', '/', '.', '('), maxLength: 16 }), (glob, path) => {
        expect(globMatcher(glob)(path)).toBe(slowGlob(glob).test(path));
      }),
      { numRuns: 1000 },
    );
  });

  it('take linear time where a backtracking regular expression never ends', () => {
    const glob = '/**a**a**a**a**a**a**a**b';
    const path = `/${'a'.repeat(16_000)}`;
    // A backtracking matcher would not return on this path (the run would hang, not fail); this
    // one walks reachable positions, so it answers, and answers right.
    expect(globMatcher(glob)(path)).toBe(false);
  });

  it(`refuse a glob longer than ${MAX_GLOB_LENGTH} characters`, () => {
    expect(() => globMatcher('a'.repeat(MAX_GLOB_LENGTH + 1))).toThrow(RangeError);
  });
});

describe('faults and journal filters with hostile globs', () => {
  const ctx = useFake();
  const json = (method: string, body: unknown) => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('a fault whose glob would backtrack forever does not hang the next request', async () => {
    const base = `${ctx.url}/ns/${freshNamespace()}`;
    const added = await call(`${base}/__jobfake/faults`, json('POST', { match: { path: '/**a**a**a**a**a**a**a**b' }, action: { type: 'status', status: 503 } }));
    expect(added.status).toBe(201);
    const res = await call(`${base}/${'a'.repeat(4000)}`);
    expect(res.status).toBe(404);
    const journal = await call(`${base}/__jobfake/journal?path=${encodeURIComponent('/**a**a**a**a**a**a**a**b')}`);
    expect(journal.body.count).toBe(0);
  });

  it('refuses a glob over the length limit with 400, in a fault and in a journal filter', async () => {
    const base = `${ctx.url}/ns/${freshNamespace()}`;
    const long = `/${'*a'.repeat(MAX_GLOB_LENGTH)}`;
    const fault = await call(`${base}/__jobfake/faults`, json('POST', { match: { path: long }, action: { type: 'empty' } }));
    expect(fault.status).toBe(400);
    expect(fault.body.error).toMatch(/path/);
    const journal = await call(`${base}/__jobfake/journal?path=${encodeURIComponent(long)}`);
    expect(journal.status).toBe(400);
    expect(journal.body).toEqual({ error: `path must be a glob of at most ${MAX_GLOB_LENGTH} characters` });
    expect(() => ctx.fake.namespace(freshNamespace()).faults.add({ match: { path: long }, action: { type: 'empty' } })).toThrow(/at most 256/);
  });
});
