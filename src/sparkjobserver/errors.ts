import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** Spark Jobserver's error body: {"status": "ERROR", "result": "…"}. */
export function sparkError(c: Context, status: ContentfulStatusCode, message: string, statusText = 'ERROR') {
  return c.json({ status: statusText, result: message }, status);
}
