import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';
import type { CapturedBody } from './journal.js';
import type { Limits } from './limits.js';
import type { LogSink } from './log.js';
import type { Spec } from './spec.js';
import type { World, Worlds } from './store.js';

/** What the whole server shares, whatever the namespace and the transport (HTTP or CONNECT). */
export interface ServerContext {
  worlds: Worlds;
  limits: Limits;
  spec: Spec;
  /** Fixed base URL for the links jobfake hands out; else the Host the client used. */
  publicUrl?: string;
  /** Origins allowed to call the Scalingo API from a browser (CORS); unset: any origin. */
  corsOrigins?: string[];
  /** Strict mode: called with a warning when a client sends what the spec marks deprecated. */
  warn?: (message: string) => void;
  /** When set, every response is checked against openapi.yaml and each finding reported here. */
  onResponseChecked?: (operationId: string | undefined, status: number, violations: string[]) => void;
  /** Receives one entry per request (and per attach session start and end); unset means silent. */
  log?: LogSink;
  /** When set, the control API (/__jobfake) answers 401 without this token. */
  controlToken?: string;
}

/** The Hono environment of every route: Node's bindings and what the request pipeline sets. */
export type AppEnv = {
  Bindings: Partial<HttpBindings>;
  Variables: {
    /** The request path inside its namespace (no /ns/<name> prefix). */
    localPath: string;
    /** Set when a fault answered instead of the API: the answer is off-spec on purpose. */
    faulted?: boolean;
    world: World;
    /** The API base the client used, namespace included: links handed out start with it. */
    baseUrl: string;
    /** What a route that streams its body noted of it for the journal (size, SHA-256, files). */
    journalBody?: CapturedBody;
  };
};

export type AppContext = Context<AppEnv>;
