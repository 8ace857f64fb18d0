/**
 * What every API's Hono sub-app shares: the error handler and body limit, each answering in that
 * API's own words (Scalingo and the control API: {"error"}; Spark Jobserver: {"status","result"}).
 */
import { Hono, type Context, type ErrorHandler, type MiddlewareHandler } from 'hono';
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

/** A new sub-app for one API: whatever its routes throw is answered in `answer`'s words. */
export function apiApp(answer: ErrorAnswer): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.onError(errorHandler(answer));
  return app;
}

/**
 * Refuses a body over `maxSize` bytes with 413 and `message` in the API's words; `unknownLength`
 * as in BodyLimitOptions.
 */
export function limitBody(answer: ErrorAnswer, maxSize: number, message: string, unknownLength: 'count' | 'route' = 'count'): MiddlewareHandler<AppEnv> {
  return bodyLimit({ maxSize, onError: (c) => answer(c, 413, message), unknownLength });
}
