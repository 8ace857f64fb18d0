import { Hono, type MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { setTimeout as sleep } from 'node:timers/promises';
import { answerFor, answerOfRoute, errorFor, errorHandler, notFound, routeAnswers } from './api-app.js';
import type { AppContext, AppEnv, ServerContext } from './context.js';
import { CONTROL_PREFIX, NAMESPACE_ROUTE, namespaceUrl, splitNamespace } from './namespace.js';
import { answerStringOf, type CapturedBody } from './journal.js';
import { scalingoNoRoute } from './scalingo/errors.js';
import { Trip, lazyHeaders, maskCredentials, searchOf, type FaultAnswer } from './pipeline.js';

/** A path of the Scalingo API proper (/v1), in any namespace. */
const isScalingoApiPath = (path: string) => /^(\/ns\/[^/]+)?\/v1(\/|$)/.test(path);

/** One API's sub-app, built for this server. */
export type ApiMount = (server: ServerContext) => Hono<AppEnv>;

/** Renders a fault's answer on HTTP; undefined when the request goes on to its route. */
async function faultAnswer(c: AppContext, fault: FaultAnswer | undefined): Promise<Response | undefined> {
  if (!fault || fault.kind === 'dropAfterBytes') return undefined;
  if (fault.kind === 'delay') {
    // A client that leaves during the delay ends it: its request never reaches the route.
    const signal = c.req.raw.signal;
    try {
      await sleep(fault.ms, undefined, { signal });
      return undefined;
    } catch {
      c.set('faulted', true);
      return new Response(null, { status: 499 as number });
    }
  }
  c.set('faulted', true);
  if (fault.kind === 'error') {
    const res = errorFor(c, fault.status as ContentfulStatusCode, fault.message);
    if (fault.retryAfter !== undefined) res.headers.set('Retry-After', String(fault.retryAfter));
    return res;
  }
  const socket = c.env?.incoming?.socket;
  if (fault.reset) socket?.resetAndDestroy();
  else socket?.destroy();
  return new Response(null, { status: 444 as number });
}

/** The request pipeline on HTTP: every request through Hono passes here first (see pipeline.ts). */
function requestPipeline(server: ServerContext): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const { namespace, local } = splitNamespace(c.req.path);
    const raw = c.env?.incoming?.rawHeaders;
    const trip = new Trip(server, {
      method: c.req.method,
      path: c.req.path,
      sentPath: () => new URL(c.req.url).pathname,
      namespace,
      localPath: local,
      query: searchOf(c.req.url),
      headers: raw ? lazyHeaders(raw) : maskCredentials(c.req.raw.headers),
      bodySize: Number(c.req.header('content-length') ?? 0),
    });
    const refused = trip.enter();
    if (refused !== undefined) {
      c.res = errorFor(c, 503, refused);
      return trip.end(c.res.status, { journal: false });
    }
    c.set('world', trip.world!);
    c.set('localPath', local);
    c.set('baseUrl', namespaceUrl(server.publicUrl?.replace(/\/$/, '') ?? `http://${c.req.header('host') ?? '127.0.0.1'}`, namespace));
    // The control API is not part of what a client under test did: no journal, no faults.
    const control = local.startsWith(CONTROL_PREFIX);
    const faulted = control ? undefined : await faultAnswer(c, trip.fault());
    if (faulted) c.res = faulted;
    else await next();
    const res = c.res;
    let answer;
    if (server.onResponseChecked && !c.get('faulted')) {
      // An event stream never ends: its status and content type are checked, not its body.
      const contentType = res.headers.get('content-type');
      const streamed = contentType?.startsWith('text/event-stream') ?? false;
      answer = { contentType, body: res.body && !streamed ? await res.clone().text() : '' };
    }
    if (control) return trip.end(res.status, { answer, journal: false });
    const text = answerStringOf(res) ?? answer?.body;
    const response = text ? { contentType: res.headers.get('content-type'), text } : undefined;
    trip.end(res.status, { answer, body: requestBodyOf(c), response });
  };
}

/**
 * The request's body for the journal: what the route noted as it read it (request-body.ts), or
 * else its declared size alone (the route never read it).
 */
function requestBodyOf(c: AppContext): CapturedBody | undefined {
  const noted = c.get('journalBody');
  if (noted) return noted;
  const size = Number(c.req.header('content-length') ?? 0);
  return size > 0 || c.req.header('transfer-encoding') ? { contentType: c.req.header('content-type') ?? null, size } : undefined;
}

/**
 * The Hono app: the request pipeline, then one sub-app per API, each with its own error answer
 * and body limit; the same routes at the root (default namespace) and under /ns/<name>.
 */
export function createApp(server: ServerContext, apis: ApiMount[]): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const mounted = apis.map((mount) => mount(server));
  for (const api of mounted) routes.route('/', api);
  const answers = routeAnswers(mounted);

  const app = new Hono<AppEnv>();
  app.use(requestPipeline(server));
  app.route(NAMESPACE_ROUTE, routes);
  app.route('/', routes);
  // No route: the API owning the path answers (Spark Jobserver owns the root); under /v1, the real
  // Scalingo API's own 404, which the CLI prints.
  app.notFound((c) => (isScalingoApiPath(c.req.path) ? scalingoNoRoute(c) : notFound(answerFor(c.req.path))(c)));
  // What a route threw is answered in the words of the API whose sub-app the route lives in.
  app.onError((err, c) => errorHandler(answerOfRoute(c, answers))(err, c));
  return app;
}
