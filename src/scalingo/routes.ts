import type { Hono } from 'hono';
import type { AppEnv, ServerContext } from '../app.js';
import { attachRoutes } from './attach.js';
import { authRoutes } from './auth.js';
import { runRoutes } from './run.js';

/** The Scalingo API: auth, apps, run, operations, containers, and the attach URL's HTTP side. */
export function scalingoRoutes(api: Hono<AppEnv>, server: ServerContext): void {
  authRoutes(api);
  runRoutes(api, server);
  attachRoutes(api);
}
