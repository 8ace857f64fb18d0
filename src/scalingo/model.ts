/** The Scalingo half's records: apps, operations, containers, attach sessions, uploads. */
import type { Duplex } from 'node:stream';
import type { Timer } from '../clock.js';
import type { OperationSchedule, ScriptFixture } from '../fixtures.js';
import type { ContainerSize } from './sizes.js';

export type OperationStatus = 'pending' | 'running' | 'done' | 'error';
export const NEXT_STATUS: Record<OperationStatus, OperationStatus | undefined> = { pending: 'running', running: 'done', done: undefined, error: undefined };

export const DEFAULT_SCHEDULE: Required<Omit<OperationSchedule, 'error'>> = { pending: 300, running: 300 };
export const DEFAULT_DETACHED_MS = 5000;
/** Bytes of attach input kept for inspection; the count goes on past it. */
export const RECEIVED_KEPT_BYTES = 1024 * 1024;
/** The start of an attach session kept as its transcript, both ways together, in bytes. */
export const TRANSCRIPT_KEPT_BYTES = 1024 * 1024;

/** Bytes of an attach session as they went: `in` from the client, `out` to it; `at` in clock ms. */
export interface TranscriptChunk {
  direction: 'in' | 'out';
  at: number;
  bytes: Buffer;
}

/** One process type of an app's formation (go-scalingo's `ContainerType`). */
export interface ContainerType {
  name: string;
  command: string;
  amount: number;
  size: string;
}

/** Without fixtures, an app runs one M container of a `web` type. */
export const DEFAULT_FORMATION: readonly ContainerType[] = [{ name: 'web', command: 'npm start', amount: 1, size: 'M' }];

export interface App {
  id: string;
  name: string;
  createdAt: number;
  schedule?: OperationSchedule;
  /** The container types `GET /v1/apps/{app}/containers` lists and `run --type` picks from. */
  formation: ContainerType[];
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
  /** The first TRANSCRIPT_KEPT_BYTES of the session, both ways, in order (copies: no socket buffer is held). */
  transcript: TranscriptChunk[];
  transcriptKept: number;
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
