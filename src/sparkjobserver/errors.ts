import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** WebApi.timeoutRoute's message, past the HTTP server's request-timeout (v0.9.0 to v0.11.1). */
export const REQUEST_TIMED_OUT = 'Request timed out. Try using the /jobs/<jobID>, /jobs APIs to get status/results';

/** Spark Jobserver's error body: {"status": "ERROR", "result": "…"}. */
export function sparkError(c: Context, status: ContentfulStatusCode, message: string, statusText = 'ERROR') {
  return c.json({ status: statusText, result: message }, status);
}

/** How the server reports a JVM exception: message, class and the stack as one string. */
export interface ExceptionMap {
  message: string;
  errorClass: string;
  stack: string;
}

/** A job's error when its context died under it (JobManagerActor's ContextTerminatedException). */
export const contextTerminated = (context: string): ExceptionMap =>
  exceptionMap(`Unexpected termination of context ${context}`, 'spark.jobserver.JobManagerActor$ContextTerminatedException');

export function exceptionMap(message: string, errorClass = 'java.lang.RuntimeException'): ExceptionMap {
  return { message, errorClass, stack: `${errorClass}: ${message}\n\tat spark.jobserver (simulated by jobfake)` };
}

/** An error answer carrying an exception: {"status": "<STATUS>", "result": {exception map}}. */
export function sparkException(c: Context, status: ContentfulStatusCode, statusText: string, error: ExceptionMap) {
  return c.json({ status: statusText, result: error }, status);
}

/** What spray answers for a query parameter it cannot convert (a text 400). */
export function malformedParam(c: Context, name: string, message: string) {
  return c.text(`The query parameter '${name}' was malformed:\n${message}`, 400);
}
