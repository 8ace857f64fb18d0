import type { Hono } from 'hono';
import type { AppEnv, ServerContext } from '../context.js';
import { rawLocalPath } from '../namespace.js';
import { isPythonFactory } from './contexts.js';
import { REQUEST_TIMED_OUT, malformedParam, sparkError } from './errors.js';
import { HoconError, getPath, parseHocon, type ConfigObject } from './hocon.js';
import { sparkBodyLimit, stateOf } from './http.js';
import { parseBool } from './submit.js';
import { readText } from '../request-body.js';

/** GET, POST and DELETE /contexts. */
export function contextRoutes(api: Hono<AppEnv>, server: ServerContext): void {
  api.get('/contexts', (c) => c.json([...stateOf(c).contexts.byName.keys()]));

  api.get('/contexts/:name', (c) => {
    const name = c.req.param('name');
    const state = stateOf(c);
    const context = state.contexts.get(name);
    if (!context) return sparkError(c, 404, `can't find context with name ${name}`);
    const spark = { applicationId: context.applicationId, url: context.url };
    if (!state.contextPerJvm) return c.json({ name: context.name, ...spark });
    // WebApi.getContextReport with a ContextInfo from the DAO (AkkaClusterSupervisorActor).
    return c.json({ id: context.id, name: context.name, startTime: state.time(context.startTime), endTime: 'Empty', state: context.stopping ? 'STOPPING' : 'RUNNING', ...spark });
  });

  // PUT /contexts?reset=reboot[&sync=false] (WebApi.contextRoutes, v0.9.0 to v0.11.1).
  api.put('/contexts', (c) => {
    const state = stateOf(c);
    const reset = c.req.query('reset');
    if (reset === undefined) return c.text("Request is missing required query parameter 'reset'", 404);
    const syncParam = c.req.query('sync');
    const sync = syncParam === undefined ? undefined : parseBool(syncParam);
    if (syncParam !== undefined && sync === undefined) return malformedParam(c, 'sync', `'${syncParam}' is not a valid Boolean value`);
    if (reset !== 'reboot') {
      // v0.9.0 completes with the bare string; v0.10.0 on with a 500 in the error shape.
      return state.profile.okAnswer === 'text' ? c.text('ERROR') : sparkError(c, 500, 'ERROR');
    }
    // sync=false only sends the stops; otherwise the contexts of the config come back after.
    state.rebootContexts(sync !== false);
    return c.json({ status: 'SUCCESS', result: sync === false ? 'Context reset requested' : 'Context reset' });
  });

  api.post('/contexts/:name', sparkBodyLimit(server.limits.bodyBytes), async (c) => {
    const state = stateOf(c);
    const name = c.req.param('name');
    if (!/^\p{L}/u.test(name)) return sparkError(c, 400, 'context name must start with letters');
    let config: ConfigObject;
    try {
      config = parseHocon(await readText(c));
    } catch (err) {
      // The real server lets this through as a bare 500; a 400 says what is wrong.
      if (err instanceof HoconError) return sparkError(c, 400, `Cannot parse config: ${err.message}`);
      throw err;
    }
    if (state.contexts.get(name)) return sparkError(c, 400, `context ${name} exists`);
    const params = c.req.query();
    const fromConfig = getPath(config, 'spark.context-settings');
    const settings: Record<string, unknown> = { ...(fromConfig && typeof fromConfig === 'object' && !Array.isArray(fromConfig) ? fromConfig : {}), ...params };
    const factory = settings['context-factory'];
    const create = () => {
      if (state.contexts.get(name)) return sparkError(c, 400, `context ${name} exists`);
      if (state.contexts.full) return sparkError(c, 503, `jobfake: too many contexts in this namespace (limit ${server.limits.sparkContexts})`);
      state.contexts.create({ name, adHoc: false, python: isPythonFactory(typeof factory === 'string' ? factory : undefined), maxJobs: state.maxJobsPerContext, settings }, state.now());
      return c.json({ status: 'SUCCESS', result: 'Context initialized' });
    };
    const delay = state.contextStartDelay();
    if (delay <= 0) return create();
    // Starting takes schedule.contextStart of the clock; past the server's request-timeout the
    // client gets WebApi.timeoutRoute's 500 while the context goes on starting.
    const started = state.later(delay, create);
    const requestTimeoutMs = server.limits.sparkRequestTimeoutMs;
    if (requestTimeoutMs > 0 && requestTimeoutMs < delay) {
      const cut = state.later(requestTimeoutMs, () => 'timeout' as const);
      const first = await Promise.race([started.done, cut.done]);
      cut.cancel();
      if (first === 'timeout') return sparkError(c, 500, REQUEST_TIMED_OUT);
      return first ?? sparkError(c, 500, 'jobfake: the namespace was reset before the context started');
    }
    return (await started.done) ?? sparkError(c, 500, 'jobfake: the namespace was reset before the context started');
  });

  api.delete('/contexts/:name', (c) => {
    const state = stateOf(c);
    const name = c.req.param('name');
    const force = c.req.query('force');
    if (force !== undefined && parseBool(force) === undefined) return malformedParam(c, 'force', `'${force}' is not a valid Boolean value`);
    const context = state.contexts.get(name);
    if (!context) return sparkError(c, 404, `context ${name} not found`);
    if (state.stopContext(context) === 'stopped') return c.json({ status: 'SUCCESS', result: 'Context stopped' });
    const url = new URL(c.req.url);
    return c.body(null, 202, { Location: `${c.get('baseUrl')}${rawLocalPath(url.pathname, c.req.param('ns' as never) !== undefined)}${url.search}` });
  });
}
