import type { JournalEntry, World } from '../store.js';
import type { Fault, FaultInput } from '../faults.js';
import { StateError } from '../host.js';
import { MAX_GLOB_LENGTH, requestMatcher, type RequestMatcher } from '../match.js';
import { scalingoControl, type ScalingoControl } from '../scalingo/control.js';
import { sparkControl, type SparkControl } from '../sparkjobserver/control.js';

/** A control request that cannot be done as asked (400); state errors are StateError (404, 409). */
export class ControlError extends Error {
  constructor(
    readonly status: 400,
    message: string,
  ) {
    super(message);
  }
}

export interface JournalFilter extends RequestMatcher {
  status?: number;
  /** Only entries whose request body, as text, contains this (case-sensitive; secrets masked). */
  body?: string;
  /** Only the last N entries that match. */
  limit?: number;
}

export function faultView(fault: Fault) {
  return { id: fault.id, match: fault.match, action: fault.action, remaining: fault.remaining ?? null, hits: fault.hits };
}
export type FaultView = ReturnType<typeof faultView>;

/** The namespace's clock: ISO time and whether it is paused. */
export interface ClockView {
  now: string;
  paused: boolean;
}

/**
 * Everything the control API can do to one namespace, as plain calls: the HTTP routes under
 * /__jobfake and `fake.namespace(name)` both use it. Errors: StateError (`code` 'not-found' or
 * 'conflict') for an unknown or ended thing, ControlError for a request that cannot be done.
 */
export interface NamespaceControl {
  /** The namespace's name ('default' for the root). */
  readonly name: string;
  /** Back to the fixtures' state: sessions, timers, jobs, journal and faults dropped; the clock running at wall-clock time again. */
  reset(): void;
  /** The namespace's clock: pause it, and advance it by milliseconds (due timers fire in order). */
  clock: {
    get(): ClockView;
    pause(): void;
    resume(): void;
    advance(ms: number): void;
  };
  scalingo: ScalingoControl;
  spark: SparkControl;
  /** Requests the namespace received (not the control API's), oldest first; credentials masked. */
  journal(filter?: JournalFilter): JournalEntry[];
  /** One entry by its id, headers and bodies included; StateError (not-found) when not (or no longer) kept. */
  journalEntry(id: number): JournalEntry;
  clearJournal(): void;
  /** Faults applied to the namespace's next matching requests (HTTP and CONNECT). */
  faults: {
    add(input: FaultInput): FaultView;
    list(): FaultView[];
    /** Throws StateError (not-found) for an unknown id. */
    remove(id: string): void;
    clear(): void;
  };
}

/** A glob past MAX_GLOB_LENGTH is refused with 400 (matching costs its length × the path's). */
function checkGlob<T extends RequestMatcher>(matcher: T): T {
  if (matcher.path !== undefined && matcher.path.length > MAX_GLOB_LENGTH) {
    throw new ControlError(400, `path must be a glob of at most ${MAX_GLOB_LENGTH} characters`);
  }
  return matcher;
}

function filterJournal(world: World, filter: JournalFilter): JournalEntry[] {
  const test = requestMatcher(checkGlob(filter));
  const { status, body } = filter;
  const found: JournalEntry[] = [];
  for (const record of world.journal) {
    const { method, path, status: recorded } = record.input;
    if (!test(method, path) || (status !== undefined && recorded !== status)) continue;
    const entry = record.entry();
    if (body === undefined || (entry.body?.text?.includes(body) ?? false)) found.push(entry);
  }
  return filter.limit === undefined ? found : found.slice(-filter.limit);
}

/** The control actions on one namespace's world. */
export function controlOf(world: World): NamespaceControl {
  /** Live views show the clock: tell them it moved (timers that fell due told them the rest). */
  const clockChanged = () => world.changed('world', 'clock', world.name);
  return {
    name: world.name,
    reset: () => world.reset(),
    clock: {
      get: () => ({ now: new Date(world.clock.now()).toISOString(), paused: world.clock.paused }),
      pause: () => {
        world.clock.pause();
        clockChanged();
      },
      resume: () => {
        world.clock.resume();
        clockChanged();
      },
      advance: (ms) => {
        world.clock.advance(ms);
        clockChanged();
      },
    },
    scalingo: scalingoControl(() => world.scalingo),
    spark: sparkControl(() => world.spark),
    journal: (filter = {}) => filterJournal(world, filter),
    journalEntry: (id) => {
      const found = world.journal.find((record) => record.id === id)?.entry();
      if (!found) throw new StateError(`no journal entry ${id}`, 'not-found');
      return found;
    },
    clearJournal: () => {
      world.clearJournal();
      world.changed('journal', 'clear', world.name);
    },
    faults: {
      add: (input) => {
        const match = checkGlob(input.match ?? {});
        const max = world.limits.faults;
        if (world.faults.size >= max) throw new StateError(`too many faults in this namespace (limit ${max}): clear some first`, 'conflict');
        return faultView(world.faults.add({ ...input, match }));
      },
      list: () => world.faults.all().map(faultView),
      remove: (id) => {
        if (!world.faults.remove(id)) throw new StateError(`no fault ${id}`, 'not-found');
      },
      clear: () => world.faults.clear(),
    },
  };
}

/** The HTTP status of a control action's error, or undefined for an error that is not one. */
export function controlErrorStatus(err: unknown): 400 | 404 | 409 | undefined {
  if (err instanceof ControlError) return err.status;
  if (err instanceof StateError) return err.code === 'not-found' ? 404 : 409;
  return undefined;
}
