import type { MiddlewareHandler } from 'hono';
import { bodyLimit as countingBodyLimit } from 'hono/body-limit';

/**
 * hono/body-limit, deciding from the headers when it can. Hono's version first reads
 * `c.req.raw.body`, which makes @hono/node-server build a full web `Request` (headers, an
 * AbortSignal, a body stream) for every request, GETs included: that alone was a sixth of
 * jobfake's CPU per polling request. The decisions are the same: a GET or HEAD has no body here;
 * a Content-Length without Transfer-Encoding is compared as is; only a body of unknown length
 * goes through hono's counting reader.
 */
export function bodyLimit(options: Parameters<typeof countingBodyLimit>[0]): MiddlewareHandler {
  const counting = countingBodyLimit(options);
  return async (c, next) => {
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD') return next();
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      return parseInt(length || '0', 10) > options.maxSize ? options.onError!(c) : next();
    }
    return counting(c, next);
  };
}
