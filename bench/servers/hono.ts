/**
 * The framework floor: the smallest Hono app on @hono/node-server (jobfake's own stack) that
 * answers the polled route with the same JSON, with none of jobfake's work (namespaces, auth,
 * journal, faults, state). Shows how much of the gap to bare node:http is the stack itself.
 */
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

const body = JSON.parse(process.argv[2] ?? '{}') as object;
const app = new Hono();
app.get('/v1/apps/:app/operations/:id', (c) => c.json(body));
const server = createAdaptorServer({ fetch: app.fetch }) as Server;
server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
process.on('disconnect', () => process.exit(0));
