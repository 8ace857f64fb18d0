import type { Hono } from 'hono';
import type { AppEnv } from '../app.js';
import { binaryRoutes } from './routes-binaries.js';
import { contextRoutes } from './routes-contexts.js';
import { jobRoutes } from './routes-jobs.js';

export { sparkHealth } from './http.js';

/** The Spark Jobserver REST API: binaries, jobs, contexts. */
export function sparkRoutes(api: Hono<AppEnv>): void {
  binaryRoutes(api);
  jobRoutes(api);
  contextRoutes(api);
}
