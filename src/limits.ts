/** Every limit jobfake enforces; each has a default and can be set through startFake({ limits }). */
export interface Limits {
  /** Largest JSON or HOCON request body, in bytes. */
  bodyBytes: number;
  /** Largest single attach upload, in bytes (Spark uploads have sparkUploadBytes). */
  uploadBytes: number;
  /** Total uploads kept for one container, in bytes. */
  containerUploadBytes: number;
  /** Files one container may receive. */
  uploadsPerContainer: number;
  /** Attach sessions open at once, over all namespaces. */
  attachSessions: number;
  /** Milliseconds an attach session may stay silent before it ends with 408. */
  attachIdleMs: number;
  /**
   * Milliseconds the server's FIN waits after the attach began or first wrote output. The real
   * CLI (up to 1.48 at least) panics when the stream closes right after its first read.
   */
  attachCloseGraceMs: number;
  /** Namespaces one server holds. */
  namespaces: number;
  /** Finished operations, containers and jobs kept per namespace before the oldest are evicted. */
  finishedKept: number;
  /** Journal entries kept per namespace. */
  journalEntries: number;
  /** Faults in force at once per namespace. */
  faults: number;
  /** Bytes of one request's body, and of one answer's, kept as text in its journal entry. */
  journalBodyBytes: number;
  /** Bytes of bodies the journal of one namespace keeps in all; past it the oldest entries go. */
  journalBytes: number;
  /** Milliseconds a client has to send its request headers (slowloris guard). */
  headersTimeoutMs: number;
  /** Milliseconds a client has to send a whole request. */
  requestTimeoutMs: number;
  /** Largest request head, in bytes. */
  headerBytes: number;
  /** Spark binaries kept per namespace, in bytes (each counts at least 1 KiB). */
  sparkBinaryBytes: number;
  /** Spark contexts (ad-hoc ones included) alive at once per namespace. */
  sparkContexts: number;
  /**
   * Largest Spark Jobserver upload (binary, jar or data file), bytes: the shipped
   * `parsing.max-content-length = 30m`, answered 413 in the HTTP server's own words.
   */
  sparkUploadBytes: number;
  /**
   * Milliseconds of the namespace clock a Spark Jobserver request may run (a sync job): the
   * shipped `request-timeout = 40 s`, answered 500 "Request timed out…"; 0: none.
   */
  sparkRequestTimeoutMs: number;
  /** Log lines kept per Scalingo app (what `scalingo logs` reads); the oldest are dropped. */
  logLinesPerApp: number;
}

export const defaultLimits: Limits = {
  bodyBytes: 1024 * 1024,
  uploadBytes: 100 * 1024 * 1024,
  containerUploadBytes: 200 * 1024 * 1024,
  uploadsPerContainer: 50,
  attachSessions: 10_000,
  attachIdleMs: 30 * 60 * 1000,
  attachCloseGraceMs: 300,
  namespaces: 1000,
  finishedKept: 500,
  journalEntries: 2000,
  faults: 1000,
  journalBodyBytes: 64 * 1024,
  journalBytes: 16 * 1024 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 5 * 60 * 1000,
  headerBytes: 16 * 1024,
  sparkBinaryBytes: 500 * 1024 * 1024,
  sparkContexts: 1000,
  sparkUploadBytes: 30 * 1024 * 1024,
  sparkRequestTimeoutMs: 40_000,
  logLinesPerApp: 10_000,
};

export type LimitName = keyof Limits;
export const limitNames = Object.keys(defaultLimits) as LimitName[];

/** One line on each limit, for `jobfake --help` (the README's Limits table says more). */
export const limitSummaries: Record<LimitName, string> = {
  bodyBytes: 'largest JSON or HOCON request body, bytes (413)',
  uploadBytes: 'largest attach upload, bytes (413)',
  containerUploadBytes: 'uploads kept for one container, bytes (413)',
  uploadsPerContainer: 'files one container may receive (413)',
  attachSessions: 'attach sessions open at once, all namespaces (503)',
  attachIdleMs: 'silence before an attach session ends, ms (408 on /wait)',
  attachCloseGraceMs: 'wait before the FIN after the first output, ms',
  namespaces: 'namespaces held; the least recently used idle one is dropped (503 when none is)',
  finishedKept: 'ended operations, containers and jobs kept per namespace; oldest evicted',
  journalEntries: 'journal entries kept per namespace; oldest dropped',
  faults: 'faults in force at once per namespace (409)',
  journalBodyBytes: 'bytes of a request or answer body kept as text in its journal entry',
  journalBytes: 'bytes of bodies the journal of a namespace keeps; oldest entries dropped',
  headersTimeoutMs: 'time to send the request head, ms (408; 0: none)',
  requestTimeoutMs: 'time to send the whole request, ms (408; 0: none)',
  headerBytes: 'largest request head, bytes (431)',
  sparkBinaryBytes: 'Spark binaries kept per namespace, bytes (413)',
  sparkContexts: 'Spark contexts alive at once per namespace (503)',
  sparkUploadBytes: 'largest Spark binary, jar or data upload, bytes (413, the server\'s text)',
  sparkRequestTimeoutMs: 'namespace-clock time a Spark request may run, ms (500 Request timed out; 0: none)',
  logLinesPerApp: 'log lines kept per Scalingo app; oldest dropped',
};

/** The defaults with these limits set, each checked: a known name, a whole number ≥ 0. */
export function resolveLimits(overrides: Partial<Limits> = {}): Limits {
  const limits = { ...defaultLimits };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    if (!(name in defaultLimits)) throw new RangeError(`unknown limit "${name}" (limits: ${limitNames.join(', ')})`);
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`limit ${name} must be a whole number ≥ 0, got ${JSON.stringify(value) ?? String(value)}`);
    }
    limits[name as LimitName] = value;
  }
  return limits;
}

/** One `--limit NAME=N` of the CLI: the name and its value, or an Error saying what is wrong. */
export function parseLimitFlag(text: string): [LimitName, number] {
  const match = /^([A-Za-z]+)=(\d[\d_]*)$/.exec(text.trim());
  if (!match) throw new RangeError(`--limit takes NAME=N (a whole number), got "${text}"`);
  const name = match[1]! as LimitName;
  if (!(name in defaultLimits)) throw new RangeError(`unknown limit "${name}" in --limit (limits: ${limitNames.join(', ')})`);
  const value = Number(match[2]!.replaceAll('_', ''));
  if (!Number.isSafeInteger(value)) throw new RangeError(`--limit ${name} is too large: ${match[2]}`);
  return [name, value];
}
