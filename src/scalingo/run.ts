import type { Context, Hono } from 'hono';
import type { AppEnv, ServerContext } from '../context.js';
import { requireBearer } from './auth.js';
import { readScalingoBody } from './body.js';
import { scalingoInvalid, scalingoNotFound } from './errors.js';
import { appJson, attachUrl, containerJson, operationJson, operationUrl } from './json.js';
import type { App, Container, RunParams } from './model.js';
import type { ScalingoState } from './state.js';

export function findApp(c: Context<AppEnv>): App | undefined {
  return c.get('world').scalingo.apps.get(c.req.param('app')!);
}

/** The app's live container named in the path, or the 404 to answer (app first, as Scalingo does). */
function findLiveContainer(c: Context<AppEnv>): { container: Container } | { response: Response } {
  const app = findApp(c);
  if (!app) return { response: scalingoNotFound(c, 'app') };
  const container = c.get('world').scalingo.containers.get(c.req.param('id')!);
  if (!container || container.app !== app || container.state === 'stopped') return { response: scalingoNotFound(c, 'container') };
  return { container };
}

/** What the schema cannot say: a blank command, a size that does not exist. */
function runParams(state: ScalingoState, body: Record<string, unknown>): { params: RunParams } | { errors: Record<string, string[]> } {
  const { command, env = {}, size = 'M', detached = false } = body as { command: string; env?: Record<string, string>; size?: string; detached?: boolean };
  const errors: Record<string, string[]> = {};
  if (command.trim() === '') errors['command'] = ["can't be blank"];
  const found = state.sizeNamed(size);
  if (!found) errors['size'] = [`is not a valid container size (one of ${state.sizes.map((s) => s.name).join(', ')})`];
  if (Object.keys(errors).length > 0) return { errors };
  return { params: { command, env, size: found!, detached } };
}

export function runRoutes(api: Hono<AppEnv>, server: ServerContext): void {
  api.use('/v1/apps/*', requireBearer);

  api.get('/v1/apps/:app', (c) => {
    const app = findApp(c);
    return app ? c.json({ app: appJson(app, c.get('baseUrl'), c.get('world').scalingo) }) : scalingoNotFound(c, 'app');
  });

  api.post('/v1/apps/:app/run', async (c) => {
    const app = findApp(c);
    if (!app) return scalingoNotFound(c, 'app');
    const body = await readScalingoBody(c, server);
    if ('response' in body) return body.response;
    const state = c.get('world').scalingo;
    const checked = runParams(state, body.value);
    if ('errors' in checked) return scalingoInvalid(c, checked.errors);
    const operation = state.run(app, checked.params);
    const base = c.get('baseUrl');
    const location = operationUrl(base, operation);
    c.header('Location', location);
    const attach = attachUrl(base, operation.container);
    // `operation` (the id) is what scalingo.js's Operations.operation() takes; the API reference shows it since late 2024.
    return c.json({ container: containerJson(operation.container, base, state), ...(attach && { attach_url: attach }), operation_url: location, operation: operation.id });
  });

  api.get('/v1/apps/:app/operations/:id', (c) => {
    const app = findApp(c);
    if (!app) return scalingoNotFound(c, 'app');
    const operation = c.get('world').scalingo.operations.get(c.req.param('id'));
    if (!operation || operation.app !== app) return scalingoNotFound(c, 'operation');
    return c.json(operationJson(c.get('baseUrl'), operation));
  });

  api.get('/v1/apps/:app/ps', (c) => {
    const app = findApp(c);
    if (!app) return scalingoNotFound(c, 'app');
    const state = c.get('world').scalingo;
    return c.json({ containers: state.liveContainers(app).map((container) => containerJson(container, c.get('baseUrl'), state)) });
  });

  api.post('/v1/apps/:app/containers/:id/stop', (c) => {
    const found = findLiveContainer(c);
    if ('response' in found) return found.response;
    c.get('world').scalingo.stopContainer(found.container);
    return c.body(null, 202);
  });

  api.post('/v1/apps/:app/containers/:id/kill', async (c) => {
    const found = findLiveContainer(c);
    if ('response' in found) return found.response;
    const body = await readScalingoBody(c, server);
    if ('response' in body) return body.response;
    c.get('world').scalingo.kill(found.container, body.value['signal'] as string);
    return c.body(null, 204);
  });
}
