import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ErrorObject } from 'ajv';
import { packageFile } from './paths.js';
import { prebuilt, textKey } from './prebuilt.js';

export interface ScriptFixture {
  command?: string;
  pattern?: string;
  output?: string;
  exitCode?: number;
  delay?: number;
  echo?: boolean;
}

/** An app's formation in the fixtures: its container types (amount default 1, size default M). */
export type AppContainersFixture = { name: string; command: string; amount?: number; size?: string }[];

export interface OperationSchedule {
  pending?: number;
  running?: number;
  error?: string;
}

export interface ScalingoFixtures {
  tokens?: string[];
  user?: { id?: string; username?: string; fullname?: string; email?: string; flags?: Record<string, boolean> };
  apps?: { name: string; schedule?: OperationSchedule; containers?: AppContainersFixture }[];
  schedule?: OperationSchedule;
  detachedDuration?: number;
  commands?: ScriptFixture[];
}

export interface Fixtures {
  scalingo?: ScalingoFixtures;
  sparkJobserver?: SparkFixtures;
}

/** Milliseconds a Spark job spends in each state, and a context in stopping. */
export interface SparkSchedule {
  /** STARTED → RUNNING (0: RUNNING as soon as it is accepted, as the real server reports). */
  started?: number;
  /** RUNNING → FINISHED or ERROR. */
  running?: number;
  /** DELETE /contexts/{name} answers 202 and the context stays stopping this long (0: 200 at once). */
  contextStop?: number;
  /** POST /contexts/{name} takes this long to start the context (past the request timeout: its 500, the context still starts). */
  contextStart?: number;
}

export interface SparkClassFixture {
  /** Fully qualified class (or Python module.Class) name. */
  name: string;
  /** Binary name or URI that holds it; omitted: found whatever the job's binaries. */
  binary?: string;
  /** The job's result; strings may hold {{config.path}} placeholders. */
  result?: unknown;
  /**
   * How long it runs (overrides schedule.running): milliseconds, or read from the job's config
   * (`{ config: "stress.test.longpijob.duration", unit: "s", default: 5 }`).
   */
  duration?: number | { config: string; unit?: 'ms' | 's' | 'm' | 'h'; default: number };
  /** When set, the job ends in ERROR with this message. */
  error?: string;
  /** The exception class reported with `error` (default java.lang.RuntimeException). */
  errorClass?: string;
  /** Config paths the job's validation requires (else 400 VALIDATION FAILED). */
  requiredConfig?: string[];
}

export interface SparkFixtures {
  /** Which release's answers: seed (default), 0.9, 0.10 or 0.11. */
  version?: 'seed' | '0.9' | '0.10' | '0.11';
  /**
   * A JVM per context (context UUIDs as `contextId`, `<UUID>-<class>` ad-hoc names, the per-JVM
   * GET /contexts/{name}); default true for 0.9, 0.10 and 0.11, false for seed.
   */
  contextPerJvm?: boolean;
  /** Offset of the times printed, e.g. "+05:30"; default this machine's local offset. */
  utcOffset?: string;
  /** Jobs that may run at once in one context (the server's max-jobs-per-context, default 8). */
  maxJobsPerContext?: number;
  schedule?: SparkSchedule;
  /** Binaries present from the start (no bytes: their classes come from `classes`). */
  binaries?: { name: string; type?: 'Jar' | 'Egg' | 'Wheel' }[];
  /** Long-running contexts present from the start. */
  contexts?: { name: string; factory?: string; maxJobs?: number }[];
  /** Job classes beyond the built-in WordCountExample. */
  classes?: SparkClassFixture[];
}

export class FixtureError extends Error {
  override name = 'FixtureError';
}

export const defaultFixturesPath = packageFile('fixtures/default.yaml');

type Validator = ((value: unknown) => boolean) & { errors?: ErrorObject[] | null };
let validator: Validator | undefined;
const require = createRequire(import.meta.url);

/** How fixtures/schema.json is compiled, at run time here or at build time (scripts/build-startup.js). */
export const fixturesAjvOptions = { allErrors: true, strict: false } as const;

/** Names the schema text and options a prebuilt validator was compiled from. */
export function fixturesSchemaKey(schemaText: string): string {
  return textKey(JSON.stringify(fixturesAjvOptions), schemaText);
}

/**
 * The validator built with the package (dist/fixtures-validator.cjs: Ajv's standalone code for the
 * same schema and options) while it matches fixtures/schema.json; otherwise compiled now. Loading
 * Ajv and compiling the schema were a fifth of the time from spawn to the first answer.
 */
function fixturesValidator(): Validator {
  const text = readFileSync(packageFile('fixtures/schema.json'), 'utf8');
  const built = prebuilt<Validator>('fixtures-validator.cjs', fixturesSchemaKey(text));
  if (built) return built;
  const { Ajv } = require('ajv') as typeof import('ajv');
  return new Ajv(fixturesAjvOptions).compile(JSON.parse(text));
}

function describe(error: ErrorObject): string {
  const where = error.instancePath || '/';
  if (error.keyword === 'additionalProperties') {
    return `unknown key "${String(error.params['additionalProperty'])}" at ${where}`;
  }
  return `${where} ${error.message ?? 'is invalid'}`;
}

/**
 * A YAML (or JSON) text as a value. The bundled fixtures/default.yaml comes from its build-time
 * parse (dist/default-fixtures.cjs, as JSON) while the file is unchanged, so that a start with the
 * default fixtures never loads the YAML parser (about 40 ms here).
 */
function parseFixturesText(text: string): unknown {
  const built = prebuilt<{ json?: unknown }>('default-fixtures.cjs', textKey(text));
  if (typeof built?.json === 'string') return JSON.parse(built.json);
  const { parse } = require('yaml') as typeof import('yaml');
  return parse(text);
}

/** Checks a fixtures object against fixtures/schema.json; throws a FixtureError naming the bad key. */
export function validateFixtures(value: unknown, source = 'fixtures'): Fixtures {
  validator ??= fixturesValidator();
  if (value === null || value === undefined) return {};
  if (!validator(value)) {
    // An unknown key is the likeliest typo; otherwise the deepest error is the most precise.
    const errors = [...(validator.errors ?? [])];
    const first = errors.find((e) => e.keyword === 'additionalProperties') ?? errors.sort((a, b) => b.instancePath.length - a.instancePath.length)[0];
    throw new FixtureError(`${source}: ${first ? describe(first) : 'invalid'}`);
  }
  const commands = (value as Fixtures).scalingo?.commands ?? [];
  for (const [i, script] of commands.entries()) {
    if (script.pattern === undefined) continue;
    try {
      new RegExp(script.pattern);
    } catch {
      throw new FixtureError(`${source}: /scalingo/commands/${i}/pattern is not a valid regular expression`);
    }
  }
  return value as Fixtures;
}

/** Reads a YAML (or JSON) fixtures file and validates it. */
export function loadFixturesFile(path: string): Fixtures {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new FixtureError(`cannot read fixtures file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let parsed: unknown;
  try {
    parsed = parseFixturesText(text);
  } catch (err) {
    throw new FixtureError(`${path}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  return validateFixtures(parsed, path);
}
