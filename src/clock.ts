/**
 * Time for one namespace. Everything that moves on its own (operations, jobs, detached
 * containers, idle timeouts) is scheduled here, so a test can pause time, advance it by hand,
 * and never sleep.
 */
export interface Timer {
  cancel(): void;
}

interface Pending {
  at: number;
  seq: number;
  run: () => void;
}

/**
 * The latest time a clock reaches (1 January 9999, UTC). Past year 9999 a date no longer prints as
 * ISO 8601, and an advance of 1e300 ms (a valid JSON integer) would leave every answer of the
 * namespace failing on its timestamp.
 */
export const MAX_TIME = Date.UTC(9999, 0, 1);

export class Clock {
  private offset = 0;
  private pausedAt: number | undefined;
  private pending: Pending[] = [];
  private seq = 0;
  private wakeup: NodeJS.Timeout | undefined;
  private armedAt: number | undefined;

  now(): number {
    return this.pausedAt ?? Math.min(Date.now() + this.offset, MAX_TIME);
  }

  get paused(): boolean {
    return this.pausedAt !== undefined;
  }

  /** Runs `run` once `delayMs` of this clock's time has passed. */
  schedule(delayMs: number, run: () => void): Timer {
    const entry: Pending = { at: this.now() + Math.max(0, delayMs), seq: this.seq++, run };
    // Binary insertion keeps the queue ordered by time, then by scheduling order.
    let low = 0;
    let high = this.pending.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.pending[mid]!.at <= entry.at) low = mid + 1;
      else high = mid;
    }
    this.pending.splice(low, 0, entry);
    this.arm();
    return {
      cancel: () => {
        const i = this.pending.indexOf(entry);
        if (i >= 0) this.pending.splice(i, 1);
        this.arm();
      },
    };
  }

  /** Freezes time: nothing scheduled runs until `resume()` or `advance()`. */
  pause(): void {
    if (this.pausedAt === undefined) this.pausedAt = this.now();
    this.arm();
  }

  resume(): void {
    if (this.pausedAt === undefined) return;
    this.offset = this.pausedAt - Date.now();
    this.pausedAt = undefined;
    this.fireDue();
  }

  /** Moves time forward by `ms`, running what falls due in order. Works paused or not. */
  advance(ms: number): void {
    if (Number.isNaN(ms)) throw new RangeError('Clock.advance() takes a number of milliseconds, got NaN');
    const target = Math.min(this.now() + Math.max(0, ms), MAX_TIME);
    // Step through each due timer at its own time, so work it schedules counts from then.
    for (;;) {
      const next = this.pending[0];
      if (!next || next.at > target) break;
      this.moveTo(Math.max(next.at, this.now()));
      this.pending.shift();
      next.run();
    }
    this.moveTo(target);
    this.fireDue();
  }

  private moveTo(time: number): void {
    if (this.pausedAt !== undefined) this.pausedAt = time;
    else {
      this.offset = time - Date.now();
      // The armed Node timer was set for the old offset.
      if (this.wakeup) clearTimeout(this.wakeup);
      this.wakeup = undefined;
      this.armedAt = undefined;
    }
  }

  /** Back to the wall clock, running, with nothing scheduled (a namespace reset). */
  reset(): void {
    this.pending = [];
    this.pausedAt = undefined;
    this.offset = 0;
    this.arm();
  }

  /** Drops everything scheduled (used by reset and close). */
  clear(): void {
    this.pending = [];
    this.arm();
  }

  get scheduledCount(): number {
    return this.pending.length;
  }

  private fireDue(): void {
    // A fired timer may schedule more; take them one at a time until none is due.
    for (;;) {
      const next = this.pending[0];
      if (!next || next.at > this.now()) break;
      this.pending.shift();
      next.run();
    }
    this.arm();
  }

  /** Keeps one Node timer for the earliest entry; re-armed only when that changes. */
  private arm(): void {
    const next = this.pending[0];
    const wantAt = next && this.pausedAt === undefined ? next.at : undefined;
    if (wantAt === this.armedAt && (wantAt === undefined || this.wakeup)) return;
    if (this.wakeup) clearTimeout(this.wakeup);
    this.wakeup = undefined;
    this.armedAt = wantAt;
    if (wantAt === undefined) return;
    const delay = Math.min(Math.max(0, wantAt - this.now()), 2 ** 31 - 1);
    this.wakeup = setTimeout(() => {
      this.wakeup = undefined;
      this.armedAt = undefined;
      this.fireDue();
    }, delay);
    this.wakeup.unref();
  }
}
