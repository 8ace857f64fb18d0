/** The Scalingo half of the control API: what a test reads and moves (routes: control/routes.ts). */
import type { AppContainersFixture, OperationSchedule } from '../fixtures.js';
import { StateError } from '../host.js';
import { iso } from '../iso-time.js';
import { formatLogLine, type LogLine } from './logs.js';
import type { Container, ContainerType, Operation, TranscriptChunk } from './model.js';
import type { ScalingoState } from './state.js';

/** A log line for the control API and the inspector: its parts, and the line as the logs URL prints it. */
export function logLineView(line: LogLine) {
  return { time: iso(line.at), source: line.source, container: line.container, text: line.text, line: formatLogLine(line) };
}

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
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A session's transcript as runs of one direction, in order: `text` where the bytes are UTF-8
 * text, else `base64`; `at` when the run began (ISO), `size` in bytes.
 */
function transcriptView(chunks: TranscriptChunk[]) {
  const runs: { direction: 'in' | 'out'; at: number; parts: Buffer[] }[] = [];
  for (const chunk of chunks) {
    const last = runs.at(-1);
    if (last && last.direction === chunk.direction) last.parts.push(chunk.bytes);
    else runs.push({ direction: chunk.direction, at: chunk.at, parts: [chunk.bytes] });
  }
  return runs.map(({ direction, at, parts }) => {
    const bytes = Buffer.concat(parts);
    let text: string | undefined;
    try {
      text = utf8.decode(bytes);
    } catch {
      text = undefined;
    }
    return text === undefined ? { direction, at: iso(at), size: bytes.length, base64: bytes.toString('base64') } : { direction, at: iso(at), size: bytes.length, text };
  });
}

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
      transcript: transcriptView(session.transcript),
      uploads: attach.uploads.map((u, i) => ({ ...u, content_base64: contents[i]! })),
    },
  };
}

export type OperationView = ReturnType<typeof operationView>;
export type ContainerView = ReturnType<typeof containerView>;
export type TranscriptView = ReturnType<typeof transcriptView>;
export type AppView = { name: string; id: string; containers: ContainerType[]; schedule?: OperationSchedule };
export type LogLineView = ReturnType<typeof logLineView>;

/** The Scalingo state of one namespace, driven as a test would (the control API's /scalingo routes). */
export interface ScalingoControl {
  /** Declares an app (or changes its schedule and formation, `containers` as in the fixtures); clients get 404 for any other. */
  addApp(name: string, schedule?: OperationSchedule, containers?: AppContainersFixture): { name: string };
  apps(): AppView[];
  /** The app's log lines (oldest first, at most logLinesPerApp), filtered as the logs URL's `filter`. Throws StateError (not-found). */
  logs(app: string, filter?: string): LogLineView[];
  /** From now on only the API tokens added (and the fixtures') are accepted. */
  addToken(token: string): void;
  /** Milliseconds operations stay pending and running, or the error they end in (every app). */
  setSchedule(schedule: OperationSchedule): void;
  operations(): OperationView[];
  /** Throws StateError (not-found) for an unknown id. */
  operation(id: string): OperationView;
  /** Moves an operation to its next status, or straight to `to`. Throws StateError: unknown, or ended. */
  advanceOperation(id: string, to?: 'running' | 'done'): OperationView;
  /** Ends an operation in error with this message: its container never starts. Throws StateError. */
  failOperation(id: string, message: string): OperationView;
  containers(): ContainerView[];
  /** By id, or by label (`one-off-1`: the latest of that label). Throws StateError (not-found). */
  container(idOrLabel: string): ContainerView;
  /** Its attach session's transcript alone ([] for a detached job). Throws StateError (not-found). */
  transcript(idOrLabel: string): TranscriptView;
}

/** The Scalingo control actions on one namespace; `state()` is read on each call (a reset replaces it). */
export function scalingoControl(state: () => ScalingoState): ScalingoControl {
  const operation = (id: string) => {
    const found = state().operations.get(id);
    if (!found) throw new StateError(`no operation ${id}`, 'not-found');
    return found;
  };
  const container = (idOrLabel: string) => {
    const { containers } = state();
    const found = containers.get(idOrLabel) ?? [...containers.values()].reverse().find((c) => c.label === idOrLabel);
    if (!found) throw new StateError(`no container ${idOrLabel}`, 'not-found');
    return found;
  };
  return {
    addApp: (name, schedule, containers) => ({ name: state().addApp(name, schedule, containers).name }),
    apps: () => [...state().apps.values()].map((a) => ({ name: a.name, id: a.id, containers: a.formation, ...(a.schedule && { schedule: a.schedule }) })),
    logs: (app, filter) => {
      if (!state().apps.has(app)) throw new StateError(`no app ${app}`, 'not-found');
      return state().logs.tail(app, Number.MAX_SAFE_INTEGER, filter).map(logLineView);
    },
    addToken: (token) => void state().tokens.add(token),
    setSchedule: (schedule) => {
      state().operations.schedule = { ...schedule };
    },
    operations: () => [...state().operations.values()].map(operationView),
    operation: (id) => operationView(operation(id)),
    advanceOperation: (id, to) => operationView(state().operations.advance(id, to)),
    failOperation: (id, message) => operationView(state().operations.fail(id, message)),
    containers: () => [...state().containers.values()].map(containerView),
    container: (idOrLabel) => containerView(container(idOrLabel)),
    transcript: (idOrLabel) => transcriptView(container(idOrLabel).attach?.transcript ?? []),
  };
}
