import type { OperationSchedule, SparkClassFixture, SparkSchedule } from '../fixtures.js';
import { SparkStateError } from '../sparkjobserver/errors.js';
import type { JobStatus } from '../sparkjobserver/jobs.js';
import type { World, JournalEntry } from '../store.js';
import type { FaultInput } from '../faults.js';
import { MAX_GLOB_LENGTH, requestMatcher, type RequestMatcher } from '../match.js';
import { binaryView, containerView, faultView, jobView, operationView, sparkContextView } from './views.js';

export class ControlError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

export interface JournalFilter extends RequestMatcher {
  status?: number;
  /** Only the last N entries that match. */
  limit?: number;
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
  const found = world.journal.filter((e) => test(e.method, e.path) && (filter.status === undefined || e.status === filter.status));
  return filter.limit === undefined ? found : found.slice(-filter.limit);
}

/** Everything the control API can do to one namespace; the HTTP routes and startFake()'s client both use it. */
export function controlOf(world: World) {
  const scalingo = () => world.scalingo;
  const operation = (id: string) => {
    const found = scalingo().operations.get(id);
    if (!found) throw new ControlError(404, `no operation ${id}`);
    return found;
  };
  const container = (idOrLabel: string) => {
    const state = scalingo();
    const found = state.containers.get(idOrLabel) ?? [...state.containers.values()].reverse().find((c) => c.label === idOrLabel);
    if (!found) throw new ControlError(404, `no container ${idOrLabel}`);
    return found;
  };
  const sparkJob = (id: string) => {
    const found = world.spark.jobs.get(id);
    if (!found) throw new ControlError(404, `no job ${id}`);
    return found;
  };
  const sparkAction = <T>(run: () => T): T => {
    try {
      return run();
    } catch (err) {
      if (err instanceof SparkStateError) throw new ControlError(err.code === 'not-found' ? 404 : 409, err.message);
      throw err;
    }
  };
  /** Live views show the clock: tell them it moved (timers that fell due told them the rest). */
  const clockChanged = <T>(result: T): T => {
    world.changed('world', 'clock', world.name);
    return result;
  };
  return {
    name: world.name,
    reset: () => world.reset(),
    clock: {
      get: () => ({ now: new Date(world.clock.now()).toISOString(), paused: world.clock.paused }),
      pause: () => clockChanged(world.clock.pause()),
      resume: () => clockChanged(world.clock.resume()),
      advance: (ms: number) => clockChanged(world.clock.advance(ms)),
    },
    scalingo: {
      addApp: (name: string, schedule?: OperationSchedule) => ({ name: scalingo().addApp(name, schedule).name }),
      apps: () => [...scalingo().apps.values()].map((a) => ({ name: a.name, id: a.id, ...(a.schedule && { schedule: a.schedule }) })),
      addToken: (token: string) => void scalingo().tokens.add(token),
      setSchedule: (schedule: OperationSchedule) => {
        scalingo().schedule = { ...schedule };
      },
      operations: () => [...scalingo().operations.values()].map(operationView),
      operation: (id: string) => operationView(operation(id)),
      /** Moves an operation to its next status, or straight to `to`. */
      advanceOperation: (id: string, to?: 'running' | 'done') => {
        if (!scalingo().advanceOperation(operation(id).id, to)) throw new ControlError(409, `operation ${id} has already ended`);
        return operationView(operation(id));
      },
      failOperation: (id: string, message: string) => {
        if (!scalingo().failOperation(operation(id).id, message)) throw new ControlError(409, `operation ${id} has already ended`);
        return operationView(operation(id));
      },
      containers: () => [...scalingo().containers.values()].map(containerView),
      container: (idOrLabel: string) => containerView(container(idOrLabel)),
    },
    spark: {
      jobs: () => [...world.spark.jobs.values()].map(jobView),
      job: (id: string) => jobView(sparkJob(id)),
      /** Moves a job to its next state, or straight to `to` (FINISHED gives the class's result). */
      advanceJob: (id: string, to?: JobStatus) => sparkAction(() => jobView(world.spark.advanceJob(sparkJob(id).jobId, to))),
      failJob: (id: string, message: string, errorClass?: string) => sparkAction(() => jobView(world.spark.failJob(sparkJob(id).jobId, message, errorClass))),
      /** How long jobs (of one class, or all) stay STARTED and RUNNING, and contexts stopping. */
      setSchedule: (schedule: SparkSchedule, className?: string) => world.spark.setSchedule(schedule, className),
      addClass: (fixture: SparkClassFixture) => {
        world.spark.addClass(fixture);
        return { name: fixture.name };
      },
      binaries: () => [...world.spark.binaries.byName.values()].map(binaryView),
      contexts: () => [...world.spark.contexts.byName.values()].map(sparkContextView),
    },
    journal: (filter: JournalFilter = {}) => filterJournal(world, filter),
    clearJournal: () => {
      world.journal = [];
      world.changed('journal', 'clear', world.name);
    },
    faults: {
      add: (input: FaultInput) => faultView(world.faults.add({ ...input, match: checkGlob(input.match ?? {}) })),
      list: () => world.faults.all().map(faultView),
      remove: (id: string) => {
        if (!world.faults.remove(id)) throw new ControlError(404, `no fault ${id}`);
      },
      clear: () => world.faults.clear(),
    },
  };
}

export type NamespaceControl = ReturnType<typeof controlOf>;
