import type { Hono } from 'hono';
import type { AppEnv } from '../app.js';

/** The Spark Jobserver REST API: binaries, jobs, contexts. */
export function sparkRoutes(_api: Hono<AppEnv>): void {}
