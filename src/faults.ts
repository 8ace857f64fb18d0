import { randomUUID } from 'node:crypto';
import { requestMatcher, type RequestMatcher } from './match.js';

export type FaultAction =
  | { type: 'delay'; ms: number }
  | { type: 'status'; status: number; message?: string }
  | { type: 'empty' }
  | { type: 'reset' }
  | { type: 'rateLimit'; retryAfter: number }
  | { type: 'dropAfterBytes'; bytes: number };

export interface Fault {
  id: string;
  match: RequestMatcher;
  action: FaultAction;
  /** How many more requests it applies to; undefined: until cleared. */
  remaining?: number;
  hits: number;
  /** The matcher, compiled once. */
  readonly test: (method: string, path: string) => boolean;
}

export interface FaultInput {
  match?: RequestMatcher;
  action: FaultAction;
  times?: number;
}

/** Faults of one namespace: the first live one that matches a request applies to it. */
export class Faults {
  private list: Fault[] = [];

  add(input: FaultInput): Fault {
    const match = input.match ?? {};
    const fault: Fault = { id: randomUUID(), match, action: input.action, remaining: input.times, hits: 0, test: requestMatcher(match) };
    this.list.push(fault);
    return fault;
  }

  all(): Fault[] {
    return [...this.list];
  }

  remove(id: string): boolean {
    const before = this.list.length;
    this.list = this.list.filter((f) => f.id !== id);
    return this.list.length < before;
  }

  clear(): void {
    this.list = [];
  }

  get size(): number {
    return this.list.length;
  }

  /** Takes the fault for this request (counting it), or undefined. */
  take(method: string, path: string): Fault | undefined {
    const fault = this.list.find((f) => f.test(method, path));
    if (!fault) return undefined;
    fault.hits++;
    if (fault.remaining !== undefined && --fault.remaining <= 0) this.remove(fault.id);
    return fault;
  }
}
