import { describe, expect, it } from 'vitest';
import { jodaTime, parseOffset, secs } from '../../src/sparkjobserver/time.js';
import { isZip, makeZip, zipEntryNames } from '../../src/sparkjobserver/zip.js';

describe('Spark Jobserver formats', () => {
  const instant = Date.UTC(2016, 5, 19, 10, 57, 12, 196);

  it('prints times as Joda does, in a fixed offset or as Z on UTC', () => {
    expect(jodaTime(instant, 330)).toBe('2016-06-19T16:27:12.196+05:30');
    expect(jodaTime(instant, -480)).toBe('2016-06-19T02:57:12.196-08:00');
    expect(jodaTime(instant, 0)).toBe('2016-06-19T10:57:12.196Z');
    expect(jodaTime(instant)).toMatch(/^2016-06-19T\d{2}:\d{2}:12\.196(Z|[+-]\d{2}:\d{2})$/);
  });

  it('reads offsets', () => {
    expect([parseOffset('+05:30'), parseOffset('-08:00'), parseOffset('Z'), parseOffset('5:30')]).toEqual([330, -480, 0, undefined]);
  });

  it('prints durations as Scala prints a double of seconds', () => {
    expect([secs(1234), secs(12_000), secs(0), secs(5)]).toEqual(['1.234 secs', '12.0 secs', '0.0 secs', '0.005 secs']);
  });

  it('lists the file names of a zip and never throws on a broken one', () => {
    const zip = makeZip(['a/B.class', 'c.py']);
    expect(isZip(zip)).toBe(true);
    expect(zipEntryNames(zip)).toEqual(['a/B.class', 'c.py']);
    expect(zipEntryNames(zip.subarray(0, zip.length - 10))).toEqual([]);
    expect(zipEntryNames(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0]))).toEqual([]);
    expect(isZip(new TextEncoder().encode('hello'))).toBe(false);
  });
});
