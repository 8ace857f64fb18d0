/**
 * POST /jobs: the checks of the real server, in its order (read from its WebApi and
 * JobManagerActor): query parameters, config, class path, binaries and context (the other way
 * round before 0.10), loading, class, slots, validation. Returns what to answer; routes render it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Binary } from './binaries.js';
import { findClass, type ClassPath } from './classes.js';
import { adHocName } from './contexts.js';
import { exceptionMap, type ExceptionMap } from './errors.js';
import { HoconError, parseHocon, getPath, type ConfigObject } from './hocon.js';
import type { JobRecord } from './jobs.js';
import type { SparkState } from './state.js';

export type SubmitAnswer =
  | { kind: 'error'; status: 400 | 404 | 409 | 500 | 503; statusText: string; result: string | ExceptionMap }
  | { kind: 'text'; status: 400 | 404; text: string }
  | { kind: 'started'; job: JobRecord }
  | { kind: 'sync'; job: JobRecord; timeoutMs: number; askTarget: string };

const error = (status: 400 | 404 | 409 | 500 | 503, result: string | ExceptionMap, statusText = 'ERROR'): SubmitAnswer => ({ kind: 'error', status, statusText, result });

/** Spray's Boolean reading of a query parameter. */
export function parseBool(value: string): boolean | undefined {
  const v = value.toLowerCase();
  if (v === 'true' || v === 'yes' || v === 'on') return true;
  if (v === 'false' || v === 'no' || v === 'off') return false;
  return undefined;
}

/** Spray's Int reading: a 32-bit signed integer. */
export function parseInt32(value: string): number | undefined {
  if (!/^[+-]?\d+$/.test(value)) return undefined;
  const n = Number(value);
  return n >= -(2 ** 31) && n < 2 ** 31 ? n : undefined;
}

const JAVA_URL_PROTOCOLS = new Set(['http', 'https', 'ftp', 'file', 'jar']);
const schemeOf = (entry: string) => /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(entry)?.[1]?.toLowerCase();

/** `cp` as the server reads it: a comma-separated string, or a list in the config. */
function cpFromConfig(config: ConfigObject): string[] {
  const value = getPath(config, 'cp');
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string') return value.split(',');
  return [];
}

