import type { SparkClassFixture, SparkFixtures, SparkSchedule } from '../fixtures.js';
import type { StateHost } from '../host.js';
import type { Limits } from '../limits.js';
import { BinaryStore } from './binaries.js';
import { CallbackSender } from './callbacks.js';
import { BUILTIN_CLASSES, durationFrom } from './classes.js';
import { DataStore } from './data.js';
import { ContextStore, isPythonFactory, type SparkContext } from './contexts.js';
import { JobTable, isRunning, type JobRecord, type JobStatus } from './jobs.js';
import { jodaTime, parseOffset } from './time.js';
import { PROFILES, type SparkVersion, type VersionProfile } from './versions.js';

export const DEFAULT_SCHEDULE: Required<SparkSchedule> = { started: 0, running: 1000, contextStop: 0, contextStart: 0 };
export const DEFAULT_MAX_JOBS = 8;

/** Spark Jobserver state of one namespace: binaries, contexts, jobs, and how they behave. */
export class SparkState {
  version: SparkVersion;
  maxJobsPerContext: number;
  readonly binaries: BinaryStore;
  /** Files of /data, in memory. */
  readonly data: DataStore;
  readonly contexts: ContextStore;
  /** POSTs to the callbackUrl of jobs that ended (0.11). */
  readonly callbacks: CallbackSender;
  readonly jobTable: JobTable;
  /** Job classes declared by the fixtures and at run time (latest wins). */
  readonly classes: SparkClassFixture[];
  private schedule: Required<SparkSchedule>;
  private readonly classSchedules = new Map<string, SparkSchedule>();
  private readonly offsetMinutes: number | undefined;
  private readonly perJvm: boolean | undefined;
  private readonly stopTimers = new Set<{ cancel(): void }>();
  private readonly pendingLater = new Set<() => void>();

  constructor(private readonly host: StateHost<SparkFixtures>) {
    const fx = host.fixtures;
    this.version = fx.version ?? 'seed';
    this.maxJobsPerContext = fx.maxJobsPerContext ?? DEFAULT_MAX_JOBS;
    this.schedule = { ...DEFAULT_SCHEDULE, ...fx.schedule };
    this.offsetMinutes = fx.utcOffset === undefined ? undefined : parseOffset(fx.utcOffset);
    this.classes = [...(fx.classes ?? [])];
    this.perJvm = fx.contextPerJvm;
    this.binaries = new BinaryStore(host.limits, (name) => host.changed('binary', name));
    this.contexts = new ContextStore(() => host.limits.sparkContexts, (name) => host.changed('context', name));
    this.data = new DataStore(host.limits, (name) => host.changed('data', name));
    this.callbacks = new CallbackSender({
      clock: host.clock,
      changed: (job) => host.changed('job', job.jobId),
      warn: (message) => console.warn(`jobfake: ${message}`),
    });
    const now = host.clock.now();
    for (const binary of fx.binaries ?? []) this.binaries.put(binary.name, binary.type ?? 'Jar', new Uint8Array(0), now);
    this.addContextsFromConfig();
    this.jobTable = new JobTable({
      clock: host.clock,
      timing: (job) => {
        const perClass = this.classSchedules.get(job.classPath);
        const declared = [...this.classes].reverse().find((c) => c.name === job.classPath);
        const ownDuration = declared ? durationFrom(declared.duration, job.config) : BUILTIN_CLASSES.find((c) => c.name === job.classPath)?.durationMs?.(job.config);
        return {
          started: perClass?.started ?? this.schedule.started,
          running: perClass?.running ?? ownDuration ?? this.schedule.running,
        };
      },
      finishedKept: () => host.limits.finishedKept,
      ended: (job) => {
        if (this.contexts.get(job.context)?.adHoc) this.contexts.delete(job.context);
        // CallbackHandler runs for a job that finished or failed, not for one killed.
        if (job.callbackUrl && (job.status === 'FINISHED' || job.status === 'ERROR')) this.callbacks.send(job);
      },
      changed: (job) => host.changed('job', job.jobId),
    });
  }

  get profile(): VersionProfile {
    return PROFILES[this.version];
  }

  /** Whether contexts run a JVM each (the fixture's contextPerJvm, else the profile's default). */
  get contextPerJvm(): boolean {
    return this.perJvm ?? this.profile.contextPerJvm;
  }

