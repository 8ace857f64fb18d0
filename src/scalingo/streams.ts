import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import type { ServerContext } from '../context.js';
import { splitNamespace } from '../namespace.js';
import { Trip, maskCredentials } from '../pipeline.js';
import type { World } from '../store.js';
import { tokenProblem } from './auth.js';
import { linesWanted } from './logs-routes.js';
import { formatLogLine, type LogLine } from './logs.js';

/** The logs service's fronts cut a silent stream after 30 s: a ping every 25 s keeps it open. */
const PING_MS = 25_000;
/** The paths served, inside their namespace: a logs URL, a deployments stream. */
const STREAM_PATH = /^\/(logs|deployments-stream\/apps)\/([^/?#]+)$/;
const REASONS: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 503: 'Service Unavailable' };
/** WebSocket close code for a refused credential (RFC 6455: policy violation). */
const POLICY_VIOLATION = 1008;

interface Upgrade {
  req: IncomingMessage;
  url: URL;
  world: World;
  app: string;
  accept: (onOpen: (ws: WebSocket) => void) => void;
  refuse: (status: number, body: object) => void;
}

/**
 * `GET {logs_url}&stream=true` with a WebSocket upgrade (`scalingo logs -f`, scalingo.js's
 * `Logs.listenerFor()`): the last `n` lines (default none), then each new line as
 * `{"event": "log", "log": "<line>", "timestamp": "…"}` (the CLI's `WSEvent`), and
 * `{"event": "ping"}` every 25 s.
 */
function followLogs({ url, world, app, accept, refuse }: Upgrade): void {
  const logs = world.scalingo.logs;
  if (!logs.accepts(app, url.searchParams.get('token') ?? undefined)) return refuse(401, { error: 'invalid or missing logs token: ask GET /v1/apps/{app}/logs for a logs URL' });
  const n = url.searchParams.has('n') ? linesWanted(url.searchParams.get('n')) : 0;
  if (n === undefined) return refuse(400, { error: 'n must be a whole number of lines' });
  const filter = url.searchParams.get('filter') ?? undefined;
  accept((ws) => {
    const send = (line: LogLine) => ws.send(JSON.stringify({ event: 'log', log: formatLogLine(line), timestamp: new Date(line.at).toISOString() }));
    for (const line of logs.tail(app, n, filter)) send(line);
    const unfollow = logs.follow(app, filter, send, () => ws.terminate());
    const ping = setInterval(() => ws.send(JSON.stringify({ event: 'ping' })), PING_MS);
    ping.unref();
    ws.once('close', () => {
      unfollow();
      clearInterval(ping);
    });
  });
}

/**
 * The app's `links.deployments_stream` (scalingo.js's `Apps.deploymentListener()` opens it at
 * once): the client authenticates with `{"type": "auth", "data": {"token": "<JWT>"}}`; a token
 * that is not valid closes the stream (1008). jobfake has no deployments, so no event follows.
 */
function deploymentsStream({ world, accept }: Upgrade): void {
  accept((ws) => {
    ws.once('close', world.scalingo.logs.track(() => ws.terminate()));
    ws.on('message', (data) => {
      let message: { type?: unknown; data?: { token?: unknown } } | undefined;
      try {
        message = JSON.parse(data.toString());
      } catch {
        return ws.close(POLICY_VIOLATION, 'not JSON');
      }
      if (message?.type !== 'auth') return;
      const token = message.data?.token;
      if (typeof token !== 'string' || tokenProblem(world, token) !== undefined) ws.close(POLICY_VIOLATION, 'invalid token');
    });
  });
}

/**
 * WebSocket upgrades: Node hands them to the server's 'upgrade' event, never to Hono, so routing
 * happens here; the request pipeline (namespace, response check, journal, log) is the same Trip
 * as HTTP's. Served: logs URLs (follow) and the deployments stream; any other upgrade is
 * refused with 404.
 */
export function createUpgradeHandler(server: ServerContext): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  // ws is loaded on the first upgrade, not at start: importing it was a third of the cold start.
  let wss: Promise<WebSocketServer> | undefined;
  const webSockets = () => (wss ??= import('ws').then(({ WebSocketServer }) => new WebSocketServer({ noServer: true })));
  return (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://x');
    const { namespace, local } = splitNamespace(url.pathname);
    const match = STREAM_PATH.exec(local);
    const trip = new Trip(server, {
      method: 'GET',
      path: url.pathname,
      sentPath: () => url.pathname,
      namespace,
      localPath: local,
      // The logs token is a credential: it stays out of the journal.
      query: url.search.replace(/token=[^&]*/, 'token=***'),
      headers: maskCredentials(new Headers(Object.entries(req.headers).map(([k, v]) => [k, String(v)]))),
      bodySize: 0,
    });
    const refuse = (status: number, body: object) => {
      const text = JSON.stringify(body);
      // An upgrade elsewhere is no route of the API: nothing for the response check.
      trip.end(status, { answer: match ? { contentType: 'application/json', body: text } : undefined });
      socket.end(`HTTP/1.1 ${status} ${REASONS[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
    };
    // A stream never creates a namespace: a URL of one that does not exist is not found.
    const refused = match ? trip.enter({ existingOnly: true }) : undefined;
    if (refused !== undefined) return refuse(503, { error: refused });
    const world = trip.world;
    if (!match || !world) return refuse(404, { error: `no WebSocket at ${url.pathname}: only logs URLs and deployments streams` });
    const app = decodeURIComponent(match[2]!);
    if (!world.scalingo.apps.has(app)) return refuse(404, { resource: 'app', error: 'not found' });
    const accept = (onOpen: (ws: WebSocket) => void) =>
      void webSockets().then((server) =>
        server.handleUpgrade(req, socket, head, (ws) => {
          trip.end(101, { answer: { contentType: null, body: '' } });
          ws.on('error', () => ws.terminate());
          onOpen(ws);
        }),
      );
    (match[1] === 'logs' ? followLogs : deploymentsStream)({ req, url, world, app, accept, refuse });
  };
}
