/** Times as Spark Jobserver prints them (Joda's ISO form): 2016-06-19T16:27:12.196+05:30. */

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** "+05:30" → minutes east of UTC; undefined for a malformed offset. */
export function parseOffset(offset: string): number | undefined {
  if (offset === 'Z') return 0;
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(offset);
  if (!m) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -minutes : minutes;
}

/**
 * The instant in a fixed offset, or in this machine's local zone when none is set. Joda writes a
 * zero offset as "Z", so a server on UTC prints 2016-06-19T10:57:12.196Z.
 */
export function jodaTime(ms: number, offsetMinutes?: number): string {
  const offset = offsetMinutes ?? -new Date(ms).getTimezoneOffset();
  const d = new Date(ms + offset * 60_000);
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
  if (offset === 0) return `${date}T${time}Z`;
  const abs = Math.abs(offset);
  return `${date}T${time}${offset < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** A job's duration as Scala prints `ms / 1000.0 + " secs"`: "1.234 secs", "12.0 secs". */
export function secs(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s.toFixed(1) : String(s)} secs`;
}
