import type { Hono } from 'hono';
import type { AppContext, AppEnv, ServerContext } from '../context.js';
import { REQUEST_TIMED_OUT, contextTerminated, exceptionMap, malformedParam, sparkError, sparkException } from './errors.js';
import { jobReport, sparkBodyLimit, stateOf } from './http.js';
import { parseInt32, submitJob } from './submit.js';
import { readText } from '../request-body.js';
import { jobConfigText } from './hocon.js';

async function postJob(c: AppContext) {
  const state = stateOf(c);
  const body = await readText(c);
  const answer = submitJob(state, (name) => c.req.query(name), body);
  switch (answer.kind) {
    case 'text':
      return c.text(answer.text, answer.status);
    case 'error':
      return c.json({ status: answer.statusText, result: answer.result }, answer.status);
    case 'started':
      return c.json(jobReport(state, answer.job, true), 202);
  }
  const { job, timeoutMs, askTarget } = answer;
  // The HTTP server's request-timeout (40 s in every release's application.conf) cuts a longer
  // wait: WebApi's timeoutRoute answers and the job goes on.
  const requestTimeoutMs = state.limits.sparkRequestTimeoutMs;
  const serverCuts = requestTimeoutMs > 0 && requestTimeoutMs < timeoutMs;
  const outcome = await state.jobTable.waitForEnd(job.jobId, serverCuts ? requestTimeoutMs : timeoutMs, c.req.raw.signal);
  // The namespace was reset or evicted: to the client its job's context died, as a real server reports it.
  if (outcome.kind === 'reset') return c.json({ jobId: job.jobId, status: 'ERROR', result: contextTerminated(job.contextId || job.context) });
  // Nobody reads this one: the client closed the connection.
  if (outcome.kind === 'gone') return sparkError(c, 500, 'jobfake: the client went away');
  if (outcome.kind === 'timeout' && serverCuts) return sparkError(c, 500, REQUEST_TIMED_OUT);
  if (outcome.kind === 'timeout') {
    const message = `Ask timed out on [${askTarget}] after [${timeoutMs} ms]. Sender[null] sent message of type "spark.jobserver.JobManagerActor$StartJob".`;
    return sparkException(c, 500, 'ERROR', exceptionMap(message, 'akka.pattern.AskTimeoutException'));
  }
  if (outcome.job.status === 'FINISHED') return c.json({ jobId: job.jobId, result: outcome.job.result ?? null });
  return c.json({ jobId: job.jobId, status: 'ERROR', result: outcome.job.error });
}

/** POST /jobs, the job queries and DELETE /jobs/{id}. */
export function jobRoutes(api: Hono<AppEnv>, server: ServerContext): void {
  api.get('/jobs', (c) => {
    const state = stateOf(c);
    const limitParam = c.req.query('limit');
    const limit = limitParam === undefined ? 50 : parseInt32(limitParam);
    if (limit === undefined) return malformedParam(c, 'limit', `'${limitParam}' is not a valid 32-bit signed integer value`);
    const status = c.req.query('status')?.toUpperCase();
    const jobs = [...state.jobs.values()].reverse().filter((job) => status === undefined || job.status === status);
    return c.json(jobs.slice(0, Math.max(0, limit)).map((job) => jobReport(state, job)));
  });

  api.post('/jobs', sparkBodyLimit(server.limits.bodyBytes), postJob);

  api.get('/jobs/:id/config', (c) => {
    const job = stateOf(c).jobs.get(c.req.param('id'));
    if (!job || !job.configKept) return sparkError(c, 404, `No such job ID ${c.req.param('id')}`);
    // The config as posted, in Typesafe Config's formatted rendering (WebApi): substitutions stay
    // unresolved (`${path}`), as the real server shows them.
    return c.body(jobConfigText(job.config), 200, { 'content-type': 'application/json' });
  });

  api.get('/jobs/:id', (c) => {
    const state = stateOf(c);
    const job = state.jobs.get(c.req.param('id'));
    if (!job) return sparkError(c, 404, `No such job ID ${c.req.param('id')}`);
    const report = jobReport(state, job);
    if (job.status === 'FINISHED') report['result'] = job.result ?? null;
    return c.json(report);
  });

  api.delete('/jobs/:id', (c) => {
    const state = stateOf(c);
    const id = c.req.param('id');
    const job = state.jobs.get(id);
    if (!job) return sparkError(c, 404, `No such job ID ${id}`);
    if (job.status === 'ERROR') return c.json({ status: 'ERROR', ERROR: job.error });
    if (job.status === 'FINISHED' || job.status === 'KILLED') return sparkError(c, 404, `No running job with ID ${id}`);
    state.jobTable.kill(id);
    return c.json({ status: 'KILLED' });
  });
}
