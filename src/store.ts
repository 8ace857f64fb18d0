import { EventEmitter } from 'node:events';
import { Clock } from './clock.js';
import { Faults } from './faults.js';
import type { Fixtures } from './fixtures.js';
import { heldBytes, viewBody, type CapturedBody, type JournalBody } from './journal.js';
import type { Limits } from './limits.js';
import { DEFAULT_NAMESPACE } from './namespace.js';
import { ScalingoState } from './scalingo/state.js';
import { SparkState } from './sparkjobserver/state.js';

/** What changed, for live views: the API, the kind of thing, and its id ('world': reset, clock). */
export interface ChangeEvent {
  api: 'scalingo' | 'spark' | 'journal' | 'world';
  kind: string;
  id: string;
}

export interface JournalEntry {
  id: number;
  time: string;
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  bodySize: number;
  /** What the client sent (see journal.ts); absent when the request had no body. */
  body?: JournalBody;
  status: number;
  /** The answer's body: an excerpt of its text, or its size and SHA-256; absent when empty or streamed. */
  response?: JournalBody;
  durationMs: number;
}

/** A journal entry as the pipeline hands it over: headers and bodies as captured, shown when read. */
export type JournalInput = Omit<JournalEntry, 'id' | 'time' | 'headers' | 'body' | 'response'> & {
  /** When, on the namespace's clock: ms since the epoch. */
  timeMs: number;
  headers: Record<string, string> | (() => Record<string, string>);
  body?: CapturedBody;
  response?: CapturedBody;
};

/**
 * One request as recorded. Its JournalEntry (headers copied and masked, bodies decoded) is made
 * when first read: most entries never are, and making them (or their accessors) for every request
 * was the costliest of jobfake's own functions in a poll's CPU profile.
 */
export class JournalRecord {
  private shown: JournalEntry | undefined;
  /** What the pipeline captured; a large upload's bytes replaced by their view (bodyShown). */
  readonly input: JournalInput;
  /** A large body's view (its digest, or the start of a text), made at once: the record never holds the upload. */
  private readonly bodyShown: JournalBody | undefined;
  /** Bytes held for the bodies: what counts against `journalBytes` (see heldBytes). */
  readonly held: number;

  constructor(
    readonly id: number,
    input: JournalInput,
    /** limits.journalBodyBytes: the most of a body the entry keeps. */
    private readonly max: number,
  ) {
    const body = input.body;
    this.held = heldBytes(body, max) + heldBytes(input.response, max);
    if (body && 'bytes' in body && body.bytes.length > max) {
      this.bodyShown = viewBody(body, max);
      this.input = { ...input, body: undefined };
    } else this.input = input;
  }

  /** The entry in the spec's key order (JournalEntry); no body key for no body. Made once. */
  entry(): JournalEntry {
    if (this.shown) return this.shown;
    const { method, path, query, headers, bodySize, body: captured, status, response, durationMs } = this.input;
    const entry = { id: this.id, time: this.time(), method, path, query, headers: typeof headers === 'function' ? headers() : headers, bodySize } as JournalEntry;
    const body = this.bodyShown ?? (captured && viewBody(captured, this.max));
    if (body) entry.body = body;
    entry.status = status;
    if (response) entry.response = viewBody(response, this.max);
    entry.durationMs = durationMs;
    return (this.shown = entry);
  }

  /** ISO 8601, UTC. */
  time(): string {
    return new Date(this.input.timeMs).toISOString();
  }
}

/** One isolated world: its own clock, state of both APIs, and journal. */
export class World {
  readonly clock = new Clock();
  /** Emits 'change' with a ChangeEvent whenever state moves. */
  readonly events = new EventEmitter();
  /** The journal, oldest first. */
  journal: JournalRecord[] = [];
  readonly faults = new Faults();
  scalingo!: ScalingoState;
  spark!: SparkState;
  private journalSeq = 0;
  /** Bytes the kept entries hold for their bodies: the sum of their `held`. */
  private journalBytes = 0;

