import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { call, useFake } from '../helpers/fake.js';
import { worldOf } from '../helpers/internals.js';
import { api, freshNamespace, login, openTunnel } from '../helpers/scalingo.js';

/** A log line without its time: what a test can compare. */
const untimed = (line: string) => line.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{9} \+0000 UTC /, '');

/** Opens a WebSocket like the CLI's `logs -f`; resolves with the socket once open, or the refusal. */
function openStream(url: string): Promise<{ ws: WebSocket; events: unknown[] } | { status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace(/^http/, 'ws'), { headers: { Origin: 'http://scalingo-cli.local/1.30.0' } });
    const events: unknown[] = [];
    ws.on('message', (data) => events.push(JSON.parse(data.toString())));
    ws.once('open', () => resolve({ ws, events }));
    ws.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString()) }));
    });
    ws.once('error', reject);
  });
}

describe('Scalingo app logs', () => {
  const ctx = useFake({
    limits: { attachCloseGraceMs: 0, logLinesPerApp: 50 },
    fixtures: {
      scalingo: {
        apps: [{ name: 'my-app' }, { name: 'other' }],
        schedule: { pending: 100, running: 100 },
        detachedDuration: 1000,
        commands: [
          { command: 'rake report', output: 'line one\nline two\n', exitCode: 0 },
          { command: 'rake fail', output: 'boom\n', exitCode: 3 },
          { command: 'rake late', output: 'at last\n', delay: 500 },
        ],
      },
    },
  });

  async function setup() {
    const ns = freshNamespace('logs');
    const base = `${ctx.url}/ns/${ns}`;
    const world = ctx.fake.namespace(ns);
    world.clock.pause();
    const scalingo = api(base, await login(base));
    const logsUrl = (await scalingo.get('/v1/apps/my-app/logs?')).body.logs_url as string;
    const dump = (query = '') => call(`${logsUrl}${query}`);
    return { ns, base, world, scalingo, logsUrl, dump };
  }

  it('hands out a logs URL on jobfake, with the app; the token in it is the capability', async () => {
    const { base, scalingo, logsUrl, dump } = await setup();
    const res = await scalingo.get('/v1/apps/my-app/logs');
    expect(res.status).toBe(200);
    expect(res.body.app).toMatchObject({ name: 'my-app', status: 'running' });
    expect(res.body.logs_url).toBe(logsUrl);
    expect(logsUrl).toMatch(new RegExp(`^${base}/logs/my-app\\?timestamp=\\d+&token=[0-9a-f]{32}$`));
    expect((await scalingo.get('/v1/apps/nope/logs')).status).toBe(404);
    // Nothing logged yet: 204, which the CLI reads as "There is no log for this application".
    expect((await dump()).status).toBe(204);
    const wrong = await call(logsUrl.replace(/token=\w+/, 'token=0000'));
    expect([wrong.status, wrong.body.error]).toEqual([401, expect.stringMatching(/logs token/)]);
    expect((await call(`${base}/logs/my-app`)).status).toBe(401);
    // Another app's token opens nothing else.
    expect((await call(logsUrl.replace('/logs/my-app', '/logs/other'))).status).toBe(401);
    expect((await call(logsUrl.replace('/logs/my-app', '/logs/nope'))).body).toEqual({ resource: 'app', error: 'not found' });
    expect((await dump('&n=many')).status).toBe(400);
    expect((await dump('&stream=true')).body.error).toMatch(/WebSocket/);
  });

  it("logs a detached job's output between the platform's start and stop lines; an attached one's only the platform lines", async () => {
    const { world, scalingo, dump } = await setup();
    const job = (await scalingo.post('/v1/apps/my-app/run', { command: 'rake report', detached: true })).body.container;
    const attached = (await scalingo.post('/v1/apps/my-app/run', { command: 'rake fail' })).body;
    world.clock.advance(200);
    const tunnel = await openTunnel(attached.attach_url);
    expect((await tunnel.rest).toString()).toBe('boom\n');
    world.clock.advance(1000);
    const text = (await dump('&n=100')).text;
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.trimEnd().split('\n');
    for (const line of lines) expect(line).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{9} \+0000 UTC \[[a-z0-9-]+\] /);
    expect(lines.map(untimed)).toEqual([
      `[manager] container [one-off-1] (${job.id}) started with the command 'rake report'`,
      '[one-off-1] line one',
      '[one-off-1] line two',
      `[manager] container [one-off-2] (${attached.container.id}) started with the command 'rake fail'`,
      `[manager] container [one-off-2] (${attached.container.id}) stopped with exit code 3`,
      `[manager] container [one-off-1] (${job.id}) stopped with exit code 0`,
    ]);
    // The line's time is the namespace clock's: the container started 200 ms after the run.
    expect(`${lines[0]!.slice(0, 23).replace(' ', 'T')}Z`).toBe(new Date(Date.parse(job.created_at) + 200).toISOString());
  });

  it('filters as the CLI asks (a container, a type, several with |) and gives the last n lines', async () => {
    const { world, scalingo, dump } = await setup();
    await scalingo.post('/v1/apps/my-app/run', { command: 'rake report', detached: true });
    await scalingo.post('/v1/apps/my-app/run', { command: 'rake fail', detached: true });
    world.clock.advance(1200);
    const only = async (query: string) => (await dump(query)).text.trimEnd().split('\n').map(untimed);
    expect(await only('&n=20&filter=one-off-2')).toEqual([
      expect.stringMatching(/^\[manager\] container \[one-off-2\] \(\w+\) started with the command 'rake fail'$/),
      '[one-off-2] boom',
      expect.stringMatching(/^\[manager\] container \[one-off-2\] \(\w+\) stopped with exit code 3$/),
    ]);
    expect(await only('&n=2&filter=one-off-1')).toEqual(['[one-off-1] line two', expect.stringMatching(/one-off-1\] \(\w+\) stopped with exit code 0$/)]);
    expect(await only('&n=100&filter=one-off')).toHaveLength(7);
    expect(await only('&n=100&filter=one-off-1|one-off-2')).toHaveLength(7);
    expect(await only('&n=1')).toEqual([expect.stringMatching(/stopped with exit code/)]);
    // No n: the CLI's default of 20; a filter nothing passes: 204.
    expect(await only('')).toHaveLength(7);
    expect((await dump('&filter=web')).status).toBe(204);
    expect((await dump('&n=0')).status).toBe(204);
  });

  it('keeps at most logLinesPerApp lines per app, the oldest dropped', async () => {
    const { world, scalingo, dump } = await setup();
    for (let i = 0; i < 15; i++) await scalingo.post('/v1/apps/my-app/run', { command: 'rake report', detached: true });
    world.clock.advance(1200);
    const lines = (await dump('&n=1000')).text.trimEnd().split('\n').map(untimed);
    expect(lines).toHaveLength(50);
    // 15 jobs wrote 60 lines (start and two lines each, then the 15 stops): the first 10 are gone.
    expect(lines[0]).toBe('[one-off-4] line one');
    expect(lines.at(-1)).toMatch(/one-off-15\] \(\w+\) stopped/);
  });

  it('follows over a WebSocket as `scalingo logs -f` does: history n, then new lines filtered, and the refusals', async () => {
    const { ns, world, scalingo, logsUrl } = await setup();
    await scalingo.post('/v1/apps/my-app/run', { command: 'rake report', detached: true });
    world.clock.advance(200);
    const opened = await openStream(`${logsUrl}&stream=true&n=1&filter=one-off-2`);
    if (!('ws' in opened)) throw new Error(`refused: ${JSON.stringify(opened)}`);
    const all = await openStream(`${logsUrl}&stream=true`);
    if (!('ws' in all)) throw new Error('refused');
    expect(opened.events).toEqual([]);
    await scalingo.post('/v1/apps/my-app/run', { command: 'rake late', detached: true });
    world.clock.advance(200);
    world.clock.advance(500);
    world.clock.advance(1000);
    await new Promise((r) => setTimeout(r, 50));
    const texts = (events: unknown[]) => (events as { event: string; log: string; timestamp: string }[]).map((e) => [e.event, untimed(e.log)]);
    expect(texts(opened.events)).toEqual([
      ['log', expect.stringMatching(/^\[manager\] container \[one-off-2\] \(\w+\) started with the command 'rake late'$/)],
      ['log', '[one-off-2] at last'],
      ['log', expect.stringMatching(/^\[manager\] container \[one-off-2\] \(\w+\) stopped with exit code 0$/)],
    ]);
    expect(Date.parse((opened.events[0] as { timestamp: string }).timestamp)).toBe(Date.parse(world.clock.get().now) - 1500);
    // Without a filter: one-off-1's end too; with no n, no history.
    expect(texts(all.events).map(([, log]) => log)).toContainEqual(expect.stringMatching(/one-off-1\] \(\w+\) stopped/));
    expect(texts(all.events)).toHaveLength(4);
    expect(ctx.fake.liveCounts().waiters).toBeGreaterThanOrEqual(2);
    opened.ws.close();
    all.ws.close();

    expect(await openStream(`${logsUrl.replace(/token=\w+/, 'token=0')}&stream=true`)).toMatchObject({ status: 401, body: { error: expect.stringMatching(/logs token/) } });
    expect(await openStream(`${logsUrl}&stream=true&n=x`)).toMatchObject({ status: 400 });
    expect(await openStream(`${logsUrl.replace('/logs/my-app', '/logs/nope')}&stream=true`)).toMatchObject({ status: 404, body: { resource: 'app', error: 'not found' } });
    expect(await openStream(`${ctx.url}/ns/${ns}/v1/apps`)).toMatchObject({ status: 404 });
  });

  it('shows the lines in the control API (filtered as the logs URL) and in the inspector state', async () => {
    const { ns, base, world, scalingo } = await setup();
    await scalingo.post('/v1/apps/my-app/run', { command: 'rake report', detached: true });
    world.clock.advance(200);
    const read = await call(`${base}/__jobfake/scalingo/apps/my-app/logs?filter=one-off-1`);
    expect(read.status).toBe(200);
    expect(read.body.lines.map((l: { source: string; text: string }) => [l.source, l.text])).toEqual([
      ['manager', expect.stringMatching(/^container \[one-off-1\] \(\w+\) started with the command 'rake report'$/)],
      ['one-off-1', 'line one'],
      ['one-off-1', 'line two'],
    ]);
    expect(read.body.lines[1]).toEqual({ time: world.clock.get().now, source: 'one-off-1', container: 'one-off-1', text: 'line one', line: `${read.body.lines[1].time.slice(0, 10)} ${read.body.lines[1].time.slice(11, 23)}000000 +0000 UTC [one-off-1] line one` });
    expect(ctx.fake.namespace(ns).scalingo.logs('my-app', 'web')).toEqual([]);
    expect((await call(`${base}/__jobfake/scalingo/apps/nope/logs`)).status).toBe(404);
    const events = await call(`${base}/__jobfake/events?once=true`);
    const state = JSON.parse(events.text.split('\n').find((l) => l.startsWith('data: '))!.slice(6));
    expect(state.scalingo.logs.map((l: { app: string; text: string }) => [l.app, l.text])).toEqual([
      ['my-app', expect.stringMatching(/started with the command 'rake report'$/)],
      ['my-app', 'line one'],
      ['my-app', 'line two'],
    ]);
    // The control API sets a formation as the fixtures do.
    const added = await call(`${base}/__jobfake/scalingo/apps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'queue', containers: [{ name: 'worker', command: 'bin/worker', size: 'S' }] }) });
    expect(added.status).toBe(201);
    expect((await scalingo.get('/v1/apps/queue/containers')).body.containers).toEqual([{ app_id: expect.any(String), name: 'worker', amount: 1, command: 'bin/worker', size: 'S' }]);
  });

  it("serves the app's deployments stream only as a WebSocket: a plain GET is 400, an unknown app 404", async () => {
    const { base, scalingo } = await setup();
    const stream = (await scalingo.get('/v1/apps/my-app')).body.app.links.deployments_stream as string;
    expect(stream).toBe(`${base.replace(/^http/, 'ws')}/deployments-stream/apps/my-app`);
    const plain = await call(stream.replace(/^ws/, 'http'));
    expect([plain.status, plain.body.error]).toEqual([400, expect.stringMatching(/WebSocket/)]);
    expect((await call(stream.replace(/^ws/, 'http').replace('/my-app', '/nope'))).body).toEqual({ resource: 'app', error: 'not found' });
    expect(await openStream(stream.replace('/my-app', '/nope'))).toMatchObject({ status: 404, body: { resource: 'app', error: 'not found' } });
    const opened = await openStream(stream);
    if (!('ws' in opened)) throw new Error('refused');
    opened.ws.close();
  });

  it('a reset or close ends open streams and leaves nothing behind', async () => {
    const { ns, logsUrl } = await setup();
    const opened = await openStream(`${logsUrl}&stream=true`);
    if (!('ws' in opened)) throw new Error('refused');
    const closed = new Promise((resolve) => opened.ws.once('close', resolve));
    ctx.fake.reset(ns);
    await closed;
    expect(worldOf(ctx.fake, ns).scalingo.logs.streamCount()).toBe(0);
  });
});

describe('Scalingo formation, apps and sizes', () => {
  const ctx = useFake({
    fixtures: { scalingo: { apps: [{ name: 'my-app' }, { name: 'shop', containers: [{ name: 'web', command: 'node server.js', amount: 0 }, { name: 'clock', command: 'node clock.js', amount: 1, size: 'S' }] }] } },
  });

  it('lists the apps, each with its formation, and the container sizes runs are checked against', async () => {
    const base = `${ctx.url}/ns/${freshNamespace()}`;
    const scalingo = api(base, await login(base));
    const apps = (await scalingo.get('/v1/apps?')).body.apps;
    expect(apps.map((a: { name: string; status: string }) => [a.name, a.status])).toEqual([['my-app', 'running'], ['shop', 'running']]);
    expect(apps[0]).toMatchObject({ owner: { username: 'jobfake' }, links: { deployments_stream: expect.stringMatching(/^ws:\/\//) }, last_deployed_at: null });
    expect((await scalingo.get('/v1/apps/my-app/containers')).body.containers).toEqual([{ app_id: apps[0].id, name: 'web', amount: 1, command: 'npm start', size: 'M' }]);
    expect((await scalingo.get('/v1/apps/shop/containers')).body.containers.map((t: { name: string; command: string; size: string }) => [t.name, t.command, t.size])).toEqual([
      ['web', 'node server.js', 'M'],
      ['clock', 'node clock.js', 'S'],
    ]);
    expect((await scalingo.get('/v1/apps/nope/containers')).status).toBe(404);
    const sizes = (await scalingo.get('/v1/features/container_sizes')).body.container_sizes;
    expect(sizes.map((s: { name: string; pids_limit: number }) => [s.name, s.pids_limit])).toEqual([['S', 128], ['M', 256], ['L', 512], ['XL', 1024], ['2XL', 2048]]);
    for (const size of sizes) expect(size.thirtydays_price).toBe(size.hourly_price * 720);
    const run = await scalingo.post('/v1/apps/shop/run', { command: 'node clock.js', size: 'XL' });
    expect(run.body.container.container_size).toEqual(sizes[3]);
    expect(run.body.operation).toBe(run.headers.get('location')!.split('/').pop());
    expect((await scalingo.post('/v1/apps/shop/run', { command: 'x', size: 'XXL' })).status).toBe(422);
  });

  it('an app with no container to run is stopped', async () => {
    const ns = freshNamespace();
    const base = `${ctx.url}/ns/${ns}`;
    ctx.fake.namespace(ns).scalingo.addApp('idle', undefined, [{ name: 'web', command: 'npm start', amount: 0 }]);
    const scalingo = api(base, await login(base));
    expect((await scalingo.get('/v1/apps/idle')).body.app.status).toBe('stopped');
  });
});
