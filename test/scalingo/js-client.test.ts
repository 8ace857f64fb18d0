// jobfake driven only through the official JavaScript client, scalingo.js (npm `scalingo`,
// pinned), as its users call it. Where the client has a bug of its own, the test does what a
// user does about it and says so; jobfake answers as the real API, not as the client's bugs.
import { clientFromToken, type Client } from 'scalingo';
import { describe, expect, it } from 'vitest';
import { useFake } from '../helpers/fake.js';
import { freshNamespace, openTunnel } from '../helpers/scalingo.js';

// scalingo.js does not export its Operation helper from the package root: users reach it by its
// path in lib/. That works under a bundler only (vite here, as in a browser app): lib/ is ES
// modules with extensionless imports, which plain Node refuses (another of the package's gaps).
import { Operation } from 'scalingo/lib/Operations/utils.js';

const newOperation = (client: Client, url: string) => new Operation(client, url);

describe('scalingo.js against jobfake', () => {
  const ctx = useFake({
    fixtures: {
      scalingo: {
        apps: [{ name: 'my-app', containers: [{ name: 'web', command: 'bundle exec puma', amount: 2, size: 'L' }, { name: 'worker', command: 'rake jobs:work', amount: 0 }] }],
        schedule: { pending: 50, running: 50 },
        detachedDuration: 300,
        commands: [{ command: 'rake report', output: 'report for 3 accounts\nsent\n', exitCode: 0 }],
      },
    },
    limits: { attachCloseGraceMs: 0 },
  });

  /** A client the way its README makes one: an API token exchanged, both URLs pointed at jobfake (here a namespace of it). */
  async function client(): Promise<{ scalingo: Client; base: string }> {
    const base = `${ctx.url}/ns/${freshNamespace('js')}`;
    return { scalingo: await clientFromToken('tk-us-js', { apiUrl: base, authApiUrl: base }), base };
  }

  it('logs in with clientFromToken and reads the user and the regions', async () => {
    const { scalingo, base } = await client();
    expect(scalingo._token.split('.')).toHaveLength(3);
    const user = await scalingo.Users.self();
    expect(user).toMatchObject({ username: 'jobfake', email: 'jobfake@example.com', flags: {}, confirmed: true, github: null, unconfirmed_email: null });
    expect(user.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Date.parse(user.created_at)).not.toBeNaN();
    const regions = await scalingo.Regions.all();
    expect(regions).toEqual([expect.objectContaining({ name: 'jobfake', api: base, default: true })]);
  });

  it('lists and finds apps with the fields the client declares, and builds the deployment listener from links', async () => {
    const { scalingo, base } = await client();
    const [app, ...others] = await scalingo.Apps.all();
    expect(others).toEqual([]);
    expect(app).toMatchObject({ name: 'my-app', region: 'jobfake', status: 'running', owner: { username: 'jobfake', email: 'jobfake@example.com' }, force_https: false });
    expect(app!.git_url).toBe('git@ssh.jobfake.invalid:my-app.git');
    expect(app!.url).toBe('https://my-app.jobfake.invalid');
    const found = await scalingo.Apps.find('my-app');
    expect(found).toEqual(app);
    expect(found.links.deployments_stream).toBe(`${base.replace(/^http/, 'ws')}/deployments-stream/apps/my-app`);
    // The listener opens the stream at once and authenticates with the client's token: it stays open.
    const listener = await scalingo.Apps.deploymentListener('my-app');
    const opened = new Promise<void>((resolve) => listener.onOpen(() => resolve()));
    const closed = new Promise<void>((resolve) => listener.onClose(() => resolve()));
    await opened;
    expect(listener.url).toBe(found.links.deployments_stream);
    await new Promise((r) => setTimeout(r, 100));
    expect(ctx.fake.liveCounts().waiters).toBeGreaterThan(0);
    listener.close();
    await closed;
  });

  it('runs a one-off, follows its operation to done, and attaches with the attach URL', async () => {
    const { scalingo } = await client();
    // Containers.run() keeps only body.container (a client bug): the attach URL and the operation
    // are lost, so a user who needs them posts the same request with the client's own axios.
    // Its RunResponse type imports "src/models/regional", which does not resolve from lib/: the
    // answer is typed `any`, so nothing here leans on the declared type.
    const container = await scalingo.Containers.run('my-app', { command: 'bash', size: 'S' });
    expect(container).toMatchObject({ label: 'one-off-1', type: 'one-off', command: 'bash', container_size: { name: 'S', sku: 'container-s', pids_limit: 128 } });
    expect(container.app).toMatchObject({ name: 'my-app', links: { deployments_stream: expect.any(String) } });
    const res = await scalingo.apiClient().post('/apps/my-app/run', { command: 'bash', env: { TERM: 'xterm' } });
    expect(res.status).toBe(200);
    const { operation_url, operation: operationId, attach_url } = res.data as { operation_url: string; operation: string; attach_url: string };
    expect(res.headers['location']).toBe(operation_url);
    expect(operation_url.split('/').pop()).toBe(operationId);

    const operation = newOperation(scalingo, operation_url);
    // wait() resolves the operation object of the answer, typed as the helper class.
    const done = (await operation.wait()) as unknown as { start_one_off_data?: { attach_url?: string } };
    expect(operation.status).toBe('done');
    expect(operation.id).toBe(operationId);
    expect(done.start_one_off_data?.attach_url).toBe(attach_url);
    // Operations.operation() takes the id from the run answer's `operation`.
    const fetched = await scalingo.Operations.operation('my-app', operationId);
    expect(fetched).toMatchObject({ id: operationId, status: 'done', type: 'start-one-off' });

    const tunnel = await openTunnel(attach_url);
    tunnel.socket.write('hello from scalingo.js\n\x04');
    expect((await tunnel.rest).toString()).toBe('hello from scalingo.js\n');
  });

  it('reports a failed operation, which Operation.wait() would poll forever: the user polls refresh() until done or error', async () => {
    const { scalingo, base } = await client();
    ctx.fake.namespace(base.split('/').pop()!).scalingo.setSchedule({ pending: 50, running: 50, error: 'no capacity left in the region' });
    const res = await scalingo.apiClient().post('/apps/my-app/run', { command: 'bash' });
    const operation = newOperation(scalingo, res.data.operation_url);
    let state = await operation.refresh();
    for (let i = 0; i < 50 && state.status !== 'done' && state.status !== 'error'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      state = await operation.refresh();
    }
    expect(state).toMatchObject({ status: 'error', error: 'no capacity left in the region' });
    expect(await scalingo.Operations.operation('my-app', res.data.operation)).toMatchObject({ status: 'error' });
  });

  it('lists processes, stops one, and reads the formation and the sizes', async () => {
    const { scalingo } = await client();
    const job = await scalingo.Containers.run('my-app', { command: 'sleep 3600', detached: true });
    const processes = await scalingo.Containers.processes('my-app');
    expect(processes.map((p) => p.id)).toEqual([job.id]);
    await scalingo.Containers.stop('my-app', job.id);
    expect(await scalingo.Containers.processes('my-app')).toEqual([]);

    expect(await scalingo.Containers.for('my-app')).toEqual([
      { app_id: expect.stringMatching(/^my-app-/), name: 'web', amount: 2, command: 'bundle exec puma', size: 'L' },
      { app_id: expect.stringMatching(/^my-app-/), name: 'worker', amount: 0, command: 'rake jobs:work', size: 'M' },
    ]);
    const sizes = await scalingo.Containers.availableSizes();
    expect(sizes.map((s) => s.name)).toEqual(['S', 'M', 'L', 'XL', '2XL']);
    expect(sizes[1]).toMatchObject({ name: 'M', memory: 512 * 1024 * 1024, pids_limit: 256, sku: 'container-m', pricings: { default: { currency: 'EUR', period: 'minute' } } });
    await expect(scalingo.Containers.run('my-app', { command: 'bash', size: 'XXL' })).rejects.toMatchObject({ status: 422, data: { errors: { size: [expect.stringContaining('S, M, L, XL, 2XL')] } } });
  });

  it("reads a detached job's output through Apps.logsURL, Logs.for and Logs.listenerFor", async () => {
    const { scalingo, base } = await client();
    const logsUrl = await scalingo.Apps.logsURL('my-app');
    expect(logsUrl).toMatch(new RegExp(`^${base}/logs/my-app\\?timestamp=\\d+&token=[0-9a-f]{32}$`));
    const listener = await scalingo.Logs.listenerFor('my-app');
    const streamed: string[] = [];
    listener.onLog((line: string) => streamed.push(line));
    await new Promise<void>((resolve) => listener._ws!.addEventListener('open', () => resolve()));

    const job = await scalingo.Containers.run('my-app', { command: 'rake report', detached: true });
    for (let i = 0; i < 100 && !streamed.some((l) => l.includes('stopped')); i++) await new Promise((r) => setTimeout(r, 20));
    const expected = [
      `[manager] container [${job.label}] (${job.id}) started with the command 'rake report'`,
      `[${job.label}] report for 3 accounts`,
      `[${job.label}] sent`,
      `[manager] container [${job.label}] (${job.id}) stopped with exit code 0`,
    ];
    expect(streamed.map((l) => l.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{9} \+0000 UTC /, ''))).toEqual(expected);
    listener.close();

    const dump = await scalingo.Logs.for('my-app', { count: 3 });
    expect(dump.trimEnd().split('\n').map((l: string) => l.replace(/^.*? UTC /, ''))).toEqual(expected.slice(1));
  });
});
