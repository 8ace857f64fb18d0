import type { Context, MiddlewareHandler } from 'hono';
import { ByteSink } from './request-body.js';

/** What is left of a refused body is read and dropped up to this many bytes… */
const DISCARD_BYTES = 64 * 1024 * 1024;
/** …and for this long; past either, the body stream is cancelled (the connection closes). */
const DISCARD_MS = 2000;

export interface BodyLimitOptions {
  /** Bytes. */
  maxSize: number;
  onError: (c: Context) => Response | Promise<Response>;
  /**
   * A body of unknown length (chunked): 'count' reads it here, counting, into one piece the route
   * then reads again; 'route' passes it on unread, for a route that counts as it streams (the
   * attach upload), so that it is never held twice.
   */
  unknownLength?: 'count' | 'route';
}

/**
 * A body limit deciding from the headers when it can. hono/body-limit first reads
 * `c.req.raw.body`, which makes @hono/node-server build a full web `Request` (headers, an
 * AbortSignal, a body stream) for every request, GETs included: that alone was a sixth of
 * jobfake's CPU per polling request. The decisions are the same: a GET or HEAD has no body here;
 * a Content-Length without Transfer-Encoding is compared as is (the unread body is then drained
 * by @hono/node-server); only a body of unknown length is counted as it is read (or, with
 * `unknownLength: 'route'`, passed on for the route to count as it streams it).
 *
 * Past the limit, that counted body is read to its end and dropped (bounded by DISCARD_BYTES and
 * DISCARD_MS) while the 413 goes out. Left half-read, the body stream stops the socket from
 * reading: @hono/node-server's drain then stalls and resets the connection 500 ms later, so the
 * client may never read its 413, and a keep-alive client loses its next request.
 */
export function bodyLimit(options: BodyLimitOptions): MiddlewareHandler {
  const limited = limitedBody(options);
  // Not async: a GET or HEAD (most requests) passes with no promise of its own around next().
  return (c, next) => {
    const method = c.req.method;
    return method === 'GET' || method === 'HEAD' ? next() : limited(c, next);
  };
}

/** bodyLimit for a request that may have a body. */
function limitedBody(options: BodyLimitOptions): MiddlewareHandler {
  return async (c, next) => {
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      return parseInt(length || '0', 10) > options.maxSize ? options.onError(c) : next();
    }
    if (options.unknownLength === 'route') return next();
    const body = c.req.raw.body;
    if (!body) return next();
    const reader = body.getReader();
    // Grown as the body comes, up to the limit: one buffer, not a list of chunks joined at the end.
    const sink = new ByteSink(options.maxSize, Math.min(options.maxSize, 16 * 1024));
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!sink.write(value)) {
        discardRest(reader);
        return options.onError(c);
      }
    }
    c.req.raw = new Request(c.req.raw, { body: sink.bytes() });
    return next();
  };
}

export function discardRest(reader: ReadableStreamDefaultReader<Uint8Array>): void {
  const deadline = performance.now() + DISCARD_MS;
  let dropped = 0;
  const timer = setTimeout(() => void reader.cancel().catch(() => {}), DISCARD_MS);
  timer.unref();
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        dropped += value.length;
        if (dropped > DISCARD_BYTES || performance.now() > deadline) {
          await reader.cancel();
          break;
        }
      }
    } catch {
      // The client went away, or the stream was cancelled: nothing left to drop.
    } finally {
      clearTimeout(timer);
    }
  })();
}
