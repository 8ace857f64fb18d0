import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { AppEnv } from '../context.js';
import type { JournalRecord, World } from '../store.js';
import { controlOf } from './actions.js';
import { containerSummaryView, logLineView } from '../scalingo/control.js';

/** Journal entries a state carries: the latest ones. */
export const JOURNAL_SHOWN = 200;
/** At most one state per this many milliseconds, however fast the namespace changes. */
export const MIN_GAP_MS = 100;
/** While an attach session is open its byte counts move without events: a state this often. */
export const LIVE_SESSION_MS = 1000;
/** A comment line this often when nothing happens, so that proxies and clients see it alive. */
export const KEEP_ALIVE_MS = 15_000;
/** Log lines the inspector shows: the latest of all apps. */
const LOG_LINES_SHOWN = 200;

/** An entry as a row of the inspector shows it: no headers or bodies, which would be read for each state. */
const journalSummary = (record: JournalRecord) => {
  const { method, path, query, bodySize, status, durationMs } = record.input;
  return { id: record.id, time: record.time(), method, path, query, bodySize, status, durationMs };
};

/**
 * One namespace as the inspector shows it (ControlInspectorState in openapi.yaml): the same views
 * as the JSON control routes, containers without their bytes, the latest requests newest first.
 */
export function inspectorState(world: World) {
  const control = controlOf(world);
  return {
    namespace: world.name,
    clock: control.clock.get(),
    scalingo: {
      apps: control.scalingo.apps(),
      containers: [...world.scalingo.containers.values()].map(containerSummaryView),
      logs: world.scalingo.logs.latest(LOG_LINES_SHOWN).map((line) => ({ app: line.app, ...logLineView(line) })),
    },
    spark: {
      binaries: control.spark.binaries(),
      contexts: control.spark.contexts(),
      jobs: control.spark.jobs(),
    },
    journal: { count: world.journal.length, requests: world.journal.slice(-JOURNAL_SHOWN).reverse().map(journalSummary) },
  };
}

/**
 * GET /__jobfake/events: Server-Sent Events, a `state` event with inspectorState() at once and
 * again whenever the namespace changes (at most one per MIN_GAP_MS). It never ends by itself,
 * unless asked with `?once=true`: then the first state is all (for curl, scripts, Prism).
 */
export function controlEvents(c: Context<AppEnv>) {
  const world = c.get('world');
  // HEAD: the head alone. Hono drops the body of a HEAD answer without cancelling it, so a stream
  // started here would wait on its first write forever, holding its 'change' listener.
  if (c.req.method === 'HEAD') return c.body(null, 200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  if (c.req.query('once') === 'true') {
    return streamSSE(c, (stream) => stream.writeSSE({ event: 'state', data: JSON.stringify(inspectorState(world)) }));
  }
  return streamSSE(c, async (stream) => {
    let dirty = true;
    let wake: (() => void) | undefined;
    const poke = () => {
      dirty = true;
      wake?.();
    };
    /** Resolves true when poked or aborted, false after `ms` of quiet. */
    const quiet = (ms: number) =>
      new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), ms).unref();
        wake = () => {
          clearTimeout(timer);
          resolve(true);
        };
      }).finally(() => (wake = undefined));
    const open = () => !stream.aborted && !stream.closed;

    // Any number of pages may watch one namespace.
    world.events.setMaxListeners(0);
    world.events.on('change', poke);
    stream.onAbort(() => wake?.());
    try {
      let first = true;
      while (open()) {
        if (dirty) {
          dirty = false;
          await stream.writeSSE({ event: 'state', data: JSON.stringify(inspectorState(world)), ...(first && { retry: 1000 }) });
          first = false;
          await new Promise((resolve) => setTimeout(resolve, MIN_GAP_MS).unref());
          continue;
        }
        const live = world.scalingo.sessions.liveCount() > 0;
        if (await quiet(live ? LIVE_SESSION_MS : KEEP_ALIVE_MS)) continue;
        if (live) dirty = true;
        else await stream.write(': keep-alive\n\n');
      }
    } finally {
      world.events.off('change', poke);
    }
  });
}
