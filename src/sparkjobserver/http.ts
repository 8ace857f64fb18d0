import type { MiddlewareHandler } from 'hono';
import { limitBody } from '../api-app.js';
import type { AppContext, AppEnv } from '../context.js';
import { sparkError } from './errors.js';
import type { JobRecord } from './jobs.js';
import type { SparkState } from './state.js';
import { secs } from './time.js';

export const stateOf = (c: AppContext): SparkState => c.get('world').spark;

/** Refuses a body over `max` bytes with 413, in the server's words. */
export function sparkBodyLimit(max: number): MiddlewareHandler<AppEnv> {
  return limitBody(sparkError, max, `Request entity is larger than the limit of ${max} bytes`);
}

/** "OK" as text (≤0.9) or {"status": "SUCCESS"}. */
export function okAnswer(c: AppContext, style: 'text' | 'json', status: 200 | 201 = 200) {
  return style === 'text' ? c.text('OK', status) : c.json({ status: 'SUCCESS' }, status);
}

/** GET /healthz as the configured release answers it. */
export function sparkHealth(c: AppContext) {
  return okAnswer(c, stateOf(c).profile.okAnswer);
}

/** The job report of GET /jobs, GET /jobs/{id} and the 202 of POST /jobs. */
export function jobReport(state: SparkState, job: JobRecord, justStarted = false): Record<string, unknown> {
  const ended = !justStarted && job.endTime !== undefined;
  const report: Record<string, unknown> = {
    jobId: job.jobId,
    startTime: state.time(job.startTime),
    classPath: job.classPath,
    context: job.context,
    // Absent in the seed's example; "" with one JVM for every context (WebApi.getJobReport).
    ...(state.profile.reportsContextId && { contextId: job.contextId }),
    duration: ended ? secs(job.endTime! - job.startTime) : 'Job not done yet',
    status: justStarted ? 'STARTED' : job.status,
  };
  if (!justStarted && job.error) report['result'] = job.error;
  return report;
}
