import type { Hono } from 'hono';
import { apiApp, limitBody } from '../api-app.js';
import type { AppEnv, ServerContext } from '../context.js';
import { appsRoutes } from './apps.js';
import { attachRoutes } from './attach.js';
import { authRoutes } from './auth.js';
import { scalingoCors } from './cors.js';
import { scalingoError } from './errors.js';
import { logsRoutes } from './logs-routes.js';
import { uploadFormBytes, uploadTooLarge } from './multipart.js';
import { runRoutes } from './run.js';

/** The Scalingo API: auth, apps, run, operations, containers, logs, and the attach URL's HTTP side. */
export function scalingoApp(server: ServerContext): Hono<AppEnv> {
  const app = apiApp(scalingoError);
  // First, so that a preflight is answered before any credentials check.
  const cors = scalingoCors(server);
  app.use('/v1/*', cors);
  app.use('/logs/*', cors);
  const { bodyBytes, uploadBytes } = server.limits;
  // Multipart framing adds a little to the file itself; the handler checks the exact file size,
  // and counts a chunked form as it streams it (so that it is not read whole first).
  app.use('/attach/:token/files', limitBody(scalingoError, uploadFormBytes(uploadBytes), uploadTooLarge(uploadBytes), 'route'));
  const bodies = limitBody(scalingoError, bodyBytes, `request body too large (limit ${bodyBytes} bytes)`);
  app.use('/attach/:token', bodies);
  // '/v1/*', not a '{.*}' pattern: Hono's RegExpRouter refuses the latter under /ns/:ns{…} and
  // the app then falls back to its slower TrieRouter for every route.
  app.use('/v1/*', bodies);
  authRoutes(app);
  runRoutes(app, server);
  appsRoutes(app);
  logsRoutes(app);
  attachRoutes(app, server);
  return app;
}
