import type { Clock, Timer } from '../clock.js';
import type { JobClass, JobOutcome } from './classes.js';
import { StateError } from '../host.js';
import { contextTerminated, exceptionMap, type ExceptionMap } from './errors.js';
import type { ConfigObject } from './hocon.js';

export type JobStatus = 'STARTED' | 'RUNNING' | 'FINISHED' | 'ERROR' | 'KILLED';
export const FINAL: ReadonlySet<JobStatus> = new Set(['FINISHED', 'ERROR', 'KILLED']);
export const isRunning = (job: JobRecord) => !FINAL.has(job.status);

/** A job's callback (0.11's callbackUrl): see callbacks.ts. */
export interface CallbackAttempt {
  /** When it was sent (ISO 8601, the namespace clock). */
  at: string;
  /** The receiver's status, when it answered. */
  status?: number;
  /** Why it failed: a network error, the timeout, or `HTTP <status>`. */
  error?: string;
}

/** Where a job's callback goes, what it carries, and how each attempt went. */
export interface CallbackRecord {
  url: string;
  payload: unknown;
  /** pending: an attempt is in flight or due; delivered: a status < 400; failed: every attempt failed. */
  state: 'pending' | 'delivered' | 'failed';
  attempts: CallbackAttempt[];
}

export interface JobRecord {
  jobId: string;
  classPath: string;
  context: string;
  /** Its context's UUID with a JVM per context, else "" (the job report's `contextId`). */
  contextId: string;
  /** Binary names and URIs of its class path. */
  cp: string[];
  /** The config as posted (parsed). */
  config: ConfigObject;
  /** False for sync jobs: the server does not keep their config. */
  configKept: boolean;
  sync: boolean;
  proxyUser?: string;
  callbackUrl?: string;
  /** The POSTs to callbackUrl once it ended (0.11), as they went. */
  callback?: CallbackRecord;
  status: JobStatus;
  /** Every state it entered, with when (epoch ms of the world's clock). */
  history: { status: JobStatus; at: number }[];
  startTime: number;
  endTime?: number;
  /** Set once FINISHED. */
  result?: unknown;
  /** Set once ERROR or KILLED. */
  error?: ExceptionMap;
}

export interface JobTiming {
  started: number;
  running: number;
}

/** What the job table needs from the rest of the state. */
export interface JobHost {
  clock: Clock;
  timing(job: JobRecord): JobTiming;
  finishedKept(): number;
  /** Called once a job reached FINISHED, ERROR or KILLED (ad-hoc contexts end here). */
  ended(job: JobRecord): void;
  /** Called whenever a job enters a state (live views follow it). */
  changed?(job: JobRecord): void;
}

export type WaitOutcome = { kind: 'ended'; job: JobRecord } | { kind: 'timeout' } | { kind: 'reset' } | { kind: 'gone' };

/** The jobs of one namespace and their lifecycle, timed by the world's clock. */
export class JobTable {
  /** Every job kept, oldest first. */
  readonly byId = new Map<string, JobRecord>();
  private readonly classes = new Map<string, JobClass>();
  private readonly timers = new Map<string, Timer>();
  private readonly waiters = new Map<string, Set<(outcome: WaitOutcome) => void>>();
  private finishedOrder: string[] = [];

  constructor(private readonly host: JobHost) {}

  /** Adds a job accepted by validation; it moves on by itself from here. */
  start(job: JobRecord, jobClass: JobClass): void {
    this.byId.set(job.jobId, job);
    this.classes.set(job.jobId, jobClass);
    this.enter(job, 'STARTED');
    this.scheduleNext(job);
  }

  /** Adds a job that failed validation: kept as ERROR, as the real server does. */
  rejected(job: JobRecord, error: ExceptionMap): void {
    this.byId.set(job.jobId, job);
    this.finish(job, 'ERROR', { error });
  }

  get(id: string): JobRecord | undefined {
    return this.byId.get(id);
  }

  /** Moves a job to its next state, or straight to `to`. */
  advance(id: string, to?: JobStatus): JobRecord {
    const job = this.running(id);
    const target = to ?? (job.status === 'STARTED' ? 'RUNNING' : undefined);
    if (target === 'STARTED') throw new StateError(`job ${id} is already past STARTED`, 'conflict');
    if (target === 'RUNNING') {
      if (job.status === 'RUNNING') return job;
      this.enter(job, 'RUNNING');
      this.scheduleNext(job);
      return job;
    }
    if (target === 'KILLED') return this.kill(id);
    const outcome = this.outcome(job);
    if (target === 'FINISHED') return this.finish(job, 'FINISHED', 'result' in outcome ? outcome : { result: null });
    if (target === 'ERROR') return this.finish(job, 'ERROR', 'error' in outcome ? outcome : { error: exceptionMap('Job failed (made to fail by jobfake)') });
    return this.finish(job, 'error' in outcome ? 'ERROR' : 'FINISHED', outcome);
  }

