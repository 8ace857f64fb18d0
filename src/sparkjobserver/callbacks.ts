/**
 * callbackUrl (0.11): when a job ends, the server POSTs what a sync job would have answered.
 * Follows v0.11.1's util/CallbackHandler.scala (StandaloneCallbackHandler): the payload is
 * `{"jobId", "result"}` on success and `{"jobId", "status": "ERROR", "result": {exception map}}`
 * on failure; a network error or a status ≥ 400 is retried, 5 attempts in all, 10 s apart
 * (akka.pattern.retry); the last failure is logged as a warning and nothing else happens.
 */
import type { Clock, Timer } from '../clock.js';
import type { CallbackAttempt, CallbackRecord, JobRecord } from './jobs.js';

/** Attempts in all, and the wait between two (on the namespace clock), as CallbackHandler. */
export const CALLBACK_ATTEMPTS = 5;
export const CALLBACK_RETRY_MS = 10_000;
/** Real milliseconds one POST may take before it counts as failed (akka-http's connecting-timeout). */
export const CALLBACK_TIMEOUT_MS = 10_000;

export interface CallbackHost {
  clock: Clock;
  /** Told when a callback record changed (live views). */
  changed(job: JobRecord): void;
  /** Where a callback that failed for good is reported. */
  warn(message: string): void;
}

/** The body POSTed for a job that ended: what a sync request for it answers. */
export function callbackPayload(job: JobRecord): unknown {
  if (job.status === 'FINISHED') return { jobId: job.jobId, result: job.result ?? null };
  return { jobId: job.jobId, status: 'ERROR', result: job.error };
}

/** Sends the callbacks of one namespace; never blocks or changes a job's own state. */
export class CallbackSender {
  private readonly timers = new Set<Timer>();
  private readonly requests = new Set<AbortController>();
  private disposed = false;

  constructor(private readonly host: CallbackHost) {}

  /** Starts delivering the callback of a job that just ended (FINISHED or ERROR). */
  send(job: JobRecord): void {
    if (!job.callbackUrl || this.disposed) return;
    const record: CallbackRecord = { url: job.callbackUrl, payload: callbackPayload(job), state: 'pending', attempts: [] };
    job.callback = record;
    this.attempt(job, record);
  }

  /** POSTs in flight (for leak checks; retries waiting are timers of the clock). */
  get inFlight(): number {
    return this.requests.size;
  }

  /** Cancels retries and in-flight POSTs (reset, close). */
  dispose(): void {
    this.disposed = true;
    for (const timer of this.timers) timer.cancel();
    this.timers.clear();
    for (const request of this.requests) request.abort();
    this.requests.clear();
  }

  private attempt(job: JobRecord, record: CallbackRecord): void {
    const entry: CallbackAttempt = { at: new Date(this.host.clock.now()).toISOString() };
    record.attempts.push(entry);
    this.host.changed(job);
    const controller = new AbortController();
    this.requests.add(controller);
    const timeout = setTimeout(() => controller.abort(new Error(`no answer within ${CALLBACK_TIMEOUT_MS} ms`)), CALLBACK_TIMEOUT_MS);
    timeout.unref();
    void fetch(record.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(record.payload),
      signal: controller.signal,
      redirect: 'manual',
    })
      .then(async (res) => {
        entry.status = res.status;
        // The body is not used; reading it frees the connection.
        await res.arrayBuffer().catch(() => undefined);
        if (res.status >= 400) throw new Error(`HTTP ${res.status}`);
      })
      .then(
        () => this.settle(job, record, undefined),
        (err: unknown) => {
          const reason = controller.signal.aborted && controller.signal.reason instanceof Error ? controller.signal.reason : err;
          this.settle(job, record, entry, reason instanceof Error ? (reason.cause instanceof Error ? `${reason.message}: ${reason.cause.message}` : reason.message) : String(reason));
        },
      )
      .finally(() => {
        clearTimeout(timeout);
        this.requests.delete(controller);
      });
  }

  private settle(job: JobRecord, record: CallbackRecord, failed: CallbackAttempt | undefined, error?: string): void {
    if (this.disposed) return;
    if (!failed) {
      record.state = 'delivered';
      this.host.changed(job);
      return;
    }
    failed.error = error;
    if (record.attempts.length >= CALLBACK_ATTEMPTS) {
      record.state = 'failed';
      this.host.changed(job);
      this.host.warn(`callback for Spark job ${job.jobId} to ${record.url} failed ${record.attempts.length} times; last: ${error}`);
      return;
    }
    this.host.changed(job);
    const timer = this.host.clock.schedule(CALLBACK_RETRY_MS, () => {
      this.timers.delete(timer);
      this.attempt(job, record);
    });
    this.timers.add(timer);
  }
}
