import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.js';
import { bearerToken } from '../scalingo/auth.js';
import { scalingoError } from '../scalingo/errors.js';

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * Guards the control API with a token (`--control-token`): a request passes with
 * `Authorization: Bearer <token>`, or with `?token=<token>` (a browser opening the inspector, and
 * its EventSource, cannot send a header). Else 401 `{"error"}` with a `WWW-Authenticate`
 * challenge. Compared in constant time, on digests so that the length does not show either.
 */
export function controlGuard(token: string): MiddlewareHandler<AppEnv> {
  const expected = digest(token);
  return async (c, next) => {
    const given = bearerToken(c.req.header('authorization')) ?? c.req.query('token');
    if (given !== undefined && timingSafeEqual(digest(given), expected)) return next();
    c.header('WWW-Authenticate', 'Bearer realm="jobfake control API"');
    return scalingoError(c, 401, 'the control API needs the control token: Authorization: Bearer <token> (or ?token=<token> for the inspector)');
  };
}