  /** The contexts of the fixtures, as the server adds those of its config at start and after a reboot. */
  addContextsFromConfig(): void {
    const now = this.host.clock.now();
    for (const context of this.host.fixtures.contexts ?? []) {
      if (this.contexts.get(context.name) || this.contexts.full) continue;
      this.contexts.create({ name: context.name, adHoc: false, python: isPythonFactory(context.factory), maxJobs: context.maxJobs ?? this.maxJobsPerContext, settings: { 'context-factory': context.factory } }, now);
    }
  }

  /**
   * PUT /contexts?reset=reboot: every context stops (its jobs end in ERROR) at once; with `readd`
   * (not sync=false) the fixtures' contexts come back, as WebApi sends AddContextsFromConfig.
   */
  rebootContexts(readd: boolean): void {
    for (const context of [...this.contexts.byName.values()]) {
      if (!context.stopping) this.jobTable.terminateContext(context.name, this.contextPerJvm ? context.id : context.name);
      this.contexts.delete(context.name);
    }
    if (readd) this.addContextsFromConfig();
  }

  /** Every job kept, oldest first (for the control API). */
  get jobs(): ReadonlyMap<string, JobRecord> {
    return this.jobTable.byId;
  }

  /** A time as the server prints it. */
  time(ms: number): string {
    return jodaTime(ms, this.offsetMinutes);
  }

  now(): number {
    return this.host.clock.now();
  }

  /** The namespace's limits (POST /jobs quotes them in refusals). */
  get limits(): Readonly<Limits> {
    return this.host.limits;
  }

  contextStopDelay(): number {
    return this.schedule.contextStop;
  }

  contextStartDelay(): number {
    return this.schedule.contextStart;
  }

  /**
   * Runs `work` once `delayMs` of the namespace clock has passed and resolves with its value;
   * resolves undefined at once if the namespace is reset first. `cancel()` drops it.
   */
  later<T>(delayMs: number, work: () => T): { done: Promise<T | undefined>; cancel(): void } {
    let settle!: (value: T | undefined) => void;
    const done = new Promise<T | undefined>((resolve) => (settle = resolve));
    const drop = () => {
      timer.cancel();
      this.pendingLater.delete(drop);
      settle(undefined);
    };
    const timer = this.host.clock.schedule(delayMs, () => {
      this.pendingLater.delete(drop);
      settle(work());
    });
    this.pendingLater.add(drop);
    return { done, cancel: drop };
  }

  /** Sets how long jobs (of one class, or all) spend in each state, and contexts in stopping. */
  setSchedule(schedule: SparkSchedule, className?: string): void {
    if (className === undefined) this.schedule = { ...this.schedule, ...schedule };
    else this.classSchedules.set(className, { ...this.classSchedules.get(className), ...schedule });
  }

  /** Declares (or replaces) a job class at run time. */
  addClass(fixture: SparkClassFixture): void {
    this.classes.push(fixture);
  }

  advanceJob(id: string, to?: JobStatus): JobRecord {
    return this.jobTable.advance(id, to);
  }

  failJob(id: string, message: string, errorClass?: string): JobRecord {
    return this.jobTable.fail(id, message, errorClass);
  }

  /** Jobs not yet ended that run in this context. */
  runningIn(context: string): JobRecord[] {
    return [...this.jobTable.byId.values()].filter((job) => job.context === context && isRunning(job));
  }

  /** Jobs not yet ended whose class path holds this binary. */
  usersOf(binary: string): JobRecord[] {
    return [...this.jobTable.byId.values()].filter((job) => isRunning(job) && job.cp.includes(binary));
  }

  /** Stops a context: its jobs end at once; it is gone now, or after schedule.contextStop. */
  stopContext(context: SparkContext): 'stopped' | 'stopping' {
    if (!context.stopping) this.jobTable.terminateContext(context.name, this.contextPerJvm ? context.id : context.name);
    const delay = this.schedule.contextStop;
    if (delay <= 0) {
      this.contexts.delete(context.name);
      return 'stopped';
    }
    if (!context.stopping) {
      context.stopping = true;
      this.contexts.changed(context.name);
      const timer = this.host.clock.schedule(delay, () => {
        this.stopTimers.delete(timer);
        if (this.contexts.get(context.name) === context) this.contexts.delete(context.name);
      });
      this.stopTimers.add(timer);
    }
    return 'stopping';
  }

  dispose(): void {
    this.jobTable.dispose();
    this.callbacks.dispose();
    for (const drop of [...this.pendingLater]) drop();
    for (const timer of this.stopTimers) timer.cancel();
    this.stopTimers.clear();
  }
}

