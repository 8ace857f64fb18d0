// jobfake's HOCON parser against the real one: Typesafe Config 1.3.x (Debian's
// libtypesafe-config-java), driven by test/sparkjobserver/oracle/ParseConfig.java, which does what Spark
// Jobserver does with a posted config. Every body gets the same message, or the same resolved
// values and the same `GET /jobs/{id}/config` text. Skipped, with a message, without a JDK or the
// jar (.ci/run installs both). Run it alone: npx vitest run test/sparkjobserver/hocon-oracle.test.ts
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hoconOutcome } from '../../src/sparkjobserver/hocon.js';
import { CORPUS, generatedBodies } from '../helpers/hocon-corpus.js';

const JAR = process.env.TYPESAFE_CONFIG_JAR ?? '/usr/share/java/typesafe-config.jar';
const JAVA = '/usr/bin/java';
const JAVAC = '/usr/bin/javac'; // the source launcher needs a JDK's compiler
const missing = [JAVA, JAVAC, JAR].filter((p) => !existsSync(p));
if (missing.length > 0) {
  console.warn(`sparkjobserver/hocon-oracle.test.ts: skipped, missing ${missing.join(', ')} (apt-get install -y default-jdk-headless libtypesafe-config-java)`);
}

const GENERATED = 3000;

type Outcome = { error: string; javaException?: string } | { resolved: string; shown: string } | { crash: string };

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

/**
 * Runs every body through the real library in one JVM, which compiles ParseConfig.java in memory
 * (the source launcher: no class files anywhere) with the quick compiler only (a short run).
 */
function oracle(bodies: string[]): Outcome[] {
  const run = spawnSync(JAVA, ['-XX:TieredStopAtLevel=1', '-cp', JAR, join(import.meta.dirname, 'oracle', 'ParseConfig.java')], {
    input: bodies.map(b64).join('\n') + '\n',
    env: {}, // resolve() falls back to environment variables: give it none.
    maxBuffer: 256 * 1024 * 1024,
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`ParseConfig failed: ${run.stderr}`);
  const lines = run.stdout.trimEnd().split('\n');
  expect(lines).toHaveLength(bodies.length);
  return lines.map((line) => {
    const [kind, a = '', b = ''] = line.split(' ');
    if (kind === 'OK') return { resolved: unb64(a), shown: unb64(b) };
    if (kind === 'ERR') return { error: unb64(a) };
    return { crash: unb64(a) };
  });
}

/** What kind of difference: the message's first words, or which rendering differs. */
function kindOf(expected: Outcome, actual: Outcome): string {
  if ('crash' in expected) return `real library crashes: ${expected.crash.split(':')[0]}`;
  if ('error' in expected) return `error: ${expected.error.replace(/^String: [\d-]+: /, '').replace(/'.*/s, '').slice(0, 60)}`;
  if ('error' in actual) return `jobfake refuses: ${actual.error.replace(/^String: [\d-]+: /, '').slice(0, 60)}`;
  return expected.resolved === (actual as { resolved: string }).resolved ? 'shown config differs' : 'resolved values differ';
}

/**
 * Where the library fails with a Java exception (no ConfigException): jobfake refuses the body
 * too, naming the same exception, or with one of its own bounds ("jobfake refuses it").
 */
function comparable(expected: Outcome, actual: Outcome): boolean {
  if (!('crash' in expected) || !('error' in actual)) return false;
  return /jobfake refuses it/.test(actual.error) || (actual.javaException !== undefined && expected.crash.startsWith(`${actual.javaException}:`));
}

function compare(bodies: string[], expected: Outcome[]): { body: string; expected: Outcome; actual: Outcome; kind: string }[] {
  const diffs = [];
  for (const [i, body] of bodies.entries()) {
    const actual = hoconOutcome(body) as Outcome;
    if ('error' in actual && actual.javaException === undefined) delete actual.javaException;
    const want = expected[i]!;
    if (JSON.stringify(actual) === JSON.stringify(want) || comparable(want, actual)) continue;
    diffs.push({ body, expected: want, actual, kind: kindOf(want, actual) });
  }
  return diffs;
}

/** Counts per kind, and the smallest differing body of each kind. */
function report(diffs: ReturnType<typeof compare>): string {
  const kinds = new Map<string, { n: number; smallest: (typeof diffs)[number] }>();
  for (const d of diffs) {
    const k = kinds.get(d.kind);
    if (!k) kinds.set(d.kind, { n: 1, smallest: d });
    else {
      k.n++;
      if (d.body.length < k.smallest.body.length) k.smallest = d;
    }
  }
  const lines = [`${diffs.length} bodies differ from Typesafe Config:`];
  for (const [kind, { n, smallest }] of [...kinds].sort((a, b) => b[1].n - a[1].n)) {
    lines.push(`${n} × ${kind}`, `  smallest: ${JSON.stringify(smallest.body)}`, `  real:     ${JSON.stringify(smallest.expected)}`, `  jobfake:  ${JSON.stringify(smallest.actual)}`);
  }
  return lines.join('\n');
}

describe.skipIf(missing.length > 0)('the HOCON parser against Typesafe Config 1.3 (the real library)', () => {
  let corpus: Outcome[];
  let generated: string[];
  let generatedOutcomes: Outcome[];

  beforeAll(() => {
    generated = generatedBodies(GENERATED);
    const all = oracle([...CORPUS, ...generated]);
    corpus = all.slice(0, CORPUS.length);
    generatedOutcomes = all.slice(CORPUS.length);
  }, 60_000);

  it(`gives every body of the corpus (${CORPUS.length}) the real outcome`, () => {
    const diffs = compare(CORPUS, corpus);
    expect(diffs.length, report(diffs)).toBe(0);
  });

  it(`gives ${GENERATED} generated bodies (valid HOCON mutated token by token) the real outcome`, () => {
    expect(new Set(generated).size).toBeGreaterThan(GENERATED * 0.9);
    // The generator reaches both sides: bodies the library takes and bodies it refuses.
    expect(generatedOutcomes.filter((o) => 'resolved' in o).length).toBeGreaterThan(GENERATED / 10);
    expect(generatedOutcomes.filter((o) => 'error' in o).length).toBeGreaterThan(GENERATED / 10);
    const diffs = compare(generated, generatedOutcomes);
    expect(diffs.length, report(diffs)).toBe(0);
  });

  it('the corpus sees the library refuse and accept (the check can fail)', () => {
    expect(corpus.some((o) => 'error' in o)).toBe(true);
    expect(corpus.some((o) => 'resolved' in o)).toBe(true);
  });
});
