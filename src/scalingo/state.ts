import { createHash, randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { Timer } from '../clock.js';
import type { OperationSchedule, ScalingoFixtures, ScriptFixture } from '../fixtures.js';
import type { StateHost } from '../host.js';
import { defaultSizes, type ContainerSize } from './sizes.js';

export type OperationStatus = 'pending' | 'running' | 'done' | 'error';
const NEXT_STATUS: Record<OperationStatus, OperationStatus | undefined> = { pending: 'running', running: 'done', done: undefined, error: undefined };

export const DEFAULT_SCHEDULE: Required<Omit<OperationSchedule, 'error'>> = { pending: 300, running: 300 };
export const DEFAULT_DETACHED_MS = 5000;
/** Bytes of attach input kept for inspection; the count goes on past it. */
export const RECEIVED_KEPT_BYTES = 1024 * 1024;

export interface App {
  id: string;
  name: string;
  createdAt: number;
  schedule?: OperationSchedule;
}

export interface Operation {
  id: string;
  app: App;
  status: OperationStatus;
  error: string;
  createdAt: number;
  finishedAt: number | null;
  history: { status: OperationStatus; at: number }[];
  container: Container;
  timer?: Timer;
}

export interface Upload {
  name: string;
  path: string;
  size: number;
  sha256: string;
  contentType: string;
  content: Buffer;
  at: number;
}

export type ContainerState = 'booting' | 'running' | 'stopped';

export interface Container {
  id: string;
  app: App;
  label: string;
  typeIndex: number;
  command: string;
  env: Record<string, string>;
  size: ContainerSize;
  detached: boolean;
  state: ContainerState;
  createdAt: number;
  deletedAt: number | null;
  operation: Operation;
  exitCode: number | null;
  signals: string[];
  script?: ScriptFixture;
  /** Only one-offs that can be attached to have one. */
  attach?: AttachSession;
  timer?: Timer;
}

export type SessionPhase = 'waiting' | 'attached' | 'ended';

export interface AttachSession {
  token: string;
  container: Container;
  phase: SessionPhase;
  uploads: Map<string, Upload>;
  uploadBytes: number;
  resizes: { width: number; height: number; at: number }[];
  bytesIn: number;
  bytesOut: number;
  received: Buffer[];
  receivedKept: number;
  /** Set when the session ends: the process's exit code, or 'timeout' for an idle abort (408). */
  outcome?: { exitCode: number } | { timeout: true };
  lastActivity: number;
  idleTimer?: Timer;
  socket?: Duplex;
  /** Closes our side of the tunnel (the transport decides when). */
  closeSocket?: () => void;
  /** Drop the tunnel after this many bytes (a fault injected by the control API). */
  dropAfterBytes?: number;
  readyWaiters: Set<(ready: boolean) => void>;
  endWaiters: Set<() => void>;
}

export interface RunParams {
  command: string;
  env: Record<string, string>;
  size: ContainerSize;
  detached: boolean;
}

/** Signal numbers; openapi.yaml's kill schema lists the same names. */
const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGUSR1: 10, SIGUSR2: 12, SIGTERM: 15, SIGSTOP: 19, SIGCONT: 18, SIGWINCH: 28 };
/** Signals that end a process that does not handle them. */
const FATAL_SIGNALS = new Set(['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGKILL', 'SIGUSR1', 'SIGUSR2', 'SIGTERM']);

/** An id nobody can guess: 128 random bits. */
const secretId = () => randomBytes(16).toString('hex');

/** Scalingo state of one namespace: apps, operations, containers, attach sessions. */
export class ScalingoState {
  readonly apps = new Map<string, App>();
  readonly tokens: Set<string>;
  readonly operations = new Map<string, Operation>();
  readonly containers = new Map<string, Container>();
  readonly sessions = new Map<string, AttachSession>();
  readonly sizes: ContainerSize[] = defaultSizes;
  schedule: OperationSchedule;
  detachedMs: number;
  private readonly labelCounters = new Map<string, number>();
  private readonly finished: Container[] = [];

  constructor(private readonly host: StateHost<ScalingoFixtures>) {
    const fixtures = host.fixtures;
    this.tokens = new Set(fixtures.tokens ?? []);
    this.schedule = { ...fixtures.schedule };
    this.detachedMs = fixtures.detachedDuration ?? DEFAULT_DETACHED_MS;
    for (const app of fixtures.apps ?? []) this.addApp(app.name, app.schedule);
  }

  get user() {
    const user = this.host.fixtures.user ?? {};
    return {
      id: user.id ?? 'us-jobfake',
      username: user.username ?? 'jobfake',
      fullname: user.fullname ?? 'jobfake user',
      email: user.email ?? 'jobfake@example.com',
      flags: {} as Record<string, boolean>,
    };
  }

  /** Any non-empty token, unless the fixtures (or the control API) named the only ones allowed. */
  acceptsToken(token: string): boolean {
    return token.length > 0 && (this.tokens.size === 0 || this.tokens.has(token));
  }

