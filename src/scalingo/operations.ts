import type { OperationSchedule, ScalingoFixtures } from '../fixtures.js';
import { StateError, type StateHost } from '../host.js';
import { DEFAULT_SCHEDULE, NEXT_STATUS, type App, type Operation, type OperationStatus } from './model.js';

/** What the operations tell the rest of the state. */
export interface OperationEvents {
  /** Reached `done`: its container starts. */
  done(operation: Operation): void;
  /** Ended in `error`: its container never starts. */
  failed(operation: Operation): void;
}

/** The one-off operations of one namespace and their lifecycle (pending → running → done or error). */
export class Operations {
  private readonly byId = new Map<string, Operation>();
  /** The namespace's schedule, under each app's own (set by fixtures or the control API). */
  schedule: OperationSchedule;

  constructor(
    private readonly host: StateHost<ScalingoFixtures>,
    private readonly events: OperationEvents,
  ) {
    this.schedule = { ...host.fixtures.schedule };
  }

  get(id: string): Operation | undefined {
    return this.byId.get(id);
  }

  values(): IterableIterator<Operation> {
    return this.byId.values();
  }

  delete(id: string): void {
    this.byId.delete(id);
  }

  /** Adds a new pending operation; its timer moves it on from here. */
  add(operation: Operation): void {
    this.byId.set(operation.id, operation);
    this.scheduleNext(operation);
    this.host.changed('operation', operation.id);
  }

  /** Moves an operation to its next status, or straight to `to`. Throws StateError when unknown or ended. */
  advance(id: string, to?: 'running' | 'done'): Operation {
    const operation = this.running(id);
    const target = to ?? NEXT_STATUS[operation.status]!;
    if (target === 'running' && operation.status === 'running') return operation;
    this.setStatus(operation, target);
    if (target === 'done') this.events.done(operation);
    else this.scheduleNext(operation);
    return operation;
  }

  /** Ends an operation in `error`: the container never starts. Throws StateError when unknown or ended. */
  fail(id: string, message: string): Operation {
    const operation = this.running(id);
    operation.error = message;
    this.setStatus(operation, 'error');
    this.events.failed(operation);
    return operation;
  }

  private running(id: string): Operation {
    const operation = this.byId.get(id);
    if (!operation) throw new StateError(`no operation ${id}`, 'not-found');
    if (operation.finishedAt !== null) throw new StateError(`operation ${id} has already ended`, 'conflict');
    return operation;
  }

  private scheduleOf(app: App): OperationSchedule {
    return { ...DEFAULT_SCHEDULE, ...this.schedule, ...app.schedule };
  }

  private scheduleNext(operation: Operation): void {
    operation.timer?.cancel();
    operation.timer = undefined;
    const schedule = this.scheduleOf(operation.app);
    const { clock } = this.host;
    if (operation.status === 'pending') {
      operation.timer = clock.schedule(schedule.pending!, () => this.advance(operation.id));
    } else if (operation.status === 'running') {
      operation.timer = clock.schedule(schedule.running!, () => (schedule.error ? this.fail(operation.id, schedule.error) : this.advance(operation.id)));
    }
  }

  private setStatus(operation: Operation, status: OperationStatus): void {
    const now = this.host.clock.now();
    operation.timer?.cancel();
    operation.timer = undefined;
    operation.status = status;
    operation.history.push({ status, at: now });
    if (status === 'done' || status === 'error') operation.finishedAt = now;
    this.host.changed('operation', operation.id);
  }
}
