/**
 * What every API's Hono sub-app shares: the error answer and body limit, each in that API's own
 * words (Scalingo and the control API: {"error"}; Spark Jobserver: {"status","result"}).
 */
import { Hono, type Context, type ErrorHandler, type MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { bodyLimit } from './body-limit.js';
import type { AppEnv } from './context.js';
import { apiOfPath, type ApiName } from './namespace.js';
import { scalingoError } from './scalingo/errors.js';
import { sparkError } from './sparkjobserver/errors.js';

/** How one API words an error answer. */
export type ErrorAnswer = (c: Context, status: ContentfulStatusCode, message: string) => Response;

const errorAnswers: Record<ApiName, ErrorAnswer> = { scalingo: scalingoError, control: scalingoError, spark: sparkError };

/**
 * The error answer for a request no route of its API has seen yet (a fault, too many namespaces,
 * no route at all): in the words of the API owning its path (see apiOfPath).
 */
export function errorFor(c: Context, status: ContentfulStatusCode, message: string): Response {
  return answerFor(c.req.path)(c, status, message);
}

/** The error answer of the API owning a path. */
export const answerFor = (path: string): ErrorAnswer => errorAnswers[apiOfPath(path)];

/** The answer to a path no route matches. */
export const notFound = (answer: ErrorAnswer) => (c: Context) => answer(c, 404, `no route for ${c.req.method} ${c.req.path}`);

/** A route that threw: 413 for a body refused while read, 400 when the client left, else a logged 500. */
export function errorHandler(answer: ErrorAnswer): ErrorHandler<AppEnv> {
  return (err, c) => {
    const status = (err as { status?: number }).status;
    if (status === 413) return answer(c, 413, 'request body too large');
    // The client went away while its body was read: nobody gets this answer, and jobfake is fine.
    if (c.req.raw.signal.aborted || c.env?.incoming?.destroyed) return answer(c, 400, 'request body incomplete: the client went away');
    console.error(`jobfake: internal error on ${c.req.method} ${c.req.path}: ${err.stack ?? err}`);
    return answer(c, 500, 'internal error in jobfake (see its log)');
  };
}

/** Each API sub-app's error answer (see apiApp). */
const answerOfApp = new WeakMap<Hono<AppEnv>, ErrorAnswer>();

/**
 * A new sub-app for one API: whatever its routes throw is answered in `answer`'s words. Not
 * through the sub-app's own `onError`: Hono then wraps each of its handlers in a composed error
 * handler run on every request (a fifth of the memory allocated per poll, 3–6% of its CPU). The
 * app's one error handler finds the answer by the route that matched instead (see routeAnswers).
 */
export function apiApp(answer: ErrorAnswer): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  answerOfApp.set(app, answer);
  return app;
}

/**
 * The error answer of each route handler of these sub-apps, for the app's error handler: the
 * answer of the API whose sub-app the matched route lives in, read back with answerOfRoute.
 */
export function routeAnswers(apps: Hono<AppEnv>[]): WeakMap<object, ErrorAnswer> {
  const answers = new WeakMap<object, ErrorAnswer>();
  for (const app of apps) {
    const answer = answerOfApp.get(app);
    if (!answer) throw new Error('an API sub-app must come from apiApp()');
    for (const route of app.routes) answers.set(route.handler, answer);
  }
  return answers;
}

/**
 * The error answer for a request: that of the sub-app its matched routes live in (the last one
 * known), else that of the API owning its path.
 */
export function answerOfRoute(c: Context, answers: WeakMap<object, ErrorAnswer>): ErrorAnswer {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) {
    const answer = answers.get(routes[i]!.handler);
    if (answer) return answer;
  }
  return answerFor(c.req.path);
}

/**
 * Refuses a body over `maxSize` bytes with 413 and `message` in the API's words; `unknownLength`
 * as in BodyLimitOptions.
 */
export function limitBody(answer: ErrorAnswer, maxSize: number, message: string, unknownLength: 'count' | 'route' = 'count'): MiddlewareHandler<AppEnv> {
  return bodyLimit({ maxSize, onError: (c) => answer(c, 413, message), unknownLength });
}