  addApp(name: string, schedule?: OperationSchedule): App {
    const existing = this.apps.get(name);
    if (existing) {
      if (schedule) existing.schedule = schedule;
      return existing;
    }
    const app: App = { id: `${name}-${randomBytes(6).toString('hex')}`, name, createdAt: this.host.clock.now(), schedule };
    this.apps.set(name, app);
    this.changed('app', name);
    return app;
  }

  sizeNamed(name: string): ContainerSize | undefined {
    return this.sizes.find((s) => s.name === name);
  }

  run(app: App, params: RunParams): Operation {
    const now = this.host.clock.now();
    const typeIndex = (this.labelCounters.get(app.name) ?? 0) + 1;
    this.labelCounters.set(app.name, typeIndex);
    const container = {
      id: secretId(),
      app,
      label: `one-off-${typeIndex}`,
      typeIndex,
      command: params.command,
      env: params.env,
      size: params.size,
      detached: params.detached,
      state: 'booting',
      createdAt: now,
      deletedAt: null,
      exitCode: null,
      signals: [],
      script: this.scriptFor(params.command),
    } as unknown as Container;
    const operation: Operation = {
      id: secretId(),
      app,
      status: 'pending',
      error: '',
      createdAt: now,
      finishedAt: null,
      history: [{ status: 'pending', at: now }],
      container,
    };
    container.operation = operation;
    if (!params.detached) {
      const session: AttachSession = {
        token: secretId(),
        container,
        phase: 'waiting',
        uploads: new Map(),
        uploadBytes: 0,
        resizes: [],
        bytesIn: 0,
        bytesOut: 0,
        received: [],
        receivedKept: 0,
        lastActivity: now,
        readyWaiters: new Set(),
        endWaiters: new Set(),
      };
      container.attach = session;
      this.sessions.set(session.token, session);
    }
    this.operations.set(operation.id, operation);
    this.containers.set(container.id, container);
    this.scheduleNext(operation);
    this.changed('operation', operation.id);
    return operation;
  }

  private scheduleOf(app: App): OperationSchedule {
    return { ...DEFAULT_SCHEDULE, ...this.schedule, ...app.schedule };
  }

  private scriptFor(command: string): ScriptFixture | undefined {
    return (this.host.fixtures.commands ?? []).find((script) =>
      script.command !== undefined ? script.command === command : new RegExp(script.pattern!).test(command),
    );
  }

  private scheduleNext(operation: Operation): void {
    operation.timer?.cancel();
    operation.timer = undefined;
    const schedule = this.scheduleOf(operation.app);
    if (operation.status === 'pending') {
      operation.timer = this.host.clock.schedule(schedule.pending!, () => this.advanceOperation(operation.id));
    } else if (operation.status === 'running') {
      operation.timer = this.host.clock.schedule(schedule.running!, () =>
        schedule.error ? this.failOperation(operation.id, schedule.error) : this.advanceOperation(operation.id),
      );
    }
  }

  /** Moves an operation to its next status, or straight to `to`. Returns false when it has already ended. */
  advanceOperation(id: string, to?: 'running' | 'done'): boolean {
    const operation = this.operations.get(id);
    if (!operation || operation.finishedAt !== null) return false;
    const target = to ?? NEXT_STATUS[operation.status]!;
    if (target === 'running' && operation.status === 'running') return true;
    this.setStatus(operation, target);
    if (target === 'done') this.started(operation.container);
    else this.scheduleNext(operation);
    return true;
  }

  /** Ends an operation in `error`: the container never starts. */
  failOperation(id: string, message: string): boolean {
    const operation = this.operations.get(id);
    if (!operation || operation.finishedAt !== null) return false;
    operation.error = message;
    this.setStatus(operation, 'error');
    this.finish(operation.container, null);
    return true;
  }

  private setStatus(operation: Operation, status: OperationStatus): void {
    const now = this.host.clock.now();
    operation.timer?.cancel();
    operation.timer = undefined;
    operation.status = status;
    operation.history.push({ status, at: now });
    if (status === 'done' || status === 'error') operation.finishedAt = now;
    this.changed('operation', operation.id);
  }

  private started(container: Container): void {
    container.state = 'running';
    const session = container.attach;
    if (session) {
      for (const wake of session.readyWaiters) wake(true);
      session.readyWaiters.clear();
      this.touch(session);
    } else {
      container.timer = this.host.clock.schedule(this.detachedMs, () => this.finish(container, container.script?.exitCode ?? 0));
    }
    this.changed('container', container.id);
  }

  /** Records activity on an attach session and keeps its idle deadline ahead. */
  touch(session: AttachSession): void {
    session.lastActivity = this.host.clock.now();
    if (session.idleTimer || session.phase === 'ended' || session.container.state !== 'running') return;
    const check = () => {
      session.idleTimer = undefined;
      const idle = this.host.clock.now() - session.lastActivity;
      if (idle >= this.host.limits.attachIdleMs) this.endSession(session, { timeout: true });
      else session.idleTimer = this.host.clock.schedule(this.host.limits.attachIdleMs - idle, check);
    };
    session.idleTimer = this.host.clock.schedule(this.host.limits.attachIdleMs, check);
  }

