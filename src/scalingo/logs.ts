import { randomBytes } from 'node:crypto';

/**
 * One line of an app's logs. `source` is what the line shows in brackets: a container label
 * (`one-off-3`) or `manager` for the platform's own lines, which name their container in
 * `container`.
 */
export interface LogLine {
  at: number;
  source: string;
  container: string;
  text: string;
}

/**
 * jobfake's line when a one-off ends (the real wording is not documented): the exit code, or the
 * idle abort.
 */
export function formatExitLine(container: { label: string; id: string }, exitCode: number | null): string {
  return `container [${container.label}] (${container.id}) stopped${exitCode === null ? '' : ` with exit code ${exitCode}`}`;
}

/** What a follower receives: each new line of the app, already filtered. */
export type LogFollower = (line: LogLine) => void;

/**
 * How the logs service writes a line: Go's `time.Time.String()` in UTC (the CLI splits on the
 * first four spaces for the date), the source in brackets, then the text. The example of the API
 * reference: `2015-02-16 02:02:43.930163178 +0000 UTC [web-1] [martini] Started GET /`.
 */
export function formatLogLine(line: LogLine): string {
  const iso = new Date(line.at).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${iso.slice(20, 23)}000000 +0000 UTC [${line.source}] ${line.text}`;
}

/**
 * The logs service's `filter`: `|`-separated container names (`one-off-3`, `web-1`) or types
 * (`web`, `one-off`). A platform line about a container matches as the container's own lines do.
 * Empty: everything.
 */
export function logFilter(filter: string | undefined): (line: LogLine) => boolean {
  const parts = (filter ?? '').split('|').filter((part) => part !== '');
  if (parts.length === 0) return () => true;
  return (line) => parts.some((part) => line.container === part || line.container.startsWith(`${part}-`) || line.source === part);
}

/**
 * The logs of a namespace's apps: kept per app, at most `keep` lines each (oldest dropped), with
 * followers for streaming, and one unguessable token per app for the logs URL.
 */
export class LogBook {
  private readonly lines = new Map<string, LogLine[]>();
  private readonly followers = new Map<string, Set<LogFollower>>();
  private readonly tokens = new Map<string, string>();
  private readonly closers = new Set<() => void>();

  constructor(
    private readonly keep: () => number,
    private readonly now: () => number,
    /** Told the app's name after each write (live views). */
    private readonly changed: (app: string) => void = () => {},
  ) {}

  /** Appends a line (or several, one per line of `text`) to an app's logs and hands it to its followers. */
  write(app: string, source: string, container: string, text: string): void {
    let kept = this.lines.get(app);
    if (!kept) this.lines.set(app, (kept = []));
    const at = this.now();
    for (const part of text.replace(/\r?\n$/, '').split(/\r?\n/)) {
      const line: LogLine = { at, source, container, text: part };
      kept.push(line);
      for (const follow of this.followers.get(app) ?? []) follow(line);
    }
    const excess = kept.length - this.keep();
    if (excess > 0) kept.splice(0, excess);
    this.changed(app);
  }

  /** The latest `n` lines of every app, oldest first, each with its app. */
  latest(n: number): (LogLine & { app: string })[] {
    const all: (LogLine & { app: string })[] = [];
    for (const [app, kept] of this.lines) for (const line of kept.slice(-n)) all.push({ ...line, app });
    // Stable: lines of one app written at the same time keep their order.
    return all.sort((a, b) => a.at - b.at).slice(-n);
  }

  /** The last `n` lines of an app that pass `filter`, oldest first. */
  tail(app: string, n: number, filter?: string): LogLine[] {
    if (n <= 0) return [];
    const matches = logFilter(filter);
    const out: LogLine[] = [];
    const kept = this.lines.get(app) ?? [];
    for (let i = kept.length - 1; i >= 0 && out.length < n; i--) if (matches(kept[i]!)) out.push(kept[i]!);
    return out.reverse();
  }

  /**
   * Calls `follower` with every new line of the app that passes `filter`, until the returned
   * function is called; `close` runs if the book is disposed first (a reset, the server closing).
   */
  follow(app: string, filter: string | undefined, follower: LogFollower, close: () => void): () => void {
    const matches = logFilter(filter);
    const wrapped: LogFollower = (line) => matches(line) && follower(line);
    let set = this.followers.get(app);
    if (!set) this.followers.set(app, (set = new Set()));
    set.add(wrapped);
    const untrack = this.track(close);
    return () => {
      set.delete(wrapped);
      untrack();
    };
  }

  /** Has `close` called when the book is disposed (an open stream of this namespace); returns the untrack. */
  track(close: () => void): () => void {
    this.closers.add(close);
    return () => this.closers.delete(close);
  }

  /** Ends every stream. */
  dispose(): void {
    for (const close of [...this.closers]) close();
    this.closers.clear();
    this.followers.clear();
  }

  /** Open streams (followers and tracked ones), for leak checks. */
  streamCount(): number {
    return this.closers.size;
  }

  /** The app's logs token, made on first use: the logs URL is the capability, as on Scalingo. */
  tokenFor(app: string): string {
    let token = this.tokens.get(app);
    if (!token) this.tokens.set(app, (token = randomBytes(16).toString('hex')));
    return token;
  }

  /** Whether `token` is the app's logs token (an app whose URL was never asked for has none). */
  accepts(app: string, token: string | undefined): boolean {
    return token !== undefined && this.tokens.get(app) === token;
  }
}
