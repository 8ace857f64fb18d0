import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../src/spec.js';
import { call, useFake } from '../helpers/fake.js';
import { api, freshNamespace, login, openTunnel, runToDone } from '../helpers/scalingo.js';
import { jar, postJob, upload as uploadBinary } from '../helpers/spark.js';
import { openEvents } from '../helpers/sse.js';
import { worldOf } from '../helpers/internals.js';

const validState = loadSpec().validator('#/components/schemas/ControlInspectorState');
/** The data of the next state event, checked against ControlInspectorState. */
async function nextState(events: { next(): Promise<{ event?: string; data: string }> }) {
  const { event, data } = await events.next();
  expect(event).toBe('state');
  const state = JSON.parse(data);
  expect(validState(state), JSON.stringify(validState.errors)).toBe(true);
  return state;
}
/** Reads states until one passes `check`. */
async function stateWhere(events: { next(): Promise<{ event?: string; data: string }> }, check: (state: any) => boolean) {
  for (;;) {
    const state = await nextState(events);
    if (check(state)) return state;
  }
}

describe('the inspector page (GET /__jobfake/ui)', () => {
  const ctx = useFake();

  it('is one HTML document under 100 KiB that loads nothing from elsewhere', async () => {
    const res = await call(`${ctx.url}/__jobfake/ui`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(Buffer.byteLength(res.text)).toBeLessThan(100 * 1024);
    expect(res.text).toMatch(/^<!doctype html>/);
    // No src or href but inline data, and a policy that allows nothing else.
    expect(res.text.match(/\b(src|href)="(?!data:)[^"]*"/g)).toBeNull();
    expect(res.text).not.toMatch(/https?:\/\//);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
  });

  it('names its namespace and finds the root relative to itself, at the root and in a namespace', async () => {
    const root = await call(`${ctx.url}/__jobfake/ui`);
    expect(root.text).toContain('data-namespace="default" data-root="../"');
    const ns = freshNamespace();
    const inside = await call(`${ctx.url}/ns/${ns}/__jobfake/ui`);
    expect(inside.status).toBe(200);
    expect(inside.text).toContain(`data-namespace="${ns}" data-root="../../../"`);
    expect(inside.text).toContain(`<title>jobfake inspector · ${ns}</title>`);
  });

  it('labels every control for screen readers', async () => {
    const { text } = await call(`${ctx.url}/__jobfake/ui`);
    for (const id of ['ns-select', 'filter', 'fail-message']) expect(text).toContain(`<label for="${id}">`);
    expect(text.match(/<caption>/g)).toHaveLength(5);
    expect(text).toContain('role="status" aria-live="polite"');
  });
});

describe('the live state (GET /__jobfake/events)', () => {
  const ctx = useFake();

  it('sends the namespace at once, as text/event-stream, with a retry delay', async () => {
    const ns = freshNamespace();
    const events = await openEvents(`${ctx.url}/ns/${ns}/__jobfake/events`);
    try {
      expect(events.res.status).toBe(200);
      expect(events.res.headers.get('content-type')).toBe('text/event-stream');
      expect(events.res.headers.get('cache-control')).toBe('no-cache');
      const first = await events.next();
      expect(first.retry).toBe(1000);
      const state = JSON.parse(first.data);
      expect(validState(state)).toBe(true);
      expect(state).toMatchObject({ namespace: ns, scalingo: { apps: [{ name: 'my-app' }], containers: [] }, journal: { count: 0, requests: [] } });
    } finally {
      events.close();
    }
  });

  it('with once=true, sends the first state alone and ends the stream', async () => {
    const res = await call(`${ctx.url}/ns/${freshNamespace()}/__jobfake/events?once=true`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const [event, rest] = res.text.split('\n\n');
    expect(rest).toBe('');
    expect(event).toMatch(/^event: state\ndata: \{.*\}$/);
    expect(validState(JSON.parse(event!.slice(event!.indexOf('data: ') + 6)))).toBe(true);
  });

  it('follows a one-off with an upload and a Spark job, and leaves the bytes out', async () => {
    const ns = freshNamespace();
    const base = `${ctx.url}/ns/${ns}`;
    const events = await openEvents(`${base}/__jobfake/events`);
    try {
      await nextState(events);
      const { attachUrl } = await runToDone(ctx.fake, base, ns, { command: 'bash' });
      const form = new FormData();
      form.append('file', new Blob(['select 1;\n']), 'dump.sql');
      expect((await call(`${attachUrl}/files`, { method: 'POST', body: form })).status).toBe(200);
      const withUpload = await stateWhere(events, (s) => s.scalingo.containers[0]?.attach?.uploads.length === 1);
      const container = withUpload.scalingo.containers[0];
      expect(container.operation.history.map((h: { status: string }) => h.status)).toEqual(['pending', 'running', 'done']);
      expect(container.attach.uploads[0]).toEqual({
        name: 'dump.sql',
        path: '/tmp/uploads/dump.sql',
        size: 10,
        sha256: createHash('sha256').update('select 1;\n').digest('hex'),
        content_type: expect.any(String),
        at: expect.any(String),
      });
      expect(container.attach).not.toHaveProperty('received');
      expect(container.attach.uploads[0]).not.toHaveProperty('content_base64');

      expect((await uploadBinary(base, 'reports', jar())).status).toBe(200);
      const job = await postJob(base, 'appName=reports&classPath=spark.jobserver.WordCountExample', 'input.string = a b a');
      expect(job.status).toBe(202);
      const withJob = await stateWhere(events, (s) => s.spark.jobs.length === 1 && s.spark.binaries.some((b: { name: string }) => b.name === 'reports'));
      expect(withJob.spark.jobs[0]).toMatchObject({ jobId: job.body.jobId, classPath: 'spark.jobserver.WordCountExample' });
      expect(withJob.spark.contexts.map((c: { name: string }) => c.name)).toContain(job.body.context);
      // The journal, newest first: the job came after the binary.
      expect(withJob.journal.requests.slice(0, 2).map((r: { method: string; path: string }) => `${r.method} ${r.path}`)).toEqual(['POST /jobs', 'POST /binaries/reports']);
    } finally {
      events.close();
    }
  });

  it('sends a state after a reset, a cleared journal and a paused clock', async () => {
    const ns = ctx.fake.namespace(freshNamespace());
    await call(`${ns.url}/healthz`);
    const events = await openEvents(`${ns.url}/__jobfake/events`);
    try {
      expect((await nextState(events)).journal.count).toBe(1);
      expect((await call(`${ns.url}/__jobfake/journal`, { method: 'DELETE' })).status).toBe(204);
      expect((await stateWhere(events, (s) => s.journal.count === 0)).journal.requests).toEqual([]);
      ns.clock.pause();
      await stateWhere(events, (s) => s.clock.paused);
      await api(ns.url, await login(ns.url)).post('/v1/apps/my-app/run', { command: 'bash' });
      await stateWhere(events, (s) => s.scalingo.containers.length === 1);
      expect((await call(`${ns.url}/__jobfake/reset`, { method: 'POST' })).status).toBe(200);
      const reset = await stateWhere(events, (s) => s.scalingo.containers.length === 0);
      expect(reset.clock.paused).toBe(false);
    } finally {
      events.close();
    }
  });

  it('sends the byte counts of an open attach session at least once a second', async () => {
    const ns = freshNamespace();
    const base = `${ctx.url}/ns/${ns}`;
    const { attachUrl } = await runToDone(ctx.fake, base, ns, { command: 'bash' });
    const tunnel = await openTunnel(attachUrl);
    const events = await openEvents(`${base}/__jobfake/events`);
    try {
      await stateWhere(events, (s) => s.scalingo.containers[0]?.attach?.phase === 'attached');
      tunnel.socket.write('echo hi\n');
      const counted = await stateWhere(events, (s) => s.scalingo.containers[0].attach.bytes_in === 8);
      expect(counted.scalingo.containers[0].attach.bytes_out).toBeGreaterThan(0);
    } finally {
      events.close();
      tunnel.socket.destroy();
    }
  });

  it('stops following the namespace when the client hangs up', async () => {
    const ns = freshNamespace();
    const world = worldOf(ctx.fake, ns);
    const events = await openEvents(`${ctx.url}/ns/${ns}/__jobfake/events`);
    await events.next();
    expect(world.events.listenerCount('change')).toBe(1);
    events.close();
    await expect.poll(() => world.events.listenerCount('change')).toBe(0);
  });
});
