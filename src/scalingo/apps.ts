import type { Hono } from 'hono';
import type { AppEnv } from '../context.js';
import { requireBearer } from './auth.js';
import { scalingoNotFound } from './errors.js';
import { appJson, formationJson } from './json.js';
import { findApp } from './run.js';

/**
 * Reads around a one-off that the CLI and scalingo.js make: the app list, an app's formation
 * (`scalingo run --type` takes its command from there) and the container sizes a run may ask for.
 */
export function appsRoutes(api: Hono<AppEnv>): void {
  api.get('/v1/apps', requireBearer, (c) => {
    const state = c.get('world').scalingo;
    return c.json({ apps: [...state.apps.values()].map((app) => appJson(app, c.get('baseUrl'), state)) });
  });

  api.get('/v1/apps/:app/containers', (c) => {
    const app = findApp(c);
    return app ? c.json({ containers: formationJson(app) }) : scalingoNotFound(c, 'app');
  });

  api.get('/v1/features/container_sizes', requireBearer, (c) => c.json({ container_sizes: c.get('world').scalingo.sizes }));
}
