import { randomBytes } from 'node:crypto';
import type { OperationSchedule, ScalingoFixtures, ScriptFixture } from '../fixtures.js';
import type { StateHost } from '../host.js';
import { DEFAULT_DETACHED_MS, DEFAULT_FORMATION, type App, type Container, type ContainerType, type Operation, type RunParams } from './model.js';
import { formatExitLine, LogBook } from './logs.js';
import { Operations } from './operations.js';
import { AttachSessions } from './sessions.js';
import { defaultSizes, type ContainerSize } from './sizes.js';

/** Signal numbers; openapi.yaml's kill schema lists the same names. */
const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGUSR1: 10, SIGUSR2: 12, SIGTERM: 15, SIGSTOP: 19, SIGCONT: 18, SIGWINCH: 28 };
/** Signals that end a process that does not handle them. */
const FATAL_SIGNALS = new Set(['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGKILL', 'SIGUSR1', 'SIGUSR2', 'SIGTERM']);

/** An id nobody can guess: 128 random bits. */
const secretId = () => randomBytes(16).toString('hex');

/**
 * Scalingo state of one namespace: apps and tokens, and the containers of one-offs, from run to
 * stop. Operations (operations.ts) and attach sessions (sessions.ts) are kept by their own parts.
 */
export class ScalingoState {
  readonly apps = new Map<string, App>();
  readonly tokens: Set<string>;
  readonly containers = new Map<string, Container>();
  readonly operations: Operations;
  readonly sessions: AttachSessions;
  readonly sizes: ContainerSize[] = defaultSizes;
  /** The apps' logs: platform lines for every one-off, and what detached ones write. */
  readonly logs: LogBook;
  /** When this state was built (the namespace's first use, or its last reset): the user's creation time. */
  readonly createdAt: number;
  /** How long a detached one-off runs, in ms of the namespace's clock. */
  detachedMs: number;
  private readonly labelCounters = new Map<string, number>();
  private readonly finished: Container[] = [];

  constructor(private readonly host: StateHost<ScalingoFixtures>) {
    const fixtures = host.fixtures;
    this.createdAt = host.clock.now();
    this.logs = new LogBook(() => host.limits.logLinesPerApp, () => host.clock.now(), (app) => host.changed('log', app));
    this.tokens = new Set(fixtures.tokens ?? []);
    this.detachedMs = fixtures.detachedDuration ?? DEFAULT_DETACHED_MS;
    this.operations = new Operations(host, {
      done: (operation) => this.started(operation.container),
      failed: (operation) => this.finish(operation.container, null),
    });
    this.sessions = new AttachSessions(host, (container, exitCode) => this.finish(container, exitCode));
    for (const app of fixtures.apps ?? []) this.addApp(app.name, app.schedule, app.containers);
  }

  get user() {
    const user = this.host.fixtures.user ?? {};
    return {
      id: user.id ?? 'us-jobfake',
      username: user.username ?? 'jobfake',
      fullname: user.fullname ?? 'jobfake user',
      email: user.email ?? 'jobfake@example.com',
      flags: user.flags ?? {},
    };
  }

  /** Any non-empty token, unless the fixtures (or the control API) named the only ones allowed. */
  acceptsToken(token: string): boolean {
    return token.length > 0 && (this.tokens.size === 0 || this.tokens.has(token));
  }

  /** Adds an app (or updates the schedule and formation of an existing one). */
  addApp(name: string, schedule?: OperationSchedule, containers?: Partial<ContainerType>[]): App {
    const formation = containers?.map((type) => ({ name: type.name!, command: type.command ?? '', amount: type.amount ?? 1, size: type.size ?? 'M' }));
    const existing = this.apps.get(name);
    if (existing) {
      if (schedule) existing.schedule = schedule;
      if (formation) existing.formation = formation;
      return existing;
    }
    const app: App = {
      id: `${name}-${randomBytes(6).toString('hex')}`,
      name,
      createdAt: this.host.clock.now(),
      schedule,
      formation: formation ?? DEFAULT_FORMATION.map((type) => ({ ...type })),
    };
    this.apps.set(name, app);
    this.host.changed('app', name);
    return app;
  }

  sizeNamed(name: string): ContainerSize | undefined {
    return this.sizes.find((s) => s.name === name);
  }

  /** `POST /run`: a booting container, its pending operation and, unless detached, its attach session. */
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
    if (!params.detached) container.attach = this.sessions.open(container);
    this.containers.set(container.id, container);
    this.operations.add(operation);
    return operation;
  }

  private scriptFor(command: string): ScriptFixture | undefined {
    return (this.host.fixtures.commands ?? []).find((script) =>
      script.command !== undefined ? script.command === command : new RegExp(script.pattern!).test(command),
    );
  }

  private started(container: Container): void {
    container.state = 'running';
    // The platform's line, as a CLI bug report shows it (Scalingo/cli#343).
    this.logs.write(container.app.name, 'manager', container.label, `container [${container.label}] (${container.id}) started with the command '${container.command}'`);
    if (container.attach) this.sessions.containerStarted(container.attach);
    else {
      // A detached job's output goes to the app's logs (an attached one's goes to its client).
      const output = container.script?.output;
      if (output) {
        const write = () => container.state === 'running' && this.logs.write(container.app.name, container.label, container.label, output.replaceAll('{{uploads}}', ''));
        if (container.script!.delay) this.host.clock.schedule(Math.min(container.script!.delay, this.detachedMs), write);
        else write();
      }
      container.timer = this.host.clock.schedule(this.detachedMs, () => this.finish(container, container.script?.exitCode ?? 0));
    }
    this.host.changed('container', container.id);
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
    if (container.operation.finishedAt === null) this.operations.fail(container.operation.id, `container stopped by ${signal}`);
    if (container.attach) this.sessions.end(container.attach, { exitCode });
    else this.finish(container, exitCode);
  }

  private finish(container: Container, exitCode: number | null): void {
    if (container.state === 'stopped') return;
    if (container.state === 'running') this.logs.write(container.app.name, 'manager', container.label, formatExitLine(container, exitCode));
    container.state = 'stopped';
    container.deletedAt = this.host.clock.now();
    container.exitCode = exitCode;
    container.timer?.cancel();
    container.timer = undefined;
    const session = container.attach;
    if (session && session.phase !== 'ended') this.sessions.end(session, { exitCode: exitCode ?? 0 });
    this.finished.push(container);
    this.evict();
    this.host.changed('container', container.id);
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

  /** Callbacks waiting on a session (held CONNECTs, /wait requests) and open log or deployment streams, for leak checks. */
  waiterCount(): number {
    return this.sessions.waiterCount() + this.logs.streamCount();
  }

  dispose(): void {
    this.logs.dispose();
    this.sessions.dispose();
  }
}
