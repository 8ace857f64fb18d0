/**
 * The request pipeline: what happens to every request whatever its transport (an HTTP request
 * through Hono, or a CONNECT on the Node server's 'connect' event). A Trip enters the namespace,
 * takes the namespace's fault for the request, and once answered records it: the response check
 * against openapi.yaml, the journal entry and the log entry.
 */
import type { ServerContext } from './context.js';
import type { CapturedBody } from './journal.js';
import { NamespaceLimitError, type World } from './store.js';
import { DEFAULT_NAMESPACE } from './namespace.js';

/** One request as the pipeline sees it. */
export interface TripRequest {
  method: string;
  /** The path as routes see it (the response check finds its operation by it). */
  path: string;
  /** The path as the client sent it, percent-encoding kept, for the log (made only when logged). */
  sentPath: () => string;
  /** The namespace the path routes to; undefined: the default one. */
  namespace: string | undefined;
  /** The path inside its namespace (journal, faults). */
  localPath: string;
  /** The query string with its `?`, or ''. */
  query: string;
  /** Masked headers, or a function making them when the journal entry is first read. */
  headers: Record<string, string> | (() => Record<string, string>);
  bodySize: number;
}

/** What an injected fault makes of a request; each transport renders it its own way. */
export type FaultAnswer =
  | { kind: 'delay'; ms: number }
  | { kind: 'error'; status: number; message: string; retryAfter?: number }
  | { kind: 'close'; reset: boolean }
  | { kind: 'dropAfterBytes'; bytes: number };

/** The answer as sent, for the response check. */
export interface SentAnswer {
  contentType: string | null;
  body: string;
}

export interface TripEnd {
  /** Check the answer against openapi.yaml (omitted: a fault answered, off-spec on purpose). */
  answer?: SentAnswer;
  /** Add a journal entry (the control API's own requests are not journaled). Default true. */
  journal?: boolean;
  /** Write a request log entry (an attach session logs its own start and end). Default true. */
  log?: boolean;
  /** The request's body as the route read it, for the journal. */
  body?: CapturedBody;
  /** The answer's body, for the journal. */
  response?: CapturedBody;
}

/** One request's trip through jobfake. */
export class Trip {
  private readonly started = performance.now();
  /** The namespace's world, once entered. */
  world: World | undefined;

  constructor(
    private readonly server: ServerContext,
    readonly request: TripRequest,
  ) {}

  /**
   * Enters the request's namespace, creating it on first use (unless `existingOnly`). Returns
   * why it cannot (jobfake holds too many namespaces: answer 503), or undefined.
   */
  enter({ existingOnly = false } = {}): string | undefined {
    const name = this.request.namespace ?? DEFAULT_NAMESPACE;
    if (existingOnly && this.request.namespace !== undefined && !this.server.worlds.has(name)) return undefined;
    try {
      this.world = this.server.worlds.get(name);
    } catch (err) {
      if (err instanceof NamespaceLimitError) return err.message;
      throw err;
    }
    return undefined;
  }

  /** Takes the namespace's first fault matching this request (counting it), as an answer to give. */
  fault(): FaultAnswer | undefined {
    const world = this.world;
    const fault = world && world.faults.size > 0 ? world.faults.take(this.request.method, this.request.localPath) : undefined;
    if (!fault) return undefined;
    const action = fault.action;
    switch (action.type) {
      case 'delay':
        return { kind: 'delay', ms: action.ms };
      case 'status':
        return { kind: 'error', status: action.status, message: action.message ?? `fault injected by jobfake: ${action.status}` };
      case 'rateLimit':
        return { kind: 'error', status: 429, message: 'rate limit exceeded (fault injected by jobfake)', retryAfter: action.retryAfter };
      case 'dropAfterBytes':
        return { kind: 'dropAfterBytes', bytes: action.bytes };
      default:
        // 'empty' closes with no bytes; 'reset' sends a TCP RST.
        return { kind: 'close', reset: action.type === 'reset' };
    }
  }

  /** Milliseconds since the trip began, to 0.01 ms. */
  elapsedMs(): number {
    return Math.round((performance.now() - this.started) * 100) / 100;
  }

  /** Records the answer given: response check, journal, log (in that order, as timed). */
  end(status: number, { answer, journal = true, log = true, body, response }: TripEnd = {}): void {
    const { server, request, world } = this;
    const report = server.onResponseChecked;
    if (report && answer) {
      const { operationId, violations } = server.spec.checkResponse({ method: request.method, path: request.path, status, ...answer });
      // A 404 from no route at all is not an answer of the API; anything else must be documented.
      if (operationId || status !== 404) report(operationId, status, violations);
    }
    const durationMs = this.elapsedMs();
    if (journal && world) {
      const { method, localPath, query, headers, bodySize } = request;
      world.record({ timeMs: world.clock.now(), method, path: localPath, query, headers, bodySize, body, status, response, durationMs });
    }
    if (log) server.log?.({ type: 'request', time: new Date().toISOString(), method: request.method, path: request.sentPath(), status, durationMs, namespace: request.namespace ?? DEFAULT_NAMESPACE });
  }
}

/** Credentials never leave the process: the journal keeps only the scheme. */
export function maskCredentials(headers: Headers): Record<string, string> {
  const out = Object.fromEntries(headers);
  if (out['authorization']) out['authorization'] = `${out['authorization'].split(' ')[0]} ***`;
  return out;
}

/**
 * The journal's copy of the request headers from Node's raw header list, made when the journal
 * is read (not for every request), and turned into a `Headers` as @hono/node-server does.
 */
export function lazyHeaders(raw: string[]): () => Record<string, string> {
  return () => {
    const headers = new Headers();
    for (let i = 0; i < raw.length; i += 2) if (!raw[i]!.startsWith(':')) headers.append(raw[i]!, raw[i + 1]!);
    return maskCredentials(headers);
  };
}

/** `new URL(url).search`, without parsing the URL when the query needs no escaping. */
export function searchOf(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return '';
  const hash = url.indexOf('#');
  if (hash >= 0 && hash < q) return '';
  const search = hash < 0 ? url.slice(q) : url.slice(q, hash);
  // Characters the URL parser would escape or drop in an http query: let it do so.
  if (!/^\?[!$%&(-;=?-~]*$/.test(search)) return new URL(url).search;
  return search === '?' ? '' : search;
}
