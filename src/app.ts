import type { HttpBindings } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { setTimeout as sleep } from 'node:timers/promises';
import { bodyLimit } from './body-limit.js';
import type { Limits } from './limits.js';
import type { LogSink } from './log.js';
import type { Spec } from './spec.js';
import { NamespaceLimitError, type World, type Worlds, DEFAULT_NAMESPACE } from './store.js';
import { sparkError } from './sparkjobserver/errors.js';
import { sparkHealth } from './sparkjobserver/routes.js';
import { scalingoError } from './scalingo/errors.js';

/** What the whole server shares, whatever the namespace. */
export interface ServerContext {
  worlds: Worlds;
  limits: Limits;
  spec: Spec;
  /** Fixed base URL for the links jobfake hands out; else the Host the client used. */
  publicUrl?: string;
  /** Strict mode: called with a warning when a client sends what the spec marks deprecated. */
  warn?: (message: string) => void;
  /** When set, every response is checked against openapi.yaml and each finding reported here. */
  onResponseChecked?: (operationId: string | undefined, status: number, violations: string[]) => void;
  /** Receives one entry per request (and per attach session start and end); unset means silent. */
  log?: LogSink;
}

export type AppEnv = {
  Bindings: Partial<HttpBindings>;
  Variables: {
    /** The request path inside its namespace (no /ns/<name> prefix). */
    localPath: string;
    /** Set when a fault answered instead of the API: the answer is off-spec on purpose. */
    faulted?: boolean;
    world: World;
    /** The API base the client used, namespace included: links handed out start with it. */
    baseUrl: string;
  };
};

export type AppContext = Context<AppEnv>;

const isScalingoPath = (path: string) => /^(\/ns\/[^/]+)?\/(v1|attach)\//.test(path);
const isControlPath = (path: string) => /^(\/ns\/[^/]+)?\/__jobfake(\/|$)/.test(path);
/** Upload routes enforce their own, larger, limits. */
const isUploadPath = (path: string) => /\/files$/.test(path);

/** The error body of whichever API owns the path. */
export function errorFor(c: Context, status: ContentfulStatusCode, message: string) {
  return isScalingoPath(c.req.path) || isControlPath(c.req.path) ? scalingoError(c, status, message) : sparkError(c, status, message);
}

function baseUrlOf(c: Context, server: ServerContext, namespace: string | undefined): string {
  const origin = server.publicUrl?.replace(/\/$/, '') ?? `http://${c.req.header('host') ?? '127.0.0.1'}`;
  return namespace ? `${origin}/ns/${namespace}` : origin;
}

export const CONTROL_PREFIX = '/__jobfake';

/** Credentials never leave the process: the journal keeps only the scheme. */
export function maskCredentials(headers: Headers): Record<string, string> {
  const out = Object.fromEntries(headers);
  if (out['authorization']) out['authorization'] = `${out['authorization'].split(' ')[0]} ***`;
  return out;
}

/**
 * The journal's copy of the request headers, made when the journal is read: only Node's raw
 * header list is kept (not the request), and turned into a `Headers` as @hono/node-server does.
 */
function journalHeaders(c: AppContext): Record<string, string> | (() => Record<string, string>) {
  const raw = c.env?.incoming?.rawHeaders;
  if (!raw) return maskCredentials(c.req.raw.headers);
  return () => {
    const headers = new Headers();
    for (let i = 0; i < raw.length; i += 2) if (!raw[i]!.startsWith(':')) headers.append(raw[i]!, raw[i + 1]!);
    return maskCredentials(headers);
  };
}