  constructor(
    readonly name: string,
    readonly fixtures: Fixtures,
    readonly limits: Limits,
  ) {
    this.build();
  }

  private build(): void {
    const host = <F>(api: 'scalingo' | 'spark', fixtures: F) => ({
      clock: this.clock,
      limits: this.limits,
      fixtures,
      changed: (kind: string, id: string) => this.changed(api, kind, id),
    });
    this.scalingo = new ScalingoState(host('scalingo', this.fixtures.scalingo ?? {}));
    this.spark = new SparkState(host('spark', this.fixtures.sparkJobserver ?? {}));
  }

  /** Back to the fixtures' state: drops sessions, timers, jobs, the journal and faults; the clock back to the wall clock. */
  reset(): void {
    this.dispose();
    this.clock.reset();
    this.clearJournal();
    this.faults.clear();
    this.build();
    this.changed('world', 'reset', this.name);
  }

  changed(api: ChangeEvent['api'], kind: string, id: string): void {
    if (this.events.listenerCount('change') > 0) this.events.emit('change', { api, kind, id } satisfies ChangeEvent);
  }

  /** Adds a journal entry, dropping the oldest past `journalEntries` entries or `journalBytes` of kept bodies. */
  record(input: JournalInput): void {
    const record = new JournalRecord(++this.journalSeq, input, this.limits.journalBodyBytes);
    this.journal.push(record);
    this.journalBytes += record.held;
    while (this.journal.length > this.limits.journalEntries || (this.journalBytes > this.limits.journalBytes && this.journal.length > 1)) {
      this.journalBytes -= this.journal.shift()!.held;
    }
    this.changed('journal', 'request', String(record.id));
  }

  /** Empties the journal (ids go on counting). */
  clearJournal(): void {
    this.journal = [];
    this.journalBytes = 0;
  }

  dispose(): void {
    this.clock.clear();
    this.scalingo.dispose();
    this.spark.dispose();
  }
}

export class NamespaceLimitError extends Error {}

/** Every namespace of one server, created on first use. */
export class Worlds {
  private readonly worlds = new Map<string, World>();
  /** The last key of `worlds`. */
  private newest: string | undefined;

  constructor(
    private readonly fixtures: Fixtures,
    private readonly limits: Limits,
  ) {}

  get(name: string = DEFAULT_NAMESPACE): World {
    let world = this.worlds.get(name);
    if (world) {
      // Map order doubles as recency: the least recently used namespace comes first. The most
      // recent one (every request of a one-namespace run) is already last.
      if (this.newest !== name) {
        this.worlds.delete(name);
        this.worlds.set(name, world);
        this.newest = name;
      }
      return world;
    }
    if (this.worlds.size >= this.limits.namespaces) this.evictOne();
    world = new World(name, this.fixtures, this.limits);
    this.worlds.set(name, world);
    this.newest = name;
    return world;
  }

  /** Attach sessions open now, over all namespaces: a sum over namespaces, not sessions. */
  liveSessions(): number {
    let live = 0;
    for (const world of this.worlds.values()) live += world.scalingo.sessions.liveCount();
    return live;
  }

  /** Drops the least recently used namespace with no open attach session. */
  private evictOne(): void {
    for (const [name, world] of this.worlds) {
      if (name === DEFAULT_NAMESPACE || world.scalingo.sessions.liveCount() > 0) continue;
      world.dispose();
      this.worlds.delete(name);
      return;
    }
    throw new NamespaceLimitError(`too many namespaces in use (limit ${this.limits.namespaces})`);
  }

  has(name: string): boolean {
    return this.worlds.has(name);
  }

  all(): World[] {
    return [...this.worlds.values()];
  }

  names(): string[] {
    return [...this.worlds.keys()];
  }

  /** Resets one namespace, or all of them. */
  reset(name?: string): void {
    if (name !== undefined) this.worlds.get(name)?.reset();
    else for (const world of this.worlds.values()) world.reset();
  }

  dispose(): void {
    for (const world of this.worlds.values()) world.dispose();
  }
}
