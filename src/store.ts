import { EventEmitter } from 'node:events';
import { Clock } from './clock.js';
import { Faults } from './faults.js';
import type { Fixtures } from './fixtures.js';
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
  status: number;
  durationMs: number;
}

/** One isolated world: its own clock, state of both APIs, and journal. */
export class World {
  readonly clock = new Clock();
  /** Emits 'change' with a ChangeEvent whenever state moves. */
  readonly events = new EventEmitter();
  journal: JournalEntry[] = [];
  readonly faults = new Faults();
  scalingo!: ScalingoState;
  spark!: SparkState;
  private journalSeq = 0;

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

  /** Back to the fixtures' state: drops sessions, timers, jobs and the journal. */
  reset(): void {
    this.dispose();
    this.clock.resume();
    this.journal = [];
    this.faults.clear();
    this.build();
    this.changed('world', 'reset', this.name);
  }

  changed(api: ChangeEvent['api'], kind: string, id: string): void {
    if (this.events.listenerCount('change') > 0) this.events.emit('change', { api, kind, id } satisfies ChangeEvent);
  }

  /**
   * Adds a journal entry. `headers` may be a function: it then runs once, when the entry's headers
   * are first read (most entries never are, and copying every request's headers was a tenth of a
   * poll's CPU).
   */
  record(entry: Omit<JournalEntry, 'id' | 'headers'> & { headers: Record<string, string> | (() => Record<string, string>) }): void {
    const id = ++this.journalSeq;
    const { headers } = entry;
    if (typeof headers === 'function') {
      let value: Record<string, string> | undefined;
      const { time, method, path, query, bodySize, status, durationMs } = entry;
      // The same keys in the same order as a plain entry, headers as a getter.
      this.journal.push({
        id,
        time,
        method,
        path,
        query,
        get headers() {
          return (value ??= headers());
        },
        set headers(replaced) {
          value = replaced;
        },
        bodySize,
        status,
        durationMs,
      });
    } else this.journal.push({ id, ...entry, headers });
    if (this.journal.length > this.limits.journalEntries) this.journal.shift();
    this.changed('journal', 'request', String(id));
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

  constructor(
    private readonly fixtures: Fixtures,
    private readonly limits: Limits,
  ) {}

  get(name: string = DEFAULT_NAMESPACE): World {
    let world = this.worlds.get(name);
    if (world) {
      // Map order doubles as recency: the least recently used namespace comes first.
      this.worlds.delete(name);
      this.worlds.set(name, world);
      return world;
    }
    if (this.worlds.size >= this.limits.namespaces) this.evictOne();
    world = new World(name, this.fixtures, this.limits);
    this.worlds.set(name, world);
    return world;
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
