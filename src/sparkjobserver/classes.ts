import type { SparkClassFixture } from '../fixtures.js';
import { exceptionMap, type ExceptionMap } from './errors.js';
import { getPath, type ConfigObject, type ConfigValue } from './hocon.js';
import type { Binary } from './binaries.js';

export type JobOutcome = { result: unknown } | { error: ExceptionMap };

/** What jobfake knows of a job class: how it validates, how long it runs, what it returns. */
export interface JobClass {
  name: string;
  /** A validation problem (the server's `One(…)` text), or undefined when the config will do. */
  validate(config: ConfigObject): string | undefined;
  run(config: ConfigObject): JobOutcome;
  /** Milliseconds it runs; undefined: the schedule's. */
  duration?: number;
}

/** Typesafe's getString: strings, numbers and booleans read as text; anything else fails. */
function configString(config: ConfigObject, path: string): string | undefined {
  const value = getPath(config, path);
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}

/** Java's String.split(" "): empty pieces kept except at the end. */
function splitOnSpace(text: string): string[] {
  const parts = text.split(' ');
  while (parts.length > 0 && parts.at(-1) === '') parts.pop();
  return parts;
}

function wordCount(name: string, problem: string): JobClass {
  return {
    name,
    validate: (config) => (configString(config, 'input.string') === undefined ? problem : undefined),
    run: (config) => {
      const counts: Record<string, number> = Object.create(null);
      for (const word of splitOnSpace(configString(config, 'input.string') ?? '')) counts[word] = (counts[word] ?? 0) + 1;
      return { result: counts };
    },
  };
}

/** Classes of the server's own test jar, found in any JVM job's class path. */
export const BUILTIN_CLASSES: JobClass[] = [
  wordCount('spark.jobserver.WordCountExample', 'One(SparkJobInvalid(No input.string config param))'),
  wordCount('spark.jobserver.WordCountExampleNewApi', 'One(SingleProblem(No input.string param))'),
];

/** Fills {{config.path}} placeholders; a string that is only a placeholder takes the value's type. */
export function renderTemplate(template: unknown, config: ConfigObject): unknown {
  if (typeof template === 'string') {
    const whole = /^\{\{\s*([^{}\s]+)\s*\}\}$/.exec(template);
    if (whole) return getPath(config, whole[1]!) ?? null;
    return template.replace(/\{\{\s*([^{}\s]+)\s*\}\}/g, (_, path: string) => {
      const value: ConfigValue | undefined = getPath(config, path);
      if (value === undefined || value === null) return '';
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
    });
  }
  if (Array.isArray(template)) return template.map((item) => renderTemplate(item, config));
  if (template !== null && typeof template === 'object') {
    return Object.fromEntries(Object.entries(template).map(([key, value]) => [key, renderTemplate(value, config)]));
  }
  return template;
}

/** A class declared in the fixtures or through the state API. */
export function declaredClass(fixture: SparkClassFixture): JobClass {
  return {
    name: fixture.name,
    duration: fixture.duration,
    validate: (config) => {
      const missing = (fixture.requiredConfig ?? []).find((path) => getPath(config, path) === undefined);
      return missing === undefined ? undefined : `One(SparkJobInvalid(No ${missing} config param))`;
    },
    run: (config) =>
      fixture.error !== undefined
        ? { error: exceptionMap(fixture.error, fixture.errorClass) }
        : { result: renderTemplate(fixture.result ?? null, config) },
  };
}

/** A class found inside an uploaded archive but declared nowhere: it runs and returns null. */
function archiveClass(name: string): JobClass {
  return { name, validate: () => undefined, run: () => ({ result: null }) };
}

/** Whether an archive holds the class (jar) or the module of a Python job (egg, wheel). */
function archiveHolds(binary: Binary, name: string): boolean {
  const path = name.replace(/\./g, '/');
  if (binary.type === 'Jar') return binary.entries.includes(`${path}.class`) || binary.entries.includes(`${path}$.class`);
  const module = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : path;
  return [`${module}.py`, `${module}.pyc`, `${module}/__init__.py`, `${path}.py`].some((file) => binary.entries.includes(file));
}

export interface ClassPath {
  binaries: Binary[];
  uris: string[];
  python: boolean;
}

/** The class a job runs, looked up as: declared for this class path, built-in, inside an archive. */
export function findClass(name: string, declared: SparkClassFixture[], cp: ClassPath): JobClass | undefined {
  const sources = new Set([...cp.binaries.map((b) => b.name), ...cp.uris]);
  // The latest declaration wins, so one added at run time replaces the fixture's.
  const declaration = [...declared].reverse().find((d) => d.name === name && (d.binary === undefined || sources.has(d.binary)));
  if (declaration) return declaredClass(declaration);
  if (!cp.python) {
    const builtin = BUILTIN_CLASSES.find((c) => c.name === name);
    if (builtin) return builtin;
  }
  if (cp.binaries.some((binary) => archiveHolds(binary, name))) return archiveClass(name);
  return undefined;
}
