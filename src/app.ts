import { Hono, type Context } from 'hono';
import type { Limits } from './limits.js';
import type { Spec } from './spec.js';
import { NamespaceLimitError, type World, type Worlds, DEFAULT_NAMESPACE } from './store.js';
import { sparkError } from './sparkjobserver/errors.js';
import { sparkHealth } from './sparkjobserver/routes.js';
import { scalingoError } from './scalingo/errors.js';

/** What the whole server shares, whatever the namespace. */
export interface ServerContext {
  worlds: Worlds;
  limits: Limits;
  spec: Spec;
  /** Fixed base URL for the links jobfake hands out; else the Host the client used. */
  publicUrl?: string;
  /** When set, every response is checked against openapi.yaml and each finding reported here. */
  onResponseChecked?: (operationId: string | undefined, status: number, violations: string[]) => void;
}

export type AppEnv = {
  Variables: {
    world: World;
    /** The API base the client used, namespace included: links handed out start with it. */
    baseUrl: string;
  };
};

export type AppContext = Context<AppEnv>;

const isScalingoPath = (path: string) => /^(\/ns\/[^/]+)?\/v1\//.test(path);

/** The error body of whichever API owns the path. */
function errorFor(c: Context, status: 400 | 404 | 413 | 429 | 500 | 503, message: string) {
  return isScalingoPath(c.req.path) ? scalingoError(c, status, message) : sparkError(c, status, message);
}

function baseUrlOf(c: Context, server: ServerContext, namespace: string | undefined): string {
  const origin = server.publicUrl?.replace(/\/$/, '') ?? `http://${c.req.header('host') ?? '127.0.0.1'}`;
  return namespace ? `${origin}/ns/${namespace}` : origin;
}

export function createApp(server: ServerContext, mounts: ((api: Hono<AppEnv>) => void)[]): Hono<AppEnv> {
  const api = new Hono<AppEnv>();

  api.use(async (c, next) => {
    const namespace = c.req.param('ns' as never) as string | undefined;
    let world: World;
    try {
      world = server.worlds.get(namespace ?? DEFAULT_NAMESPACE);
    } catch (err) {
      if (err instanceof NamespaceLimitError) return errorFor(c, 503, err.message);
      throw err;
    }
    c.set('world', world);
    c.set('baseUrl', baseUrlOf(c, server, namespace));
    const started = performance.now();
    await next();
    world.record({
      time: new Date(world.clock.now()).toISOString(),
      method: c.req.method,
      path: c.req.path,
      query: new URL(c.req.url).search,
      headers: Object.fromEntries(c.req.raw.headers),
      bodySize: Number(c.req.header('content-length') ?? 0),
      status: c.res.status,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
    });
  });

  if (server.onResponseChecked) {
    const report = server.onResponseChecked;
    api.use(async (c, next) => {
      await next();
      const body = c.res.body ? await c.res.clone().text() : '';
      const { operationId, violations } = server.spec.checkResponse({
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        contentType: c.res.headers.get('content-type'),
        body,
      });
      // A 404 from no route at all is not an answer of the API; anything else must be documented.
      if (operationId || c.res.status !== 404) report(operationId, c.res.status, violations);
    });
  }

  api.get('/healthz', sparkHealth);
  for (const mount of mounts) mount(api);

  api.notFound((c) => errorFor(c, 404, `no route for ${c.req.method} ${c.req.path}`));
  api.onError((err, c) => {
    const status = (err as { status?: number }).status;
    if (status === 413) return errorFor(c, 413, 'request body too large');
    console.error(`jobfake: internal error on ${c.req.method} ${c.req.path}: ${err.stack ?? err}`);
    return errorFor(c, 500, 'internal error in jobfake (see its log)');
  });

  const app = new Hono<AppEnv>();
  app.route('/ns/:ns{[A-Za-z0-9._-]{1,64}}', api);
  app.route('/', api);
  app.notFound((c) => errorFor(c, 404, `no route for ${c.req.method} ${c.req.path}`));
  return app;
}
