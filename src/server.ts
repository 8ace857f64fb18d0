import { createAdaptorServer } from '@hono/node-server';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createApp, type ApiMount } from './app.js';
import type { ServerContext } from './context.js';
import { loadFixturesFile, validateFixtures, defaultFixturesPath, type Fixtures } from './fixtures.js';
import { resolveLimits, type Limits } from './limits.js';
import { createLogger, type LogFormat, type LogSink } from './log.js';
import { apiOfPath } from './namespace.js';
import { loadSpec } from './spec.js';
import { Worlds } from './store.js';
import { controlOf, type NamespaceControl } from './control/actions.js';
import { scalingoApp } from './scalingo/routes.js';
import { sparkApp } from './sparkjobserver/routes.js';
import { controlApp } from './control/routes.js';
import { handleConnect } from './scalingo/tunnel.js';
import { createUpgradeHandler } from './scalingo/streams.js';

/** The APIs the server mounts, each its own Hono sub-app. */
export const API_MOUNTS: ApiMount[] = [scalingoApp, sparkApp, controlApp];

export interface StartOptions {
  /** Port to listen on; 0 picks a free one. Default 8090. */
  port?: number;
  /** Interface to bind. Default 127.0.0.1. */
  host?: string;
  /** A fixtures object, or the path of a YAML/JSON fixtures file. Default fixtures/default.yaml. */
  fixtures?: Fixtures | string;
  /** Base URL used in the links handed out (attach URLs, Location), when clients reach jobfake through a proxy. */
  publicUrl?: string;
  limits?: Partial<Limits>;
  /**
   * Origins (e.g. `http://127.0.0.1:3000`) allowed to call the Scalingo API from a browser.
   * Default: any origin, as a browser app against the real API expects.
   */
  corsOrigins?: string[];
  /** Check every response against openapi.yaml and keep what breaks it (see specViolations()). */
  checkResponses?: boolean;
  /**
   * Strict mode: warn when a client sends what openapi.yaml marks deprecated (e.g. the run
   * body's `async`). `true` writes the warning to standard error; a function receives it.
   */
  strict?: boolean | ((message: string) => void);
  /**
   * One entry per request, and per attach session start and end: `'text'` or `'json'` lines on
   * standard output, or a function that receives each entry. Default `'silent'`.
   */
  log?: LogFormat | LogSink;
  /**
   * Guards the control API over HTTP (/__jobfake, the inspector included): it then needs
   * `Authorization: Bearer <controlToken>` (or `?token=`), else 401. The in-process calls
   * (`fake.namespace()`) need none. Default: no guard.
   */
  controlToken?: string;
}

export interface LiveCounts {
  sockets: number;
  attachSessions: number;
  timers: number;
  waiters: number;
}

/**
 * One namespace of a running fake: its base URL, and the control API as plain calls (see
 * NamespaceControl): the way tests drive state (clock, lifecycles, faults, journal).
 */
export interface FakeNamespace extends NamespaceControl {
  /** The API base for clients of this namespace (both APIs live under it). */
  readonly url: string;
}

/**
 * A running fake (startFake()). Its own control calls act on the default namespace (the root
 * URL); `namespace(name)` gives another, isolated one.
 */
export interface Fake extends Omit<NamespaceControl, 'reset' | 'name'> {
  /** Base URL of the default namespace, e.g. http://127.0.0.1:8090 */
  readonly url: string;
  /** An isolated namespace, reached by clients at `${fake.url}/ns/${name}`. */
  namespace(name: string): FakeNamespace;
  readonly host: string;
  readonly port: number;
  readonly server: Server;
  readonly limits: Limits;
  /** Back to the fixtures' state: one namespace, or all of them. */
  reset(namespace?: string): void;
  /** Responses that broke openapi.yaml (with checkResponses). */
  specViolations(): string[];
  /** Operation × status pairs answered so far (with checkResponses). */
  responsesSeen(): { operationId: string; status: number }[];
  /**
   * Live counts of what the server holds, for leak checks: open sockets (hijacked tunnels
   * included), attached sessions, timers scheduled on the namespaces' clocks, and requests or
   * tunnels waiting on something (held CONNECTs, `/wait`, Spark `sync=true`, the inspector's
   * event streams).
   */
  liveCounts(): LiveCounts;
  /** Stops listening and closes every socket, hijacked ones included. */
  close(): Promise<void>;
}

/**
 * How often Node checks the header and request timeouts: a quarter of the shorter one, 10 ms to
 * 30 s (0 turns a timeout off).
 */
export function checkingInterval(limits: Limits): number {
  const on = [limits.headersTimeoutMs, limits.requestTimeoutMs].filter((ms) => ms > 0);
  return on.length === 0 ? 30_000 : Math.min(30_000, Math.max(10, Math.floor(Math.min(...on) / 4)));
}

/**
 * The raw answer to a request Node's parser refused (no route ever sees it): 431 for a head over
 * `headerBytes`, 408 for a client too slow, else 400, with a body in the error shape of the API
 * the request line names (Scalingo and control: {"error"}; else Spark Jobserver's).
 */
