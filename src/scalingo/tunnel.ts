import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ServerContext } from '../context.js';
import { logAttach } from '../log.js';
import { DEFAULT_NAMESPACE, splitNamespace } from '../namespace.js';
import { Trip, maskCredentials } from '../pipeline.js';
import type { World } from '../store.js';
import { attachCredentialsProblem } from './attach.js';
import type { AttachSession } from './model.js';
import type { AttachSessions } from './sessions.js';

const EOT = 0x04;
const CTRL_C = 0x03;
const CTRL_BACKSLASH = 0x1c;
/** Exit codes of the control bytes that end a session: EOF, SIGINT, SIGQUIT. */
const ENDING_BYTES = new Map([
  [EOT, 0],
  [CTRL_C, 130],
  [CTRL_BACKSLASH, 131],
]);
/** A client that vanishes without a FIN: the container's shell gets SIGHUP. */
const HANGUP_EXIT_CODE = 129;
/** After our FIN, how long a client may keep its side open before the socket is dropped. */
const LINGER_MS = 10_000;
/** Input kept while a CONNECT is held for its container; past it, reading pauses. */
const EARLY_BYTES = 64 * 1024;

const ATTACH_PATH = /^\/attach\/([^/?#]+)$/;
const REASONS: Record<number, string> = { 401: 'Unauthorized', 404: 'Not Found', 409: 'Conflict', 429: 'Too Many Requests', 503: 'Service Unavailable' };

/** A whole error answer on the raw socket: status line, JSON headers, the body. */
function answerText(status: number, body: string): string {
  return `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

/** Answers with an error and closes; the answer ends the trip (response check, journal, log). */
function refuse(trip: Trip, socket: Duplex, status: number, body: object): void {
  const text = JSON.stringify(body);
  trip.end(status, { answer: { contentType: 'application/json', body: text } });
  socket.end(answerText(status, text));
}

function pathOf(url: string | undefined): string {
  if (!url) return '';
  // Absolute-form ("http://host/attach/x") and origin-form ("/attach/x") both occur.
  if (/^https?:\/\//i.test(url)) {
    try {
      return new URL(url).pathname;
    } catch {
      return '';
    }
  }
  return url.split('?')[0]!;
}

/**
 * CONNECT on an attach URL: answers `HTTP/1.1 200 OK` and an empty line on its own, then the
 * connection is the container's raw stdin/stdout. Node hands CONNECT to the server's 'connect'
 * event, never to Hono, so routing and auth happen here; the request pipeline (namespace,
 * faults, response check, journal, log) is the same Trip as HTTP's.
 */
export function handleConnect(server: ServerContext, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on('error', () => socket.destroy());
  const path = pathOf(req.url);
  const { namespace, local } = splitNamespace(path);
  const token = ATTACH_PATH.exec(local)?.[1];
  const trip = new Trip(server, {
    method: 'CONNECT',
    path,
    sentPath: () => path,
    namespace,
    localPath: local,
    query: '',
    headers: maskCredentials(new Headers(Object.entries(req.headers).map(([k, v]) => [k, String(v)]))),
    bodySize: 0,
  });
  // A CONNECT never creates a namespace: an attach URL of one that does not exist is not found.
  const refused = token === undefined ? undefined : trip.enter({ existingOnly: true });
  if (refused !== undefined) return refuse(trip, socket, 503, { error: refused });
  const world = trip.world;
  const session = token === undefined ? undefined : world?.scalingo.sessions.get(token);
  if (!world || !session || session.phase === 'ended') return refuse(trip, socket, 404, { resource: 'attach', error: 'not found' });
  const fault = trip.fault();
  if (fault?.kind === 'close') {
    trip.end(444);
    return void (fault.reset ? (socket as Socket).resetAndDestroy?.() : socket.destroy());
  }
  if (fault?.kind === 'error') {
    trip.end(fault.status);
    return void socket.end(answerText(fault.status, JSON.stringify({ error: fault.message })));
  }
  if (fault?.kind === 'dropAfterBytes') session.dropAfterBytes = fault.bytes;
  const problem = attachCredentialsProblem(world, req.headers.authorization);
  if (problem) return refuse(trip, socket, 401, { error: problem });
  if (session.phase === 'attached') return refuse(trip, socket, 409, { error: 'this container is already attached' });
  if (server.worlds.liveSessions() >= server.limits.attachSessions) return refuse(trip, socket, 503, { error: `too many attach sessions open (limit ${server.limits.attachSessions})` });

  // Older CLIs attach straight from the run answer: hold the CONNECT until the container runs.
  // Input sent meanwhile is kept (reading stops past EARLY_BYTES, for back-pressure). The socket
  // keeps reading so that a client that leaves while held is seen: its socket and wait are dropped.
  const early: Buffer[] = head.length > 0 ? [head] : [];
  let earlyBytes = head.length;
  const keepEarly = (chunk: Buffer) => {
    early.push(chunk);
    earlyBytes += chunk.length;
    if (earlyBytes >= EARLY_BYTES) socket.pause();
  };
  let held = true;
  let stopWaiting = () => {};
  const leave = () => {
    if (!held) return;
    held = false;
    stopWaiting();
    socket.destroy();
  };
  socket.on('data', keepEarly);
  socket.once('end', leave);
  socket.once('close', leave);
  const start = (ready: boolean) => {
    if (!held) return;
    held = false;
    socket.off('end', leave);
    socket.off('close', leave);
    socket.off('data', keepEarly);
    socket.pause();
    if (!ready || session.phase !== 'waiting') return refuse(trip, socket, 404, { resource: 'attach', error: 'not found' });
    // The session's start and end are logged instead of the request.
    trip.end(200, { answer: { contentType: null, body: '' }, log: false });
    const log = logAttach(server.log, { namespace: namespace ?? DEFAULT_NAMESPACE, path });
    world.scalingo.sessions.whenEnded(session, () => {
      log.fromClient(session.bytesIn);
      log.toClient(session.bytesOut);
      log.end(session.outcome && 'exitCode' in session.outcome ? session.outcome.exitCode : null);
    });
    attach(world, session, socket, early, server.limits.attachCloseGraceMs);
  };
  const delay = fault?.kind === 'delay' ? fault.ms : 0;
  if (delay > 0) {
    const timer = setTimeout(() => (stopWaiting = world.scalingo.sessions.whenReady(session, start)), delay);
    stopWaiting = () => clearTimeout(timer);
  } else {
    stopWaiting = world.scalingo.sessions.whenReady(session, start);
  }
}

function attach(world: World, session: AttachSession, socket: Duplex, early: Buffer[], closeGraceMs: number): void {
  const sessions = world.scalingo.sessions;
  sessions.attach(session, socket);
  // Wall-clock on purpose: a paused namespace clock must not hold sockets open.
  let graceFrom = performance.now();
  let wroteOutput = false;
  session.closeSocket = () => {
    const wait = graceFrom + closeGraceMs - performance.now();
    if (wait <= 0) return void socket.end();
    setTimeout(() => socket.end(), wait).unref();
  };
  const send = (data: Buffer) => {
    if (!wroteOutput) {
      wroteOutput = true;
      graceFrom = performance.now();
    }
    write(session, socket, data, sessions);
  };
  sessions.touch(session);
  world.changed('scalingo', 'container', session.container.id);
  // The head goes out alone: clients read it through a buffer, then switch to the raw socket.
  socket.write('HTTP/1.1 200 OK\r\n\r\n');

  const script = session.container.script;
  let echoing = !script || script.echo === true;
  const exitCode = script?.exitCode ?? 0;
  if (script) {
    const play = () => {
      if (session.phase !== 'attached') return;
      send(Buffer.from(renderOutput(script.output ?? '', session)));
      if (script.echo) echoing = true;
      else sessions.end(session, { exitCode });
    };
    if (script.delay) world.clock.schedule(script.delay, play);
    else play();
  }

  const onData = (chunk: Buffer) => {
    if (session.phase !== 'attached') return;
    const drop = session.dropAfterBytes;
    if (drop !== undefined && session.bytesIn + chunk.length >= drop) {
      sessions.recordInput(session, chunk.subarray(0, Math.max(0, drop - session.bytesIn)));
      socket.destroy();
      return;
    }
    sessions.recordInput(session, chunk);
    const end = firstEndingByte(chunk);
    const input = end < 0 ? chunk : chunk.subarray(0, end);
    if (echoing && input.length > 0) send(input);
    // EOT ends the input: the command exits with its own code. Ctrl-C and Ctrl-\ kill it.
    if (end >= 0) sessions.end(session, { exitCode: chunk[end] === EOT ? exitCode : ENDING_BYTES.get(chunk[end]!)! });
  };
  for (const chunk of early) onData(chunk);
  socket.on('data', onData);
  socket.resume();

  // The client half-closed: its input is over, as with EOT.
  socket.on('end', () => sessions.end(session, { exitCode }));
  socket.once('close', () => {
    sessions.end(session, { exitCode: HANGUP_EXIT_CODE });
    session.socket = undefined;
  });
  // Once our side has closed, do not keep a socket for a client that never closes its own.
  sessions.whenEnded(session, () => {
    const linger = setTimeout(() => socket.destroy(), LINGER_MS);
    linger.unref();
    socket.once('close', () => clearTimeout(linger));
  });
}

function firstEndingByte(chunk: Buffer): number {
  let first = -1;
  for (const byte of ENDING_BYTES.keys()) {
    const at = chunk.indexOf(byte);
    if (at >= 0 && (first < 0 || at < first)) first = at;
  }
  return first;
}

/** Writes to the client, pausing input while the socket's buffer is full (back-pressure). */
function write(session: AttachSession, socket: Duplex, data: Buffer, sessions: AttachSessions): void {
  sessions.recordOutput(session, data);
  if (!socket.write(data)) {
    socket.pause();
    socket.once('drain', () => socket.resume());
  }
}

/** A script's output, with {{uploads}} replaced by a listing of /tmp/uploads. */
function renderOutput(output: string, session: AttachSession): string {
  const listing = [...session.uploads.values()].map((u) => `${u.path} ${u.size}`).join('\n');
  return output.replaceAll('{{uploads}}', listing);
}
