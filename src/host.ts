import type { Clock } from './clock.js';
import type { Limits } from './limits.js';

/**
 * What one API's state needs from its namespace, and no more: the namespace's clock (all times
 * and timers), the server's limits, that API's part of the fixtures, and a way to tell live views
 * that something changed (`kind` e.g. 'operation', `id` the thing's id).
 */
export interface StateHost<F> {
  readonly clock: Clock;
  readonly limits: Readonly<Limits>;
  readonly fixtures: F;
  changed(kind: string, id: string): void;
}

/**
 * How a state refuses an action (advancing an unknown job, an operation that has ended…): one
 * error for both APIs, which the control API answers 404 (`not-found`) or 409 (`conflict`).
 */
export class StateError extends Error {
  override name = 'StateError';
  constructor(
    message: string,
    readonly code: 'not-found' | 'conflict',
  ) {
    super(message);
  }
}
