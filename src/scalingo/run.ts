import type { Context, Hono } from 'hono';
import type { AppEnv } from '../app.js';
import { requireBearer } from './auth.js';
import { readJsonObject } from './body.js';
import { scalingoError, scalingoInvalid, scalingoNotFound } from './errors.js';
import { appJson, attachUrl, containerJson, operationJson, operationUrl } from './json.js';
import { signalNames, type App, type RunParams, type ScalingoState } from './state.js';

function findApp(c: Context<AppEnv>): App | undefined {
  return c.get('world').scalingo.apps.get(c.req.param('app')!);
}

/** Field-level checks of a run body, in Scalingo's 422 shape. */
function runParams(state: ScalingoState, body: Record<string, unknown>): { params: RunParams } | { errors: Record<string, string[]> } {
  const errors: Record<string, string[]> = {};
  const { command, env = {}, size = 'M', detached = false, has_uploads = false, async = false } = body;
  if (typeof command !== 'string' || command.trim() === '') errors['command'] = ["can't be blank"];
  if (typeof env !== 'object' || env === null || Array.isArray(env) || Object.values(env).some((v) => typeof v !== 'string')) {
    errors['env'] = ['must be an object of string values'];
  }
  const found = typeof size === 'string' ? state.sizeNamed(size) : undefined;
  if (!found) errors['size'] = [`is not a valid container size (one of ${state.sizes.map((s) => s.name).join(', ')})`];
  for (const [name, value] of Object.entries({ detached, has_uploads, async })) {
    if (typeof value !== 'boolean') errors[name] = ['must be a boolean'];
  }
  if (Object.keys(errors).length > 0) return { errors };
  return { params: { command: command as string, env: env as Record<string, string>, size: found!, detached: detached as boolean } };
}

export function runRoutes(api: Hono<AppEnv>): void {
  api.use('/v1/apps/*', requireBearer);

  api.get('/v1/apps/:app', (c) => {
    const app = findApp(c);
    return app ? c.json({ app: appJson(app) }) : scalingoNotFound(c, 'app');
  });

  api.post('/v1/apps/:app/run', async (c) => {
    const app = findApp(c);
    if (!app) return scalingoNotFound(c, 'app');
    const body = await readJsonObject(c);
    if ('error' in body) return scalingoError(c, 400, body.error);
    const state = c.get('world').scalingo;
    const checked = runParams(state, body.value);
    if ('errors' in checked) return scalingoInvalid(c, checked.errors);
    const operation = state.run(app, checked.params);
    const base = c.get('baseUrl');
    const location = operationUrl(base, operation);
    c.header('Location', location);
    const attach = attachUrl(base, operation.container);
    return c.json({ container: containerJson(operation.container), ...(attach && { attach_url: attach }), operation_url: location });
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
    return c.json({ containers: c.get('world').scalingo.liveContainers(app).map(containerJson) });
  });

  api.post('/v1/apps/:app/containers/:id/stop', (c) => {
    const app = findApp(c);
    if (!app) return scalingoNotFound(c, 'app');
    const state = c.get('world').scalingo;
    const container = state.containers.get(c.req.param('id'));
    if (!container || container.app !== app || container.state === 'stopped') return scalingoNotFound(c, 'container');
    state.stopContainer(container);
    return c.body(null, 202);
  });

  api.post('/v1/apps/:app/containers/:id/kill', async (c) => {
    const app = findApp(c);
    if (!app) return scalingoNotFound(c, 'app');
    const state = c.get('world').scalingo;
    const container = state.containers.get(c.req.param('id'));
    if (!container || container.app !== app || container.state === 'stopped') return scalingoNotFound(c, 'container');
    const body = await readJsonObject(c);
    if ('error' in body) return scalingoError(c, 400, body.error);
    const signal = body.value['signal'];
    if (typeof signal !== 'string' || !signalNames.includes(signal)) {
      return scalingoInvalid(c, { signal: [`must be one of ${signalNames.join(', ')}`] });
    }
    state.kill(container, signal);
    return c.body(null, 204);
  });
}
