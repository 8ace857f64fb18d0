import type { MiddlewareHandler } from 'hono';
import type { AppEnv, ServerContext } from '../context.js';

/** Seconds a browser may reuse a preflight answer. */
const PREFLIGHT_MAX_AGE = 600;

/** An origin as browsers send it: scheme, host and port, no path. */
export const ORIGIN_PATTERN = /^https?:\/\/[^/\s]+$/;

/**
 * CORS for the Scalingo API, as a browser app (the dashboard, scalingo.js's browser bundle)
 * needs it: any origin unless `server.corsOrigins` lists the only ones allowed. An `OPTIONS`
 * (a preflight: with `Access-Control-Request-Method`) is answered 204 on the paths where
 * openapi.yaml documents one, without credentials; it allows the path's documented methods and the headers the browser
 * asks for (`Authorization` among them). Other paths fall through to their 404. Answers expose
 * `Location` (the run's operation URL). An origin not allowed, or a method the path lacks, gets no
 * CORS headers, so the browser refuses to send the request.
 */
export function scalingoCors(server: ServerContext): MiddlewareHandler<AppEnv> {
  const allowed = server.corsOrigins && new Set(server.corsOrigins.map((origin) => origin.replace(/\/$/, '')));
  const withCors: MiddlewareHandler<AppEnv> = async (c, next) => {
    const origin = c.req.header('origin');
    const allow = origin !== undefined && (allowed === undefined || allowed.has(origin));
    // Any OPTIONS on a path that documents a preflight is one; the headers only go to a real
    // preflight (with the method asked for) from an allowed origin.
    const preflight = c.req.method === 'OPTIONS' ? server.spec.findOperation('OPTIONS', c.get('localPath')) : undefined;
    if (preflight) {
      const asked = c.req.header('access-control-request-method')?.toUpperCase();
      const methods = server.spec.operations.filter((op) => op.pathTemplate === preflight.pathTemplate && op.method !== 'OPTIONS').map((op) => op.method);
      if (allow && asked !== undefined && methods.includes(asked)) {
        c.header('Access-Control-Allow-Origin', origin);
        c.header('Access-Control-Allow-Methods', methods.join(', '));
        c.header('Access-Control-Allow-Headers', c.req.header('access-control-request-headers') ?? 'Authorization, Content-Type, Accept');
        c.header('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE));
      }
      c.header('Vary', 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers');
      return c.body(null, 204);
    }
    await next();
    if (origin === undefined) return;
    c.res.headers.append('Vary', 'Origin');
    if (!allow) return;
    c.res.headers.set('Access-Control-Allow-Origin', origin);
    c.res.headers.set('Access-Control-Expose-Headers', 'Location');
  };
  // Not async: a request with no Origin that is no OPTIONS (any client but a browser) passes
  // with no promise of its own around next().
  return (c, next) => (c.req.method !== 'OPTIONS' && c.req.header('origin') === undefined ? next() : withCors(c, next));
}
