import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { packageFile } from './paths.js';

export interface ScriptFixture {
  command?: string;
  pattern?: string;
  output?: string;
  exitCode?: number;
  delay?: number;
  echo?: boolean;
}

export interface OperationSchedule {
  pending?: number;
  running?: number;
  error?: string;
}

export interface Fixtures {
  scalingo?: {
    tokens?: string[];
    user?: { id?: string; username?: string; fullname?: string; email?: string };
    apps?: { name: string; schedule?: OperationSchedule }[];
    schedule?: OperationSchedule;
    detachedDuration?: number;
    commands?: ScriptFixture[];
  };
  sparkJobserver?: Record<string, unknown>;
}

export class FixtureError extends Error {
  override name = 'FixtureError';
}

export const defaultFixturesPath = packageFile('fixtures/default.yaml');

let validator: ReturnType<Ajv['compile']> | undefined;

function describe(error: ErrorObject): string {
  const where = error.instancePath || '/';
  if (error.keyword === 'additionalProperties') {
    return `unknown key "${String(error.params['additionalProperty'])}" at ${where}`;
  }
  return `${where} ${error.message ?? 'is invalid'}`;
}

/** Checks a fixtures object against fixtures/schema.json; throws a FixtureError naming the bad key. */
export function validateFixtures(value: unknown, source = 'fixtures'): Fixtures {
  validator ??= new Ajv({ allErrors: true, strict: false }).compile(
    JSON.parse(readFileSync(packageFile('fixtures/schema.json'), 'utf8')),
  );
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
    parsed = parseYaml(text);
  } catch (err) {
    throw new FixtureError(`${path}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  return validateFixtures(parsed, path);
}
