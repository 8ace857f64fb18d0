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
  /** Milliseconds it runs with this config; undefined: the schedule's. */
  durationMs?(config: ConfigObject): number | undefined;
}

/** A duration read from the job's config: the path, the unit of a bare number, the default. */
export interface ConfigDuration {
  config: string;
  /** Unit of a number without one (default s); a HOCON duration string ("500 ms") carries its own. */
  unit?: 'ms' | 's' | 'm' | 'h';
  /** Used when the path is missing or not a duration, in `unit`. */
  default: number;
}

const UNIT_MS: Record<string, number> = {
  ns: 1e-6, nanosecond: 1e-6, nanoseconds: 1e-6, us: 1e-3, microsecond: 1e-3, microseconds: 1e-3,
  ms: 1, millisecond: 1, milliseconds: 1, s: 1000, second: 1000, seconds: 1000,
  m: 60_000, minute: 60_000, minutes: 60_000, h: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
};

/**
 * Milliseconds a job runs: a fixed number, or read from its config (Typesafe's duration format:
 * a number in `unit`, or a string such as "10 s"). Anything else falls back to the default, as
 * LongPiJob's `Try(config.getInt(…)).getOrElse(5)` does.
 */
export function durationFrom(spec: number | ConfigDuration | undefined, config: ConfigObject): number | undefined {
  if (spec === undefined || typeof spec === 'number') return spec;
  const unitMs = UNIT_MS[spec.unit ?? 's']!;
  const value = getPath(config, spec.config);
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.round(value * unitMs);
  if (typeof value === 'string') {
    const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
    const unit = match ? (match[2] ? UNIT_MS[match[2]] : unitMs) : undefined;
    if (match && unit !== undefined) return Math.round(Number(match[1]) * unit);
  }
  return Math.round(spec.default * unitMs);
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

/**
 * The test jar's LongPiJob (job-server-tests, v0.9.0 to v0.11.1): runs
 * `stress.test.longpijob.duration` seconds (default 5) and returns its estimate of pi, a Double.
 */
const longPiJob: JobClass = {
  name: 'spark.jobserver.LongPiJob',
  validate: () => undefined,
  run: () => ({ result: Math.PI }),
  durationMs: (config) => durationFrom({ config: 'stress.test.longpijob.duration', unit: 's', default: 5 }, config),
};

/** Classes of the server's own test jar, found in any JVM job's class path. */
export const BUILTIN_CLASSES: JobClass[] = [
  wordCount('spark.jobserver.WordCountExample', 'One(SparkJobInvalid(No input.string config param))'),
  wordCount('spark.jobserver.WordCountExampleNewApi', 'One(SingleProblem(No input.string param))'),
  longPiJob,
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
    durationMs: (config) => durationFrom(fixture.duration, config),
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