function clientErrorAnswer(err: NodeJS.ErrnoException & { rawPacket?: Buffer }, limits: Limits): string {
  const [status, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, `request headers too large (limit ${limits.headerBytes} bytes)`]
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, `request not received in time (headers within ${limits.headersTimeoutMs} ms, the whole request within ${limits.requestTimeoutMs} ms)`]
        : [400, 'malformed HTTP request'];
  const reason = status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request';
  const target = /^[A-Z]+ (\/\S*|https?:\/\/\S+)/i.exec(err.rawPacket?.subarray(0, 2048).toString('latin1') ?? '')?.[1] ?? '/';
  // The path as routes see it: no origin, dot segments resolved.
  const url = target.startsWith('/') ? `http://x${target}` : target;
  const path = URL.canParse(url) ? new URL(url).pathname : '/';
  const body = JSON.stringify(apiOfPath(path) === 'spark' ? { status: 'ERROR', result: message } : { error: message });
  return `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/** Each running fake's namespaces: for jobfake's own tests (index.ts does not export it). */
const worldsOfFake = new WeakMap<Fake, Worlds>();

/** The internal worlds behind a fake, for tests that assert on what no control view shows. */
export function worldsOf(fake: Fake): Worlds {
  const found = worldsOfFake.get(fake);
  if (!found) throw new Error('not a fake started by startFake()');
  return found;
}

export async function startFake(options: StartOptions = {}): Promise<Fake> {
  const fixtures =
    typeof options.fixtures === 'string'
      ? loadFixturesFile(options.fixtures)
      : options.fixtures !== undefined
        ? validateFixtures(options.fixtures)
        : loadFixturesFile(defaultFixturesPath);
  const limits = resolveLimits(options.limits);
  if (options.controlToken !== undefined && (typeof options.controlToken !== 'string' || !/^\S{1,512}$/.test(options.controlToken))) {
    throw new TypeError('controlToken must be 1 to 512 characters, none of them white space');
  }
  const worlds = new Worlds(fixtures, limits);
  const violations: string[] = [];
  const seen = new Map<string, { operationId: string; status: number }>();
  const context: ServerContext = {
    worlds,
    limits,
    // Parsed and compiled on first use (response checks, control API bodies): parsing openapi.yaml
    // and compiling it with Ajv was most of the time from spawn to the first answer.
    get spec() {
      return loadSpec();
    },
    publicUrl: options.publicUrl,
    controlToken: options.controlToken,
    corsOrigins: options.corsOrigins,
    warn: typeof options.strict === 'function' ? options.strict : options.strict ? (message) => void process.stderr.write(`jobfake: warning: ${message}\n`) : undefined,
    log: typeof options.log === 'function' ? options.log : createLogger(options.log ?? 'silent'),
    onResponseChecked: options.checkResponses
      ? (operationId, status, found) => {
          violations.push(...found);
          if (operationId) seen.set(`${operationId} ${status}`, { operationId, status });
        }
      : undefined,
  };
  const app = createApp(context, API_MOUNTS);
  // Checked answers need the spec from the first one on: ready before listening, so that no
  // request pays for it (the parse and validators come from the build; see Spec).
  if (options.checkResponses) context.spec.warmFormats();

  const server = createAdaptorServer({
    fetch: app.fetch,
    serverOptions: {
      maxHeaderSize: limits.headerBytes,
      requestTimeout: limits.requestTimeoutMs,
      // Node refuses a header timeout longer than the request's: the request's then bounds both.
      headersTimeout: limits.requestTimeoutMs > 0 ? Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) : limits.headersTimeoutMs,
      // Node checks both timeouts only this often (30 s by default): a quarter of the shorter one
      // keeps a slowloris from holding a socket much past its limit.
      connectionsCheckingInterval: checkingInterval(limits),
    },
  }) as Server;
  const sockets = new Set<Duplex>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('connect', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    handleConnect(context, req, socket, head);
  });
  // WebSocket upgrades never reach Hono: logs and deployments streams (see streams.ts).
  server.on('upgrade', createUpgradeHandler(context));
  // A malformed request must never take the process down: answer in the API's shape and drop the socket.
  server.on('clientError', (err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex) => {
    if (!socket.writable) return socket.destroy();
    socket.end(clientErrorAnswer(err, limits));
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8090, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;

  let closing: Promise<void> | undefined;
  const url = `http://${urlHost}:${port}`;
  const namespace = (name: string): FakeNamespace => {
    return { ...controlOf(worlds.get(name)), url: `${url}/ns/${name}` };
  };
  const fake: Fake = {
    ...controlOf(worlds.get()),
    namespace,
    url,
    host,
    port,
    server,
    limits,
    reset: (namespace) => worlds.reset(namespace),
    specViolations: () => [...violations],
    responsesSeen: () => [...seen.values()],
    liveCounts: () => {
      let attachSessions = 0;
      let timers = 0;
      let waiters = 0;
      for (const world of worlds.all()) {
        attachSessions += world.scalingo.sessions.liveCount();
        timers += world.clock.scheduledCount;
        waiters += world.scalingo.waiterCount() + world.spark.jobTable.waiterCount + world.spark.callbacks.inFlight + world.events.listenerCount('change');
      }
      return { sockets: sockets.size, attachSessions, timers, waiters };
    },
    close: () => {
      closing ??= (async () => {
        worlds.dispose();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // Hijacked tunnels are invisible to closeAllConnections(): destroy every socket we saw.
        const gone = [...sockets].map((socket) => new Promise<void>((resolve) => {
          socket.once('close', () => resolve());
          socket.destroy();
        }));
        server.closeAllConnections();
        await Promise.all([closed, ...gone]);
      })();
      return closing;
    },
  };
  worldsOfFake.set(fake, worlds);
  return fake;
}
