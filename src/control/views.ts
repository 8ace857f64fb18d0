import type { Fault } from '../faults.js';
import { iso } from '../scalingo/json.js';
import type { Container, Operation } from '../scalingo/state.js';
import type { Binary } from '../sparkjobserver/binaries.js';
import type { SparkContext } from '../sparkjobserver/contexts.js';
import type { JobRecord } from '../sparkjobserver/jobs.js';

/** What a test reads about an operation: its status and when each was entered. */
export function operationView(operation: Operation) {
  return {
    id: operation.id,
    app: operation.app.name,
    status: operation.status,
    error: operation.error,
    container_id: operation.container.id,
    history: operation.history.map((h) => ({ status: h.status, at: iso(h.at) })),
  };
}

/** A container as live views show it: state and attach session, without the bytes themselves. */
export function containerSummaryView(container: Container) {
  const session = container.attach;
  const outcome = session?.outcome;
  return {
    id: container.id,
    app: container.app.name,
    label: container.label,
    command: container.command,
    env: container.env,
    size: container.size.name,
    detached: container.detached,
    state: container.state,
    created_at: iso(container.createdAt),
    deleted_at: container.deletedAt === null ? null : iso(container.deletedAt),
    operation: operationView(container.operation),
    exit_code: container.exitCode,
    signals: container.signals,
    attach: session
      ? {
          phase: session.phase,
          bytes_in: session.bytesIn,
          bytes_out: session.bytesOut,
          resizes: session.resizes.map((r) => ({ width: r.width, height: r.height, at: iso(r.at) })),
          uploads: [...session.uploads.values()].map((u) => ({
            name: u.name,
            path: u.path,
            size: u.size,
            sha256: u.sha256,
            content_type: u.contentType,
            at: iso(u.at),
          })),
          timed_out: outcome !== undefined && 'timeout' in outcome,
        }
      : null,
  };
}

/** What a test reads about a container: state, and everything the client sent to its attach URL. */
export function containerView(container: Container) {
  const { attach, ...summary } = containerSummaryView(container);
  const session = container.attach;
  if (!attach || !session) return { ...summary, attach: null };
  // The first MiB of input, as text (latin1 keeps every byte) and base64.
  const received = Buffer.concat(session.received);
  const contents = [...session.uploads.values()].map((u) => u.content.toString('base64'));
  return {
    ...summary,
    attach: {
      ...attach,
      received: received.toString('latin1'),
      received_base64: received.toString('base64'),
      uploads: attach.uploads.map((u, i) => ({ ...u, content_base64: contents[i]! })),
    },
  };
}

export function faultView(fault: Fault) {
  return { id: fault.id, match: fault.match, action: fault.action, remaining: fault.remaining ?? null, hits: fault.hits };
}

/** What a test reads about a Spark job: config, result or error, and its history of states. */
export function jobView(job: JobRecord) {
  return {
    jobId: job.jobId,
    classPath: job.classPath,
    context: job.context,
    cp: job.cp,
    sync: job.sync,
    status: job.status,
    config: job.config,
    result: job.result ?? null,
    error: job.error ?? null,
    startTime: iso(job.startTime),
    endTime: job.endTime === undefined ? null : iso(job.endTime),
    history: job.history.map((h) => ({ status: h.status, at: iso(h.at) })),
  };
}

export function binaryView(binary: Binary) {
  return { name: binary.name, type: binary.type, size: binary.bytes.length, uploadTime: iso(binary.uploadTime) };
}

export function sparkContextView(context: SparkContext) {
  return { name: context.name, adHoc: context.adHoc, python: context.python, maxJobs: context.maxJobs, stopping: context.stopping, startTime: iso(context.startTime) };
}
