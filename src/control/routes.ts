import type { Hono } from 'hono';
import type { AppEnv } from '../app.js';

/** jobfake's control API under /__jobfake. */
export function controlRoutes(_api: Hono<AppEnv>): void {}
