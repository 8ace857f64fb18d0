import { describe, expect, it } from 'vitest';
import { Clock, MAX_TIME } from '../../src/clock.js';

describe('Clock', () => {
  it('runs scheduled work in time order when advanced by hand, without sleeping', () => {
    const clock = new Clock();
    clock.pause();
    const ran: string[] = [];
    clock.schedule(300, () => ran.push('b'));
    clock.schedule(100, () => ran.push('a'));
    clock.advance(99);
    expect(ran).toEqual([]);
    clock.advance(1);
    expect(ran).toEqual(['a']);
    clock.advance(1000);
    expect(ran).toEqual(['a', 'b']);
  });

  it('runs work scheduled by due work at its own time within the same advance', () => {
    const clock = new Clock();
    clock.pause();
    const ran: number[] = [];
    clock.schedule(10, () => {
      ran.push(clock.now());
      clock.schedule(10, () => ran.push(clock.now()));
    });
    const start = clock.now();
    clock.advance(50);
    expect(ran.map((t) => t - start)).toEqual([10, 20]);
    expect(clock.now() - start).toBe(50);
  });

  it('keeps time frozen while paused and cancels timers', () => {
    const clock = new Clock();
    clock.pause();
    const frozen = clock.now();
    let ran = false;
    const timer = clock.schedule(0, () => (ran = true));
    expect(clock.now()).toBe(frozen);
    timer.cancel();
    clock.advance(10);
    expect(ran).toBe(false);
    expect(clock.scheduledCount).toBe(0);
  });

  it('fires on real time when not paused', async () => {
    const clock = new Clock();
    const fired = await new Promise<boolean>((resolve) => clock.schedule(5, () => resolve(true)));
    expect(fired).toBe(true);
  });

  it('stops at year 9999 however far it is advanced, so dates still print', () => {
    const clock = new Clock();
    clock.advance(1e300);
    expect(clock.now()).toBe(MAX_TIME);
    expect(new Date(clock.now()).toISOString()).toBe('9999-01-01T00:00:00.000Z');
    clock.advance(Number.POSITIVE_INFINITY);
    expect(clock.now()).toBe(MAX_TIME);
    expect(() => clock.advance(Number.NaN)).toThrow(RangeError);
  });
});
