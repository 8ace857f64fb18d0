/** Times already written: a polled operation prints the same two on every answer. Bounded. */
const written = new Map<number, string>();

/** An epoch-ms time as RFC 3339 (ISO 8601, UTC, ms), cached: how Scalingo and the control views write times. */
export function iso(ms: number): string {
  let text = written.get(ms);
  if (text === undefined) {
    text = new Date(ms).toISOString();
    if (written.size >= 4096) written.clear();
    written.set(ms, text);
  }
  return text;
}
