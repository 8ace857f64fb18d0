import type { Hono } from 'hono';
import type { AppEnv } from '../context.js';
import { scalingoError, scalingoNotFound } from './errors.js';
import { appJson } from './json.js';
import { formatLogLine } from './logs.js';
import { findApp } from './run.js';

/** Lines a dump gives when the client does not say (the CLI's own default for --lines). */
const DEFAULT_LINES = 20;

/** The logs URL of an app: jobfake serves it itself, the token in it is the capability. */
export const logsUrl = (base: string, app: string, token: string, now: number) => `${base}/logs/${app}?timestamp=${Math.floor(now / 1000)}&token=${token}`;

/** `n` as the logs service takes it: a whole number, default 20. */
export function linesWanted(n: string | undefined | null): number | undefined {
  if (n === undefined || n === null || n === '') return DEFAULT_LINES;
  return /^\d{1,9}$/.test(n) ? Number(n) : undefined;
}

/**
 * `GET /v1/apps/{app}/logs` hands out a logs URL (as the CLI's `scalingo logs` and scalingo.js's
 * `Apps.logsURL()` ask), and `GET {logs_url}` dumps the last `n` lines that pass `filter` as
 * text. Following (`stream=true`) is a WebSocket: see streams.ts.
 */
export function logsRoutes(api: Hono<AppEnv>): void {
  api.get('/v1/apps/:app/logs', (c) => {
    const app = findApp(c);
    if (!app) return scalingoNotFound(c, 'app');
    const state = c.get('world').scalingo;
    return c.json({ app: appJson(app, c.get('baseUrl'), state), logs_url: logsUrl(c.get('baseUrl'), app.name, state.logs.tokenFor(app.name), c.get('world').clock.now()) });
  });

  // Reached only without the upgrade headers: the stream itself is a WebSocket (streams.ts).
  api.get('/deployments-stream/apps/:app', (c) => (findApp(c) ? scalingoError(c, 400, 'the deployments stream is a WebSocket: send the upgrade headers') : scalingoNotFound(c, 'app')));

  api.get('/logs/:app', (c) => {
    const app = findApp(c);
    if (!app) return scalingoNotFound(c, 'app');
    const logs = c.get('world').scalingo.logs;
    if (!logs.accepts(app.name, c.req.query('token'))) return scalingoError(c, 401, 'invalid or missing logs token: ask GET /v1/apps/{app}/logs for a logs URL');
    if (c.req.query('stream') === 'true') return scalingoError(c, 400, 'stream=true is a WebSocket: send the upgrade headers');
    const n = linesWanted(c.req.query('n'));
    if (n === undefined) return scalingoError(c, 400, 'n must be a whole number of lines');
    const lines = logs.tail(app.name, n, c.req.query('filter'));
    // The Go client reads 204 as "there is no log for this application".
    if (lines.length === 0) return c.body(null, 204);
    return c.text(lines.map((line) => `${formatLogLine(line)}\n`).join(''));
  });
}

