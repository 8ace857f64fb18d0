/**
 * The framework floor: the smallest Hono app on @hono/node-server (jobfake's own stack) that
 * answers the polled route with the same JSON, with none of jobfake's work (namespaces, auth,
 * journal, faults, state). Shows how much of the gap to bare node:http is the stack itself.
 *
 * With `--journal`: the same app plus the least a fake that journals does on each request, a
 * middleware checking for a bearer header and keeping the newest 2,000 requests (method, path,
 * query, raw headers, status, duration; jobfake's journal keeps that much by default, and more).
 */
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, Server } from 'node:http';

const body = JSON.parse(process.argv[2] ?? '{}') as object;
const app = new Hono<{ Bindings: { incoming: IncomingMessage } }>();
if (process.argv.includes('--journal')) {
  const journal: object[] = [];
  let id = 0;
  app.use(async (c, next) => {
    const started = performance.now();
    if (!c.req.header('authorization')?.startsWith('Bearer ')) return c.json({ error: 'unauthorized' }, 401);
    await next();
    const raw = c.env.incoming.rawHeaders;
    const url = c.req.url;
    const q = url.indexOf('?');
    journal.push({ id: ++id, timeMs: Date.now(), method: c.req.method, path: c.req.path, query: q < 0 ? '' : url.slice(q), headers: raw, status: c.res.status, durationMs: performance.now() - started });
    if (journal.length > 2000) journal.shift();
  });
}
app.get('/v1/apps/:app/operations/:id', (c) => c.json(body));
const server = createAdaptorServer({ fetch: app.fetch }) as Server;
server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
process.on('disconnect', () => process.exit(0));