  /**
   * Calls `onReady(true)` once the container runs, `onReady(false)` if it never will (operation
   * error, stop); at once when that is already known. Returns a function that stops waiting.
   */
  whenReady(session: AttachSession, onReady: (ready: boolean) => void): () => void {
    if (session.container.state !== 'booting') {
      onReady(session.container.state === 'running');
      return () => {};
    }
    session.readyWaiters.add(onReady);
    return () => session.readyWaiters.delete(onReady);
  }

  whenEnded(session: AttachSession, onEnd: () => void): () => void {
    if (session.phase === 'ended') {
      onEnd();
      return () => {};
    }
    session.endWaiters.add(onEnd);
    return () => session.endWaiters.delete(onEnd);
  }

  recordUpload(session: AttachSession, name: string, content: Buffer, contentType: string): Upload {
    const previous = session.uploads.get(name);
    const upload: Upload = {
      name,
      path: `/tmp/uploads/${name}`,
      size: content.length,
      sha256: createHash('sha256').update(content).digest('hex'),
      contentType,
      content,
      at: this.host.clock.now(),
    };
    session.uploadBytes += content.length - (previous?.size ?? 0);
    session.uploads.set(name, upload);
    this.touch(session);
    this.changed('container', session.container.id);
    return upload;
  }

  recordResize(session: AttachSession, width: number, height: number): void {
    session.resizes.push({ width, height, at: this.host.clock.now() });
    this.touch(session);
    this.changed('container', session.container.id);
  }

  recordInput(session: AttachSession, chunk: Buffer): void {
    session.bytesIn += chunk.length;
    if (session.receivedKept < RECEIVED_KEPT_BYTES) {
      const kept = chunk.subarray(0, RECEIVED_KEPT_BYTES - session.receivedKept);
      session.received.push(kept);
      session.receivedKept += kept.length;
    }
    session.lastActivity = this.host.clock.now();
  }

  /** Ends an attach session: its container stops, waiters on /wait are answered. */
  endSession(session: AttachSession, outcome: { exitCode: number } | { timeout: true }): void {
    if (session.phase === 'ended') return;
    session.phase = 'ended';
    session.outcome = outcome;
    session.idleTimer?.cancel();
    session.idleTimer = undefined;
    for (const wake of session.readyWaiters) wake(false);
    session.readyWaiters.clear();
    // FIN, not a reset: the client waits for our side to close and then asks /wait.
    if (session.closeSocket) session.closeSocket();
    else session.socket?.end();
    this.finish(session.container, 'exitCode' in outcome ? outcome.exitCode : null);
    for (const wake of session.endWaiters) wake();
    session.endWaiters.clear();
  }

  /** `POST …/stop`: the container goes away; an attached client sees its stream close. */
  stopContainer(container: Container): void {
    this.kill(container, 'SIGTERM');
  }

  /** `POST …/kill`: records the signal; a fatal one ends the container with 128 + its number. */
  kill(container: Container, signal: string): void {
    container.signals.push(signal);
    if (!FATAL_SIGNALS.has(signal)) return;
    const exitCode = 128 + SIGNALS[signal]!;
    if (container.operation.finishedAt === null) this.failOperation(container.operation.id, `container stopped by ${signal}`);
    if (container.attach) this.endSession(container.attach, { exitCode });
    else this.finish(container, exitCode);
  }

  private finish(container: Container, exitCode: number | null): void {
    if (container.state === 'stopped') return;
    container.state = 'stopped';
    container.deletedAt = this.host.clock.now();
    container.exitCode = exitCode;
    container.timer?.cancel();
    container.timer = undefined;
    const session = container.attach;
    if (session && session.phase !== 'ended') this.endSession(session, { exitCode: exitCode ?? 0 });
    this.finished.push(container);
    this.evict();
    this.changed('container', container.id);
  }

  /** Keeps at most `finishedKept` ended containers (and their operations and sessions). */
  private evict(): void {
    while (this.finished.length > this.host.limits.finishedKept) {
      const old = this.finished.shift()!;
      this.containers.delete(old.id);
      this.operations.delete(old.operation.id);
      if (old.attach) this.sessions.delete(old.attach.token);
    }
  }

  liveContainers(app: App): Container[] {
    return [...this.containers.values()].filter((c) => c.app === app && c.state !== 'stopped');
  }

  /** Callbacks waiting on a session: held CONNECTs (ready) and /wait requests (end), for leak checks. */
  waiterCount(): number {
    let waiting = 0;
    for (const session of this.sessions.values()) waiting += session.readyWaiters.size + session.endWaiters.size;
    return waiting;
  }

  liveSessions(): number {
    let live = 0;
    for (const session of this.sessions.values()) if (session.phase === 'attached') live++;
    return live;
  }

  dispose(): void {
    for (const session of this.sessions.values()) {
      session.socket?.destroy();
      for (const wake of session.readyWaiters) wake(false);
      session.readyWaiters.clear();
      for (const wake of session.endWaiters) wake();
      session.endWaiters.clear();
    }
  }

  private changed(kind: string, id: string): void {
    this.host.changed(kind, id);
  }
}
