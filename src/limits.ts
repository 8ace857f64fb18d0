/** Every limit jobfake enforces; each has a default and can be set through startFake({ limits }). */
export interface Limits {
  /** Largest JSON or HOCON request body, in bytes. */
  bodyBytes: number;
  /** Largest single upload (attach file or Spark binary), in bytes. */
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
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 5 * 60 * 1000,
  headerBytes: 16 * 1024,
  sparkBinaryBytes: 500 * 1024 * 1024,
  sparkContexts: 1000,
};
