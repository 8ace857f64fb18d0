import type { Hono } from 'hono';
import type { AppEnv } from '../app.js';

/** The Scalingo API: auth, apps, run, operations, containers. */
export function scalingoRoutes(_api: Hono<AppEnv>): void {}