/** `new URL(url).search`, without parsing the URL when the query needs no escaping. */
export function searchOf(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return '';
  const hash = url.indexOf('#');
  if (hash >= 0 && hash < q) return '';
  const search = hash < 0 ? url.slice(q) : url.slice(q, hash);
  // Characters the URL parser would escape or drop in an http query: let it do so.
  if (!/^\?[!$%&(-;=?-~]*$/.test(search)) return new URL(url).search;
  return search === '?' ? '' : search;
}

/** Runs the namespace's first matching fault instead of (or before) the route. */
async function applyFaultOrNext(c: AppContext, world: World, path: string, next: () => Promise<void>): Promise<void> {
  const fault = world.faults.size > 0 ? world.faults.take(c.req.method, path) : undefined;
  if (!fault || fault.action.type === 'dropAfterBytes') return next();
  const action = fault.action;
  if (action.type === 'delay') {
    await sleep(action.ms);
    return next();
  }
  c.set('faulted', true);
  const socket = c.env?.incoming?.socket;
  if (action.type === 'status') {
    c.res = errorFor(c, action.status as ContentfulStatusCode, action.message ?? `fault injected by jobfake: ${action.status}`);
  } else if (action.type === 'rateLimit') {
    c.res = errorFor(c, 429, 'rate limit exceeded (fault injected by jobfake)');
    c.res.headers.set('Retry-After', String(action.retryAfter));
  } else {
    // 'empty' closes with no bytes; 'reset' sends a TCP RST.
    if (action.type === 'reset') socket?.resetAndDestroy();
    else socket?.destroy();
    c.res = new Response(null, { status: 444 as number });
  }
}

export function createApp(server: ServerContext, mounts: ((api: Hono<AppEnv>, server: ServerContext) => void)[]): Hono<AppEnv> {
  const api = new Hono<AppEnv>();

  api.use(async (c, next) => {
    const namespace = c.req.param('ns' as never) as string | undefined;
    const started = performance.now();
    const elapsedMs = () => Math.round((performance.now() - started) * 100) / 100;
    const log = (status: number, durationMs: number) =>
      server.log?.({ type: 'request', time: new Date().toISOString(), method: c.req.method, path: new URL(c.req.url).pathname, status, durationMs, namespace: namespace ?? DEFAULT_NAMESPACE });
    let world: World;
    try {
      world = server.worlds.get(namespace ?? DEFAULT_NAMESPACE);
    } catch (err) {
      if (err instanceof NamespaceLimitError) {
        const res = errorFor(c, 503, err.message);
        log(res.status, elapsedMs());
        return res;
      }
      throw err;
    }
    const localPath = namespace ? c.req.path.slice(namespace.length + 4) : c.req.path;
    c.set('world', world);
    c.set('localPath', localPath);
    c.set('baseUrl', baseUrlOf(c, server, namespace));
    // The control API is not part of what a client under test did: logged, but no journal, no faults.
    if (localPath.startsWith(CONTROL_PREFIX)) {
      await next();
      log(c.res.status, elapsedMs());
      return;
    }
    await applyFaultOrNext(c, world, localPath, next);
    const durationMs = elapsedMs();
    world.record({
      time: new Date(world.clock.now()).toISOString(),
      method: c.req.method,
      path: localPath,
      query: searchOf(c.req.url),
      headers: journalHeaders(c),
      bodySize: Number(c.req.header('content-length') ?? 0),
      status: c.res.status,
      durationMs,
    });
    log(c.res.status, durationMs);
  });

  if (server.onResponseChecked) {
    const report = server.onResponseChecked;
    api.use(async (c, next) => {
      await next();
      // An event stream never ends: its status and content type are checked, not its body.
      const streamed = c.res.headers.get('content-type')?.startsWith('text/event-stream') ?? false;
      const body = c.res.body && !streamed ? await c.res.clone().text() : '';
      const { operationId, violations } = server.spec.checkResponse({
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        contentType: c.res.headers.get('content-type'),
        body,
      });
      // A 404 from no route at all is not an answer of the API, and a fault is off-spec on
      // purpose; anything else must be documented.
      if (c.get('faulted')) return;
      if (operationId || c.res.status !== 404) report(operationId, c.res.status, violations);
    });
  }

  const limitBody = bodyLimit({
    maxSize: server.limits.bodyBytes,
    onError: (c) => errorFor(c, 413, `request body too large (limit ${server.limits.bodyBytes} bytes)`),
  });
  const limitUpload = bodyLimit({
    // Multipart framing adds a little to the file itself; the handlers check the exact file size.
    maxSize: server.limits.uploadBytes + 64 * 1024,
    onError: (c) => errorFor(c, 413, `upload too large (limit ${server.limits.uploadBytes} bytes)`),
  });
  // Spark Jobserver routes limit their bodies themselves, in that server's words.
  api.use((c, next) =>
    isScalingoPath(c.req.path) || isControlPath(c.req.path) ? (isUploadPath(c.req.path) ? limitUpload(c, next) : limitBody(c, next)) : next(),
  );

  api.get('/healthz', sparkHealth);
  for (const mount of mounts) mount(api, server);

  api.notFound((c) => errorFor(c, 404, `no route for ${c.req.method} ${c.req.path}`));
  api.onError((err, c) => {
    const status = (err as { status?: number }).status;
    if (status === 413) return errorFor(c, 413, 'request body too large');
    // The client went away while its body was read: nobody gets this answer, and jobfake is fine.
    if (c.req.raw.signal.aborted || c.env?.incoming?.destroyed) return errorFor(c, 400, 'request body incomplete: the client went away');
    console.error(`jobfake: internal error on ${c.req.method} ${c.req.path}: ${err.stack ?? err}`);
    return errorFor(c, 500, 'internal error in jobfake (see its log)');
  });

  const app = new Hono<AppEnv>();
  app.route('/ns/:ns{[A-Za-z0-9._-]{1,64}}', api);
  app.route('/', api);
  app.notFound((c) => errorFor(c, 404, `no route for ${c.req.method} ${c.req.path}`));
  return app;
}
