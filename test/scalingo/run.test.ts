import { describe, expect, it } from 'vitest';
import { call, useFake } from '../helpers/fake.js';
import { api, freshNamespace, login } from '../helpers/scalingo.js';

describe('Scalingo one-off runs', () => {
  const ctx = useFake();

  async function setup() {
    const ns = freshNamespace();
    const base = `${ctx.url}/ns/${ns}`;
    const world = ctx.fake.namespace(ns);
    world.clock.pause();
    return { ns, base, world, scalingo: api(base, await login(base)) };
  }

  it('replays the CLI: run, Location, poll pending → running → done, attach URL and timings', async () => {
    const { base, world, scalingo } = await setup();
    expect((await scalingo.get('/v1/apps/my-app?')).body.app).toMatchObject({ name: 'my-app' });
    const run = await scalingo.post('/v1/apps/my-app/run', { command: 'bash', env: { TERM: 'xterm', CLIENT_OS: 'linux' }, size: 'M', detached: false, has_uploads: false });
    expect(run.status).toBe(200);
    const location = run.headers.get('location')!;
    expect(run.body.operation_url).toBe(location);
    expect(location).toMatch(new RegExp(`^${base}/v1/apps/my-app/operations/[0-9a-f]{32}$`));
    expect(run.body.container).toMatchObject({ label: 'one-off-1', type: 'one-off', command: 'bash', deleted_at: null, container_size: { name: 'M' } });
    expect(run.body.attach_url).toMatch(new RegExp(`^${base}/attach/[0-9a-f]{32}$`));

    const poll = async () => (await scalingo.get(new URL(location).pathname.slice(base.length - ctx.url.length))).body.operation;
    expect(await poll()).toMatchObject({ status: 'pending', finished_at: null, error: '' });
    expect((await poll()).start_one_off_data).toBeUndefined();
    world.clock.advance(300);
    expect((await poll()).status).toBe('running');
    world.clock.advance(300);
    const done = await poll();
    expect(done.status).toBe('done');
    expect(done.start_one_off_data).toEqual({ container_id: run.body.container.id, attach_url: run.body.attach_url });
    expect(Date.parse(done.finished_at) - Date.parse(done.created_at)).toBe(600);
  });

  it('counts labels per app and lists live containers in ps', async () => {
    const { scalingo } = await setup();
    await scalingo.post('/v1/apps/my-app/run', { command: 'a' });
    const second = await scalingo.post('/v1/apps/my-app/run', { command: 'b', detached: true });
    expect(second.body.container.label).toBe('one-off-2');
    expect(second.body.attach_url).toBeUndefined();
    const ps = await scalingo.get('/v1/apps/my-app/ps?');
    expect(ps.body.containers.map((c: { label: string }) => c.label)).toEqual(['one-off-1', 'one-off-2']);
  });

  it('runs a detached job for its duration, then it leaves ps', async () => {
    const { world, scalingo } = await setup();
    const run = await scalingo.post('/v1/apps/my-app/run', { command: 'rake jobs:work', detached: true });
    world.clock.advance(600);
    const op = await scalingo.get(`/v1/apps/my-app/operations/${run.headers.get('location')!.split('/').pop()}`);
    expect(op.body.operation.start_one_off_data).toEqual({ container_id: run.body.container.id });
    expect((await scalingo.get('/v1/apps/my-app/ps')).body.containers).toHaveLength(1);
    world.clock.advance(5000);
    expect((await scalingo.get('/v1/apps/my-app/ps')).body.containers).toHaveLength(0);
  });

  it('stops a running container: 202, and it leaves ps', async () => {
    const { world, scalingo } = await setup();
    const run = await scalingo.post('/v1/apps/my-app/run', { command: 'sleep 100', detached: true });
    world.clock.advance(600);
    const id = run.body.container.id;
    const stop = await scalingo.post(`/v1/apps/my-app/containers/${id}/stop`);
    expect(stop.status).toBe(202);
    expect(stop.text).toBe('');
    expect((await scalingo.get('/v1/apps/my-app/ps')).body.containers).toEqual([]);
    expect((await scalingo.post(`/v1/apps/my-app/containers/${id}/stop`)).status).toBe(404);
  });

  it('kills with a signal: 204, a fatal one ends the container; an unknown signal is 422', async () => {
    const { world, scalingo } = await setup();
    const run = await scalingo.post('/v1/apps/my-app/run', { command: 'worker', detached: true });
    world.clock.advance(600);
    const id = run.body.container.id;
    const bad = await scalingo.post(`/v1/apps/my-app/containers/${id}/kill`, { signal: 'SIGFOO' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.signal[0]).toMatch(/^must be one of SIGHUP, SIGINT, /);
    expect((await scalingo.post(`/v1/apps/my-app/containers/${id}/kill`, { signal: 'SIGWINCH' })).status).toBe(204);
    expect((await scalingo.get('/v1/apps/my-app/ps')).body.containers).toHaveLength(1);
    expect((await scalingo.post(`/v1/apps/my-app/containers/${id}/kill`, { signal: 'SIGKILL' })).status).toBe(204);
    expect((await scalingo.get('/v1/apps/my-app/ps')).body.containers).toHaveLength(0);
    expect(world.scalingo.container(id)).toMatchObject({ exit_code: 137, signals: ['SIGWINCH', 'SIGKILL'] });
  });

  it('answers 404 naming the resource for an unknown app, operation or container', async () => {
    const { scalingo } = await setup();
    expect(await scalingo.post('/v1/apps/nope/run', { command: 'x' })).toMatchObject({ status: 404, body: { resource: 'app', error: 'not found' } });
    expect(await scalingo.get('/v1/apps/nope')).toMatchObject({ status: 404, body: { resource: 'app' } });
    expect(await scalingo.get('/v1/apps/nope/ps')).toMatchObject({ status: 404, body: { resource: 'app' } });
    expect(await scalingo.get('/v1/apps/my-app/operations/nope')).toMatchObject({ status: 404, body: { resource: 'operation', error: 'not found' } });
    expect(await scalingo.post('/v1/apps/my-app/containers/nope/kill', { signal: 'SIGTERM' })).toMatchObject({ status: 404, body: { resource: 'container' } });
  });

  it('answers 422 by field for a bad size, a blank command and bad types; 400 for a body that is not JSON', async () => {
    const { scalingo, base } = await setup();
    const size = await scalingo.post('/v1/apps/my-app/run', { command: 'bash', size: 'XXL' });
    expect(size.status).toBe(422);
    expect(size.body.errors.size[0]).toMatch(/is not a valid container size \(one of S, M, L, XL, 2XL\)/);
    const types = await scalingo.post('/v1/apps/my-app/run', { command: 'x', env: { A: 1 }, detached: 'yes' });
    expect(types.status).toBe(422);
    expect(types.body.errors).toEqual({ env: ['must be string'], detached: ['must be boolean'] });
    expect((await scalingo.post('/v1/apps/my-app/run', { command: '  ' })).body).toEqual({ errors: { command: ["can't be blank"] } });
    expect((await scalingo.post('/v1/apps/my-app/run', {})).body).toEqual({ errors: { command: ['is required'] } });
    const token = await login(base);
    const notJson = await call(`${base}/v1/apps/my-app/run`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: '{command: bash' });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error).toMatch(/^invalid JSON body: /);
  });

  it('accepts the async flag older CLIs send, and no size (M)', async () => {
    const { scalingo } = await setup();
    const run = await scalingo.post('/v1/apps/my-app/run', { command: 'bash', async: true });
    expect(run.status).toBe(200);
    expect(run.body.container.container_size).toMatchObject({ name: 'M', memory: 512 * 1024 * 1024 });
  });

  it('ends an operation in error with its message when the schedule says so', async () => {
    const ns = freshNamespace();
    const world = ctx.fake.namespace(ns);
    world.clock.pause();
    world.scalingo.setSchedule({ error: 'no capacity in region' });
    const base = `${ctx.url}/ns/${ns}`;
    const scalingo = api(base, await login(base));
    const run = await scalingo.post('/v1/apps/my-app/run', { command: 'bash' });
    world.clock.advance(600);
    const op = await scalingo.get(`/v1/apps/my-app/operations/${run.headers.get('location')!.split('/').pop()}`);
    expect(op.body.operation).toMatchObject({ status: 'error', error: 'no capacity in region' });
    expect(op.body.operation.finished_at).not.toBeNull();
    expect((await scalingo.get('/v1/apps/my-app/ps')).body.containers).toEqual([]);
  });

  it('refuses a body over the size limit with 413', async () => {
    const { scalingo } = await setup();
    const huge = await scalingo.post('/v1/apps/my-app/run', { command: 'x'.repeat(ctx.fake.limits.bodyBytes + 1) });
    expect(huge.status).toBe(413);
    expect(huge.body.error).toMatch(/request body too large/);
  });
});

describe('strict mode', () => {
  const warnings: string[] = [];
  const ctx = useFake({ strict: (message) => warnings.push(message) });

  it('warns when a client sends a field the spec marks deprecated, and still runs', async () => {
    const scalingo = api(ctx.url, await login(ctx.url));
    const run = await scalingo.post('/v1/apps/my-app/run', { command: 'bash', async: true });
    expect(run.status).toBe(200);
    expect(warnings).toEqual(['POST /v1/apps/my-app/run: the client sent "async", which openapi.yaml marks deprecated']);
    await scalingo.post('/v1/apps/my-app/run', { command: 'bash' });
    expect(warnings).toHaveLength(1);
  });
});