export function submitJob(state: SparkState, query: (name: string) => string | undefined, body: string): SubmitAnswer {
  const profile = state.profile;
  const missing = (name: string): SubmitAnswer => ({ kind: 'text', status: 404, text: `Request is missing required query parameter '${name}'` });
  if (!profile.cpApi) {
    if (query('appName') === undefined) return missing('appName');
    if (query('classPath') === undefined) return missing('classPath');
  }
  const syncParam = query('sync');
  const sync = syncParam === undefined ? false : parseBool(syncParam);
  if (sync === undefined) return { kind: 'text', status: 400, text: `The query parameter 'sync' was malformed:\n'${syncParam}' is not a valid Boolean value` };
  const timeoutParam = query('timeout');
  const timeout = timeoutParam === undefined ? 10 : parseInt32(timeoutParam);
  if (timeout === undefined) return { kind: 'text', status: 400, text: `The query parameter 'timeout' was malformed:\n'${timeoutParam}' is not a valid 32-bit signed integer value` };

  let config: ConfigObject;
  try {
    config = parseHocon(body);
  } catch (err) {
    if (err instanceof HoconError) return error(400, `Cannot parse config: ${err.message}`);
    throw err;
  }

  let callbackUrl: string | undefined;
  if (profile.callbackUrl && query('callbackUrl') !== undefined) {
    callbackUrl = safeDecode(query('callbackUrl')!);
    // The real server lets this IllegalArgumentException through as a 500.
    if (!/^https?:\/\//i.test(callbackUrl)) return error(500, exceptionMap("Callback Url has to be 'http'/'https'", 'java.lang.IllegalArgumentException'));
  }

  // Which class and class path: appName + classPath, else cp + mainClass (query or config).
  const appName = query('appName');
  const providedMainClass = profile.cpApi ? (query('mainClass') ?? stringAt(config, 'mainClass') ?? '') : query('classPath')!;
  let mainClass: string;
  let cp: string[];
  if (appName !== undefined) {
    const classPath = query('classPath');
    if (classPath === undefined) return error(400, 'Cannot parse config: classPath parameter is missing!');
    mainClass = classPath;
    const dependent = getPath(config, 'dependent-jar-uris');
    cp = [...(Array.isArray(dependent) ? dependent.map(String) : []), appName];
  } else {
    const providedCp = query('cp') !== undefined ? query('cp')!.split(',') : cpFromConfig(config);
    cp = providedCp.map((entry) => entry.trim()).filter(Boolean);
    if (cp.length === 0) return error(400, 'Cannot parse config: To start the job appName or cp parameters should be configured!');
    if (providedMainClass === '') return error(400, 'Cannot parse config: mainClass parameter is missing!');
    mainClass = providedMainClass;
  }

  const contextName = query('context');
  const checkBinaries = (): SubmitAnswer | ClassPath => {
    const binaries: Binary[] = [];
    const uris: string[] = [];
    for (const entry of cp) {
      const scheme = schemeOf(entry);
      if (scheme === undefined) {
        const binary = state.binaries.get(entry);
        if (!binary) return error(404, `appName ${entry} not found`);
        binaries.push(binary);
      } else uris.push(entry);
    }
    const python = binaries.some((b) => b.type !== 'Jar') || uris.some((u) => /\.(egg|whl)$/i.test(u));
    return { binaries, uris, python };
  };
  const checkContext = (): SubmitAnswer | undefined => {
    if (contextName === undefined) {
      return state.contexts.full ? error(503, `jobfake: too many contexts in this namespace (limit ${state.limits.sparkContexts})`) : undefined;
    }
    const context = state.contexts.get(contextName);
    if (!context) return error(404, `context ${contextName} not found`);
    if (context.stopping) return error(409, 'Context stop in progress');
    return undefined;
  };

  let classPath: ClassPath;
  if (profile.cpApi) {
    const found = checkBinaries();
    if ('kind' in found) return found;
    classPath = found;
    const contextError = checkContext();
    if (contextError) return contextError;
  } else {
    const contextError = checkContext();
    if (contextError) return contextError;
    const found = checkBinaries();
    if ('kind' in found) return found;
    classPath = found;
  }

  // Loading: a JVM job adds its URIs to the class loader, where only Java's protocols work.
  if (!classPath.python) {
    const bad = classPath.uris.find((uri) => schemeOf(uri) !== 'local' && !JAVA_URL_PROTOCOLS.has(schemeOf(uri)!));
    if (bad) return error(400, exceptionMap(`unknown protocol: ${schemeOf(bad)}`, 'java.net.MalformedURLException'), 'JOB LOADING FAILED: Malformed URL');
  }
  const context = contextName === undefined ? undefined : state.contexts.get(contextName)!;
  if (context && context.python !== classPath.python) return error(400, 'Invalid job type for this context');
  if (classPath.python && cp.length !== 1) {
    return error(400, exceptionMap(`Python should have exactly one egg file! Found: ${cp.length}`, 'java.lang.IllegalArgumentException'), 'JOB LOADING FAILED');
  }
  const jobClass = findClass(mainClass, state.classes, classPath);
  if (!jobClass) return error(404, `classPath ${providedMainClass} not found`);

  const maxJobs = context?.maxJobs ?? state.maxJobsPerContext;
  if (context ? state.runningIn(context.name).length >= maxJobs : maxJobs <= 0) {
    return error(503, `Too many running jobs (${maxJobs}) for job context '${contextName ?? 'ad-hoc'}'`, 'NO SLOTS AVAILABLE');
  }

  const now = state.now();
  const perJvm = state.contextPerJvm;
  // The ad-hoc context's UUID is known before it starts, so a rejected job reports it too.
  const contextUuid = context?.id ?? randomUUID();
  const job: JobRecord = {
    jobId: randomUUID(),
    classPath: mainClass,
    context: context?.name ?? adHocName(mainClass, perJvm),
    contextId: perJvm ? contextUuid : '',
    cp,
    config,
    configKept: !sync,
    sync,
    proxyUser: query('spark.proxy.user'),
    callbackUrl,
    status: 'STARTED',
    history: [],
    startTime: now,
  };
  const problem = jobClass.validate(config);
  if (problem !== undefined) {
    const failure = exceptionMap(problem, 'java.lang.Throwable');
    state.jobTable.rejected(job, failure);
    return error(400, failure, 'VALIDATION FAILED');
  }
  if (!context) {
    state.contexts.create({ id: contextUuid, name: job.context, adHoc: true, python: classPath.python, maxJobs, settings: {} }, now);
  }
  state.jobTable.start(job, jobClass);
  if (!sync) return { kind: 'started', job };
  return { kind: 'sync', job, timeoutMs: Math.max(0, timeout) * 1000, askTarget: `Actor[akka://JobServer/user/jobManager-${randomBytes(4).toString('hex')}#${randomBytes(4).readInt32BE()}]` };
}

function stringAt(config: ConfigObject, path: string): string | undefined {
  const value = getPath(config, path);
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
