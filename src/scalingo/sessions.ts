import { createHash, randomBytes } from 'node:crypto';
import type { ScalingoFixtures } from '../fixtures.js';
import type { StateHost } from '../host.js';
import { RECEIVED_KEPT_BYTES, TRANSCRIPT_KEPT_BYTES, type AttachSession, type Container, type Upload } from './model.js';

/** How a session ended: the process's exit code, or an idle timeout (408 on /wait). */
export type SessionOutcome = { exitCode: number } | { timeout: true };

/**
 * The attach sessions of one namespace, by token: who waits on them (held CONNECTs, /wait), their
 * idle deadline, and what the client sent (input, uploads, resizes). The transport (tunnel.ts)
 * owns the socket; this owns the record.
 */
export class AttachSessions {
  private readonly byToken = new Map<string, AttachSession>();
  /** Sessions in phase 'attached', counted as they come and go: a CONNECT must not scan them all. */
  private attachedNow = 0;

  constructor(
    private readonly host: StateHost<ScalingoFixtures>,
    /** Called once when a session ends: its container stops with this exit code. */
    private readonly ended: (container: Container, exitCode: number | null) => void,
  ) {}

  get(token: string): AttachSession | undefined {
    return this.byToken.get(token);
  }

  values(): IterableIterator<AttachSession> {
    return this.byToken.values();
  }

  /** A new session for a container that can be attached; its token is 128 random bits. */
  open(container: Container): AttachSession {
    const session: AttachSession = {
      token: randomBytes(16).toString('hex'),
      container,
      phase: 'waiting',
      uploads: new Map(),
      uploadBytes: 0,
      resizes: [],
      bytesIn: 0,
      bytesOut: 0,
      received: [],
      receivedKept: 0,
      transcript: [],
      transcriptKept: 0,
      lastActivity: this.host.clock.now(),
      readyWaiters: new Set(),
      endWaiters: new Set(),
    };
    this.byToken.set(session.token, session);
    return session;
  }

  /** A client attached: the session is live until it ends. */
  attach(session: AttachSession, socket: AttachSession['socket']): void {
    if (session.phase !== 'waiting') return;
    session.phase = 'attached';
    session.socket = socket;
    this.attachedNow++;
  }

  /** Forgets an evicted session. */
  delete(token: string): void {
    this.byToken.delete(token);
  }

  /** Its container runs: held CONNECTs go on, and the idle deadline starts. */
  containerStarted(session: AttachSession): void {
    for (const wake of session.readyWaiters) wake(true);
    session.readyWaiters.clear();
    this.touch(session);
  }

  /** Records activity on an attach session and keeps its idle deadline ahead. */
  touch(session: AttachSession): void {
    const { clock, limits } = this.host;
    session.lastActivity = clock.now();
    if (session.idleTimer || session.phase === 'ended' || session.container.state !== 'running') return;
    const check = () => {
      session.idleTimer = undefined;
      const idle = clock.now() - session.lastActivity;
      if (idle >= limits.attachIdleMs) this.end(session, { timeout: true });
      else session.idleTimer = clock.schedule(limits.attachIdleMs - idle, check);
    };
    session.idleTimer = clock.schedule(limits.attachIdleMs, check);
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

  /** Calls `onEnd` once the session has ended (at once if it has). Returns a function that stops waiting. */
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
    this.host.changed('container', session.container.id);
    return upload;
  }

  recordResize(session: AttachSession, width: number, height: number): void {
    session.resizes.push({ width, height, at: this.host.clock.now() });
    this.touch(session);
    this.host.changed('container', session.container.id);
  }

  /** Counts input bytes, keeping the first RECEIVED_KEPT_BYTES for inspection. */
  recordInput(session: AttachSession, chunk: Buffer): void {
    session.bytesIn += chunk.length;
    if (session.receivedKept < RECEIVED_KEPT_BYTES) {
      const kept = chunk.subarray(0, RECEIVED_KEPT_BYTES - session.receivedKept);
      session.received.push(kept);
      session.receivedKept += kept.length;
    }
    this.transcribe(session, 'in', chunk);
    session.lastActivity = this.host.clock.now();
  }

  /** Counts output bytes (what the container wrote to the client), for the transcript too. */
  recordOutput(session: AttachSession, chunk: Buffer): void {
    session.bytesOut += chunk.length;
    // Output counts as activity for the idle timeout, as input does (the docs and the CLI's hint say so).
    session.lastActivity = this.host.clock.now();
    this.transcribe(session, 'out', chunk);
  }

  private transcribe(session: AttachSession, direction: 'in' | 'out', chunk: Buffer): void {
    const room = TRANSCRIPT_KEPT_BYTES - session.transcriptKept;
    if (room <= 0 || chunk.length === 0) return;
    const bytes = Buffer.from(chunk.subarray(0, room));
    session.transcript.push({ direction, at: this.host.clock.now(), bytes });
    session.transcriptKept += bytes.length;
  }

  /** Ends an attach session: its container stops, waiters on /wait are answered. */
  end(session: AttachSession, outcome: SessionOutcome): void {
    if (session.phase === 'ended') return;
    if (session.phase === 'attached') this.attachedNow--;
    session.phase = 'ended';
    session.outcome = outcome;
    session.idleTimer?.cancel();
    session.idleTimer = undefined;
    for (const wake of session.readyWaiters) wake(false);
    session.readyWaiters.clear();
    // FIN, not a reset: the client waits for our side to close and then asks /wait.
    if (session.closeSocket) session.closeSocket();
    else session.socket?.end();
    this.ended(session.container, 'exitCode' in outcome ? outcome.exitCode : null);
    for (const wake of session.endWaiters) wake();
    session.endWaiters.clear();
  }

  /** Callbacks waiting on a session: held CONNECTs (ready) and /wait requests (end), for leak checks. */
  waiterCount(): number {
    let waiting = 0;
    for (const session of this.byToken.values()) waiting += session.readyWaiters.size + session.endWaiters.size;
    return waiting;
  }

  /** Sessions with a client attached now (O(1)). */
  liveCount(): number {
    return this.attachedNow;
  }

  /**
   * Drops every socket and releases every waiter (reset, eviction, shutdown). A session still
   * open ends as its container would when the platform removes it, killed (SIGKILL, exit 137):
   * a pending /wait answers that, an answer a client of the real API can meet.
   */
  dispose(): void {
    for (const session of this.byToken.values()) {
      if (session.phase !== 'ended') {
        session.phase = 'ended';
        session.outcome = { exitCode: 128 + 9 };
      }
      session.idleTimer?.cancel();
      session.socket?.destroy();
      for (const wake of session.readyWaiters) wake(false);
      session.readyWaiters.clear();
      for (const wake of session.endWaiters) wake();
      session.endWaiters.clear();
    }
    this.attachedNow = 0;
  }
}
