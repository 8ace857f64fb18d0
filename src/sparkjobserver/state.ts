import type { SparkClassFixture, SparkFixtures, SparkSchedule } from '../fixtures.js';
import type { StateHost } from '../host.js';
import type { Limits } from '../limits.js';
import { BinaryStore } from './binaries.js';
import { ContextStore, isPythonFactory, type SparkContext } from './contexts.js';
import { JobTable, isRunning, type JobRecord, type JobStatus } from './jobs.js';
import { jodaTime, parseOffset } from './time.js';
import { PROFILES, type SparkVersion, type VersionProfile } from './versions.js';

export const DEFAULT_SCHEDULE: Required<SparkSchedule> = { started: 0, running: 1000, contextStop: 0 };
export const DEFAULT_MAX_JOBS = 8;

/** Spark Jobserver state of one namespace: binaries, contexts, jobs, and how they behave. */
export class SparkState {
  version: SparkVersion;
  maxJobsPerContext: number;
  readonly binaries: BinaryStore;
  readonly contexts: ContextStore;
  readonly jobTable: JobTable;
  /** Job classes declared by the fixtures and at run time (latest wins). */
  readonly classes: SparkClassFixture[];
  private schedule: Required<SparkSchedule>;
  private readonly classSchedules = new Map<string, SparkSchedule>();
  private readonly offsetMinutes: number | undefined;
  private readonly stopTimers = new Set<{ cancel(): void }>();

  constructor(private readonly host: StateHost<SparkFixtures>) {
    const fx = host.fixtures;
    this.version = fx.version ?? 'seed';
    this.maxJobsPerContext = fx.maxJobsPerContext ?? DEFAULT_MAX_JOBS;
    this.schedule = { ...DEFAULT_SCHEDULE, ...fx.schedule };
    this.offsetMinutes = fx.utcOffset === undefined ? undefined : parseOffset(fx.utcOffset);
    this.classes = [...(fx.classes ?? [])];
    this.binaries = new BinaryStore(host.limits, (name) => host.changed('binary', name));
    this.contexts = new ContextStore(() => host.limits.sparkContexts, (name) => host.changed('context', name));
    const now = host.clock.now();
    for (const binary of fx.binaries ?? []) this.binaries.put(binary.name, binary.type ?? 'Jar', new Uint8Array(0), now);
    for (const context of fx.contexts ?? []) {
      this.contexts.create({ name: context.name, adHoc: false, python: isPythonFactory(context.factory), maxJobs: context.maxJobs ?? this.maxJobsPerContext, settings: { 'context-factory': context.factory } }, now);
    }
    this.jobTable = new JobTable({
      clock: host.clock,
      timing: (job) => {
        const perClass = this.classSchedules.get(job.classPath);
        const declared = [...this.classes].reverse().find((c) => c.name === job.classPath);
        return {
          started: perClass?.started ?? this.schedule.started,
          running: perClass?.running ?? declared?.duration ?? this.schedule.running,
        };
      },
      finishedKept: () => host.limits.finishedKept,
      ended: (job) => {
        if (this.contexts.get(job.context)?.adHoc) this.contexts.delete(job.context);
      },
      changed: (job) => host.changed('job', job.jobId),
    });
  }

  get profile(): VersionProfile {
    return PROFILES[this.version];
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
    if (!context.stopping) this.jobTable.terminateContext(context.name);
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
    for (const timer of this.stopTimers) timer.cancel();
    this.stopTimers.clear();
  }
}

