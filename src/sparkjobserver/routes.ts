import type { Hono } from 'hono';
import { apiApp } from '../api-app.js';
import type { AppEnv, ServerContext } from '../context.js';
import { sparkError } from './errors.js';
import { sparkHealth } from './http.js';
import { binaryRoutes } from './routes-binaries.js';
import { contextRoutes } from './routes-contexts.js';
import { dataRoutes } from './routes-data.js';
import { jobRoutes } from './routes-jobs.js';

/** The Spark Jobserver REST API: binaries, jobs, contexts, and /healthz. Bodies are limited per route. */
export function sparkApp(server: ServerContext): Hono<AppEnv> {
  const app = apiApp(sparkError);
  app.get('/healthz', sparkHealth);
  binaryRoutes(app, server);
  jobRoutes(app, server);
  contextRoutes(app, server);
  dataRoutes(app, server);
  return app;
}
