/**
 * What jobfake logs: one entry per HTTP request, and the start and end of each attach session.
 * Never a header, a query string or a body: credentials stay out of the log.
 */
export type LogEntry = RequestLogEntry | AttachStartLogEntry | AttachEndLogEntry;

export interface RequestLogEntry {
  type: 'request';
  /** Wall-clock time the response was ready (ISO 8601, UTC). */
  time: string;
  method: string;
  /** The path as the client sent it (still percent-encoded), without the query string. */
  path: string;
  status: number;
  durationMs: number;
  namespace: string;
}

export interface AttachStartLogEntry {
  type: 'attach-start';
  time: string;
  /** The attach URL's path. */
  path: string;
  namespace: string;
}

export interface AttachEndLogEntry {
  type: 'attach-end';
  time: string;
  path: string;
  namespace: string;
  /** Bytes the client sent into the container (its stdin), the CONNECT head included. */
  bytesIn: number;
  /** Bytes the container sent back to the client (its output). */
  bytesOut: number;
  /** The command's exit code, or null when the session ended without one (client gone, shutdown). */
  exitCode: number | null;
  durationMs: number;
}

/** Receives every log entry. */
export type LogSink = (entry: LogEntry) => void;

/** `text`: one line a person reads; `json`: one JSON object per line; `silent`: nothing. */
export type LogFormat = 'text' | 'json' | 'silent';

export const LOG_FORMATS: readonly LogFormat[] = ['text', 'json', 'silent'];

const ms = (value: number) => `${Math.round(value * 10) / 10}ms`;

/** One line for a person, e.g. `2026-11-25T13:21:29.123Z GET /healthz 200 1.2ms ns=default`. */
export function formatText(entry: LogEntry): string {
  switch (entry.type) {
    case 'request':
      return `${entry.time} ${entry.method} ${entry.path} ${entry.status} ${ms(entry.durationMs)} ns=${entry.namespace}`;
    case 'attach-start':
      return `${entry.time} CONNECT ${entry.path} attached ns=${entry.namespace}`;
    case 'attach-end':
      return (
        `${entry.time} CONNECT ${entry.path} detached exit=${entry.exitCode ?? 'none'} ` +
        `in=${entry.bytesIn}B out=${entry.bytesOut}B ${ms(entry.durationMs)} ns=${entry.namespace}`
      );
  }
}

/** One JSON object, e.g. `{"type":"request","time":"…","method":"GET",…}`. */
export function formatJson(entry: LogEntry): string {
  return JSON.stringify(entry);
}

/**
 * A sink that writes each entry as one line (text or JSON) to `write` (standard output by
 * default), or undefined for `silent`.
 */
export function createLogger(format: LogFormat, write: (line: string) => void = (line) => void process.stdout.write(line)): LogSink | undefined {
  if (!LOG_FORMATS.includes(format)) throw new TypeError(`log format must be one of ${LOG_FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
  if (format === 'silent') return undefined;
  const render = format === 'json' ? formatJson : formatText;
  return (entry) => write(`${render(entry)}\n`);
}

/** What an attach session tells the log as it runs. */
export interface AttachLog {
  /** Bytes received from the client (the CONNECT head included). */
  fromClient(bytes: number): void;
  /** Bytes sent to the client. */
  toClient(bytes: number): void;
  /** Logs the end of the session, once; later calls do nothing. */
  end(exitCode: number | null): void;
}

/**
 * Logs the start of an attach session now, and returns the counter that logs its end:
 *
 *   const session = logAttach(server.log, { namespace, path });
 *   socket.on('data', (chunk) => session.fromClient(chunk.length));
 *   session.toClient(output.length);
 *   session.end(exitCode);           // or end(null) when the client went away first
 */
export function logAttach(log: LogSink | undefined, session: { namespace: string; path: string }): AttachLog {
  const started = performance.now();
  let bytesIn = 0;
  let bytesOut = 0;
  let ended = false;
  log?.({ type: 'attach-start', time: new Date().toISOString(), path: session.path, namespace: session.namespace });
  return {
    fromClient: (bytes) => void (bytesIn += bytes),
    toClient: (bytes) => void (bytesOut += bytes),
    end: (exitCode) => {
      if (ended) return;
      ended = true;
      log?.({
        type: 'attach-end',
        time: new Date().toISOString(),
        path: session.path,
        namespace: session.namespace,
        bytesIn,
        bytesOut,
        exitCode,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
      });
    },
  };
}
