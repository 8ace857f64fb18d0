import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** Scalingo's plain error body: {"error": "…"}. */
export function scalingoError(c: Context, status: ContentfulStatusCode, message: string) {
  return c.json({ error: message }, status);
}

/** Scalingo's 404 body, naming the resource: {"resource": "app", "error": "not found"}. */
export function scalingoNotFound(c: Context, resource: string) {
  return c.json({ resource, error: 'not found' }, 404);
}

/** Scalingo's 422 body: {"errors": {"field": ["message"]}}. */
export function scalingoInvalid(c: Context, errors: Record<string, string[]>) {
  return c.json({ errors }, 422);
}

/**
 * The real API's 404 for a path it does not serve (a CLI debug log shows it, Scalingo/cli#1214);
 * the CLI prints its message.
 */
export function scalingoNoRoute(c: Context) {
  return c.json({ message: 'Looking for something here? You must be wrong', url: 'https://developers.scalingo.com' }, 404);
}
