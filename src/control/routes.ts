import type { Context, Hono } from 'hono';
import { StateError } from '../host.js';
import { apiApp, limitBody } from '../api-app.js';
import type { AppEnv, ServerContext } from '../context.js';
import { CONTROL_PREFIX } from '../namespace.js';
import { scalingoError } from '../scalingo/errors.js';
import { checkJsonBody } from '../validate.js';
import { ControlError, controlErrorStatus, controlOf, type NamespaceControl } from './actions.js';
import { controlGuard } from './guard.js';

type Handler = (control: NamespaceControl, body: any, c: Context<AppEnv>) => unknown;

/** jobfake's control API under /__jobfake (and /ns/<name>/__jobfake for one namespace); errors as {"error"}. */
export function controlApp(server: ServerContext): Hono<AppEnv> {
  const api = apiApp(scalingoError);
  const P = CONTROL_PREFIX;
  const { bodyBytes } = server.limits;
  // The guard first: without the token nothing is read, not even the body.
  if (server.controlToken !== undefined) api.use(`${P}/*`, controlGuard(server.controlToken));
  api.use(`${P}/*`, limitBody(scalingoError, bodyBytes, `request body too large (limit ${bodyBytes} bytes)`));

  /**
   * Runs a control action with a spec-validated body; errors in {"error": "…"} form. Routes
   * that take no body (`takesBody: false`, and every GET and DELETE) ignore whatever is sent.
   */
  const route = (status: 200 | 201 | 204, handler: Handler, { takesBody = true } = {}) => async (c: Context<AppEnv>) => {
    let body: unknown;
    if (takesBody && c.req.method !== 'GET' && c.req.method !== 'DELETE') {
      const checked = await checkJsonBody(c, server.spec, c.get('localPath'));
      if ('notJson' in checked) return c.json({ error: checked.notJson }, 400);
      if ('problems' in checked) return c.json({ error: checked.problems.map((p) => `${p.field} ${p.message}`).join('; ') }, 400);
      body = checked.value;
    }
    try {
      const result = await handler(controlOf(c.get('world')), body, c);
      return status === 204 ? c.body(null, 204) : c.json(result as object, status);
    } catch (err) {
      const status = controlErrorStatus(err);
      if (status === undefined) throw err;
      return c.json({ error: (err as Error).message }, status);
    }
  };

  api.post(`${P}/reset`, route(200, (control, _body, c) => {
    // At the root every namespace goes back to the fixtures; inside /ns/<name> only that one.
    if (c.req.param('ns' as never)) {
      control.reset();
      return { reset: [control.name] };
    }
    const names = server.worlds.names();
    server.worlds.reset();
    return { reset: names };
  }, { takesBody: false }));
  api.get(`${P}/namespaces`, route(200, () => ({ namespaces: server.worlds.names() })));

  api.get(`${P}/clock`, route(200, (control) => control.clock.get()));
  api.post(`${P}/clock`, route(200, (control, body: { paused?: boolean; advance?: number }) => {
    if (body.paused === true) control.clock.pause();
    if (body.paused === false) control.clock.resume();
    if (body.advance) control.clock.advance(body.advance);
    return control.clock.get();
  }));

  api.get(`${P}/scalingo/apps`, route(200, (control) => ({ apps: control.scalingo.apps() })));
  api.post(`${P}/scalingo/apps`, route(201, (control, body) => control.scalingo.addApp(body.name, body.schedule, body.containers)));
  api.get(`${P}/scalingo/apps/:app/logs`, route(200, (control, _b, c) => ({ lines: control.scalingo.logs(c.req.param('app')!, c.req.query('filter')) })));
  api.post(`${P}/scalingo/tokens`, route(204, (control, body) => control.scalingo.addToken(body.token)));
  api.put(`${P}/scalingo/schedule`, route(204, (control, body) => control.scalingo.setSchedule(body)));
  api.get(`${P}/scalingo/operations`, route(200, (control) => ({ operations: control.scalingo.operations() })));
  api.get(`${P}/scalingo/operations/:id`, route(200, (control, _b, c) => control.scalingo.operation(c.req.param('id')!)));
  api.post(`${P}/scalingo/operations/:id/advance`, route(200, (control, body, c) => control.scalingo.advanceOperation(c.req.param('id')!, body.to)));
  api.post(`${P}/scalingo/operations/:id/fail`, route(200, (control, body, c) => control.scalingo.failOperation(c.req.param('id')!, body.message)));
  api.get(`${P}/scalingo/containers`, route(200, (control) => ({ containers: control.scalingo.containers() })));
  api.get(`${P}/scalingo/containers/:id`, route(200, (control, _b, c) => control.scalingo.container(c.req.param('id')!)));
  api.get(`${P}/scalingo/containers/:id/transcript`, route(200, (control, _b, c) => ({ transcript: control.scalingo.transcript(c.req.param('id')!) })));

  api.get(`${P}/spark/jobs`, route(200, (control) => ({ jobs: control.spark.jobs() })));
  api.get(`${P}/spark/jobs/:id`, route(200, (control, _b, c) => control.spark.job(c.req.param('id')!)));
  api.post(`${P}/spark/jobs/:id/advance`, route(200, (control, body, c) => control.spark.advanceJob(c.req.param('id')!, body.to)));
  api.post(`${P}/spark/jobs/:id/fail`, route(200, (control, body, c) => control.spark.failJob(c.req.param('id')!, body.message, body.errorClass)));
  api.put(`${P}/spark/schedule`, route(204, (control, { class: className, ...schedule }) => control.spark.setSchedule(schedule, className)));
  api.post(`${P}/spark/classes`, route(201, (control, body) => control.spark.addClass(body)));
  api.get(`${P}/spark/binaries`, route(200, (control) => ({ binaries: control.spark.binaries() })));
  api.get(`${P}/spark/contexts`, route(200, (control) => ({ contexts: control.spark.contexts() })));

  api.get(`${P}/journal`, route(200, (control, _b, c) => {
    const q = c.req.query();
    for (const key of ['status', 'limit'] as const) {
      if (q[key] !== undefined && !/^\d{1,6}$/.test(q[key]!)) throw new ControlError(400, `${key} must be a whole number`);
    }
    const requests = control.journal({
      method: q['method'],
      path: q['path'],
      status: q['status'] === undefined ? undefined : Number(q['status']),
      body: q['body'],
      limit: q['limit'] === undefined ? undefined : Number(q['limit']),
    });
    return { count: requests.length, requests };
  }));
  api.delete(`${P}/journal`, route(204, (control) => control.clearJournal()));
  api.get(`${P}/journal/:id`, route(200, (control, _b, c) => {
    const id = c.req.param('id')!;
    if (!/^\d{1,15}$/.test(id)) throw new StateError(`no journal entry ${id}`, 'not-found');
    return control.journalEntry(Number(id));
  }));

  api.get(`${P}/faults`, route(200, (control) => ({ faults: control.faults.list() })));
  api.post(`${P}/faults`, route(201, (control, body) => control.faults.add(body)));
  api.delete(`${P}/faults`, route(204, (control) => control.faults.clear()));
  api.delete(`${P}/faults/:id`, route(204, (control, _b, c) => control.faults.remove(c.req.param('id')!)));

  // The inspector (JSX, streaming) is imported on first use: a fifth of the library's start-up
  // modules load then; in the CLI's one-file bundle, their code runs then.
  api.get(`${P}/ui`, async (c) => (await import('./ui.js')).inspectorPage(c));
  api.get(`${P}/events`, async (c) => (await import('./events.js')).controlEvents(c));
  return api;
}