  /** Ends a running job in ERROR with this message. */
  fail(id: string, message: string, errorClass?: string): JobRecord {
    return this.finish(this.running(id), 'ERROR', { error: exceptionMap(message, errorClass) });
  }

  kill(id: string): JobRecord {
    return this.finish(this.running(id), 'KILLED', { error: exceptionMap(`Job ${id} killed`, 'spark.jobserver.JobManagerActor$JobKilledException') });
  }

  /** Ends every running job of a context that stopped; the message names it by `label` (its id with a JVM per context). */
  terminateContext(context: string, label = context): void {
    for (const job of [...this.byId.values()]) {
      if (job.context !== context || !isRunning(job)) continue;
      this.finish(job, 'ERROR', {
        error: contextTerminated(label),
      });
    }
  }

  /**
   * Resolves when the job ends in FINISHED or ERROR, after `timeoutMs` of the world's clock, or
   * when the client goes away (so a long timeout leaves nothing behind).
   */
  waitForEnd(id: string, timeoutMs: number, signal?: AbortSignal): Promise<WaitOutcome> {
    const job = this.byId.get(id);
    if (job && (job.status === 'FINISHED' || job.status === 'ERROR')) return Promise.resolve({ kind: 'ended', job });
    if (signal?.aborted) return Promise.resolve({ kind: 'gone' });
    return new Promise((resolve) => {
      const set = this.waiters.get(id) ?? new Set();
      this.waiters.set(id, set);
      const gone = () => done({ kind: 'gone' });
      const done = (outcome: WaitOutcome) => {
        timer.cancel();
        signal?.removeEventListener('abort', gone);
        set.delete(done);
        if (set.size === 0) this.waiters.delete(id);
        resolve(outcome);
      };
      const timer = this.host.clock.schedule(timeoutMs, () => done({ kind: 'timeout' }));
      signal?.addEventListener('abort', gone, { once: true });
      set.add(done);
    });
  }

  /** Sync requests waiting for a job to end, for leak checks. */
  get waiterCount(): number {
    let waiting = 0;
    for (const set of this.waiters.values()) waiting += set.size;
    return waiting;
  }

  /** Cancels every timer and releases every waiting request. */
  dispose(): void {
    for (const timer of this.timers.values()) timer.cancel();
    this.timers.clear();
    for (const set of this.waiters.values()) for (const done of [...set]) done({ kind: 'reset' });
    this.waiters.clear();
  }

  private running(id: string): JobRecord {
    const job = this.byId.get(id);
    if (!job) throw new StateError(`no job ${id}`, 'not-found');
    if (!isRunning(job)) throw new StateError(`job ${id} has already ended (${job.status})`, 'conflict');
    return job;
  }

  private outcome(job: JobRecord): JobOutcome {
    const jobClass = this.classes.get(job.jobId);
    return jobClass ? jobClass.run(job.config) : { result: null };
  }

  private enter(job: JobRecord, status: JobStatus): void {
    job.status = status;
    job.history.push({ status, at: this.host.clock.now() });
    this.host.changed?.(job);
  }

  private scheduleNext(job: JobRecord): void {
    this.timers.get(job.jobId)?.cancel();
    this.timers.delete(job.jobId);
    const timing = this.host.timing(job);
    const delay = job.status === 'STARTED' ? timing.started : timing.running;
    // No delay means no wait: a paused clock still sees it happen.
    if (delay <= 0) {
      this.advance(job.jobId);
      return;
    }
    this.timers.set(job.jobId, this.host.clock.schedule(delay, () => {
      this.timers.delete(job.jobId);
      if (isRunning(job)) this.advance(job.jobId);
    }));
  }

  private finish(job: JobRecord, status: JobStatus, outcome: JobOutcome): JobRecord {
    this.timers.get(job.jobId)?.cancel();
    this.timers.delete(job.jobId);
    this.classes.delete(job.jobId);
    if ('result' in outcome) job.result = outcome.result;
    else job.error = outcome.error;
    job.endTime = this.host.clock.now();
    this.enter(job, status);
    this.host.ended(job);
    this.evict(job);
    // A killed sync job is not answered: its request waits for the timeout, as on the real server.
    if (status !== 'KILLED') for (const done of [...(this.waiters.get(job.jobId) ?? [])]) done({ kind: 'ended', job });
    return job;
  }

  private evict(job: JobRecord): void {
    this.finishedOrder.push(job.jobId);
    while (this.finishedOrder.length > this.host.finishedKept()) {
      this.byId.delete(this.finishedOrder.shift()!);
    }
  }
}
