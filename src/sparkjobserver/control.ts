/** The Spark Jobserver half of the control API: what a test reads and moves (routes: control/routes.ts). */
import type { SparkClassFixture, SparkSchedule } from '../fixtures.js';
import { StateError } from '../host.js';
import { iso } from '../iso-time.js';
import type { Binary } from './binaries.js';
import type { SparkContext } from './contexts.js';
import type { JobRecord, JobStatus } from './jobs.js';
import type { SparkState } from './state.js';

/** What a test reads about a Spark job: config, result or error, and its history of states. */
export function jobView(job: JobRecord) {
  return {
    jobId: job.jobId,
    classPath: job.classPath,
    context: job.context,
    contextId: job.contextId,
    cp: job.cp,
    sync: job.sync,
    status: job.status,
    config: job.config,
    result: job.result ?? null,
    error: job.error ?? null,
    startTime: iso(job.startTime),
    endTime: job.endTime === undefined ? null : iso(job.endTime),
    history: job.history.map((h) => ({ status: h.status, at: iso(h.at) })),
    /** Where its callbackUrl was POSTed and how each attempt went (null: no callbackUrl, or not ended yet). */
    callback: job.callback ? { url: job.callback.url, state: job.callback.state, payload: job.callback.payload, attempts: job.callback.attempts } : null,
  };
}

export function binaryView(binary: Binary) {
  return { name: binary.name, type: binary.type, size: binary.bytes.length, uploadTime: iso(binary.uploadTime) };
}

export function sparkContextView(context: SparkContext) {
  return { name: context.name, id: context.id, adHoc: context.adHoc, python: context.python, maxJobs: context.maxJobs, stopping: context.stopping, startTime: iso(context.startTime) };
}

export type JobView = ReturnType<typeof jobView>;
export type BinaryView = ReturnType<typeof binaryView>;
export type SparkContextView = ReturnType<typeof sparkContextView>;

/** The Spark Jobserver state of one namespace, driven as a test would (the control API's /spark routes). */
export interface SparkControl {
  jobs(): JobView[];
  /** Throws StateError (not-found) for an unknown id. */
  job(id: string): JobView;
  /** Moves a job to its next state, or straight to `to` (FINISHED gives the class's result). Throws StateError. */
  advanceJob(id: string, to?: JobStatus): JobView;
  /** Ends a running job in ERROR with this message (and exception class). Throws StateError. */
  failJob(id: string, message: string, errorClass?: string): JobView;
  /** How long jobs (of one class, or all) stay STARTED and RUNNING, and contexts stopping. */
  setSchedule(schedule: SparkSchedule, className?: string): void;
  /** Declares (or replaces) a job class. */
  addClass(fixture: SparkClassFixture): { name: string };
  binaries(): BinaryView[];
  contexts(): SparkContextView[];
}

/** The Spark control actions on one namespace; `state()` is read on each call (a reset replaces it). */
export function sparkControl(state: () => SparkState): SparkControl {
  const job = (id: string) => {
    const found = state().jobs.get(id);
    if (!found) throw new StateError(`no job ${id}`, 'not-found');
    return found;
  };
  return {
    jobs: () => [...state().jobs.values()].map(jobView),
    job: (id) => jobView(job(id)),
    advanceJob: (id, to) => jobView(state().advanceJob(job(id).jobId, to)),
    failJob: (id, message, errorClass) => jobView(state().failJob(job(id).jobId, message, errorClass)),
    setSchedule: (schedule, className) => state().setSchedule(schedule, className),
    addClass: (fixture) => {
      state().addClass(fixture);
      return { name: fixture.name };
    },
    binaries: () => [...state().binaries.byName.values()].map(binaryView),
    contexts: () => [...state().contexts.byName.values()].map(sparkContextView),
  };
}
