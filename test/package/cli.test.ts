import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/cli.js';

// Each test starts one or two jobfake processes: seconds each on a busy machine.
describe('jobfake CLI', { timeout: 30_000 }, () => {
  // The help text, read once for the tests that check it.
  let help: ReturnType<typeof runCli> | undefined;
  const helpOnce = () => (help ??= runCli(['--help']));

  it('prints the URL it listens on first, answers /healthz, and exits 0 on SIGTERM', async () => {
    const { child, firstLine, url, exited } = await startCli(['--port', '0']);
    expect(firstLine).toMatch(/^jobfake listening on http:\/\/127\.0\.0\.1:\d+ \(fixtures: .*default\.yaml\)$/);
    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'SUCCESS' });
    child.kill('SIGTERM');
    expect((await exited).code).toBe(0);
  });

  it('exits 0 on SIGINT too', async () => {
    const { child, exited } = await startCli(['--port', '0']);
    child.kill('SIGINT');
    expect((await exited).code).toBe(0);
  });

  it('fails on an unknown flag with one line and exit code 2', async () => {
    const { code, stderr } = await runCli(['--prot', '1']);
    expect(code).toBe(2);
    expect(stderr).toBe("jobfake: Unknown option '--prot' (see jobfake --help)\n");
  });

  it('fails on a port that is not a number', async () => {
    const { code, stderr } = await runCli(['--port', 'eighty']);
    expect(code).toBe(2);
    expect(stderr).toBe('jobfake: --port must be a number from 0 to 65535, got "eighty"\n');
  });

  it('fails clearly when the port is busy', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const { code, stderr } = await runCli(['--port', String(port)]);
      expect(code).toBe(2);
      expect(stderr).toBe(`jobfake: port ${port} is already in use on 127.0.0.1 (pick another with --port, or --port 0 for a free one)\n`);
    } finally {
      blocker.close();
    }
  });

  it('fails clearly on an unreadable or invalid fixtures file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jobfake-cli-'));
    try {
      const missing = await runCli(['--port', '0', '--fixtures', join(dir, 'nope.yaml')]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/^jobfake: cannot read fixtures file .*nope\.yaml: ENOENT\n$/);
      const bad = join(dir, 'bad.yaml');
      writeFileSync(bad, 'scalingo:\n  apps:\n    - nom: x\n');
      const invalid = await runCli(['--port', '0', '--fixtures', bad]);
      expect(invalid.code).toBe(2);
      expect(invalid.stderr).toMatch(/^jobfake: .*bad\.yaml: unknown key "nom" at \/scalingo\/apps\/0\n$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lists every flag in --help, each option with its default', async () => {
    const { code, stdout } = await helpOnce();
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    for (const flag of ['--port', '--host', '--fixtures', '--public-url', '--cors-origin', '--log', '--quiet']) {
      expect(lines.find((line) => line.trimStart().startsWith(`${flag} `)), flag).toMatch(/\(default\b/);
    }
    for (const flag of ['-h, --help', '-v, --version']) expect(stdout).toContain(flag);
  });

  it('sets limits with --limit NAME=N (repeatable) and lists them with their defaults in --help', async () => {
    const { child, url, exited } = await startCli(['--port', '0', '--limit', 'headerBytes=1024', '--limit', 'bodyBytes=100']);
    const { port } = new URL(url);
    const reply = await new Promise<string>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(2000)}\r\n\r\n`));
      let data = '';
      socket.on('data', (d) => (data += d));
      socket.on('close', () => resolve(data));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 431 /);
    const big = await fetch(`${url}/contexts/etl`, { method: 'POST', body: 'x'.repeat(200) });
    expect(big.status).toBe(413);
    child.kill('SIGTERM');
    expect((await exited).code).toBe(0);
    const { stdout } = await helpOnce();
    expect(stdout).toMatch(/^ {2}headerBytes +16384 /m);
    expect(stdout).toMatch(/^ {2}finishedKept +500 /m);
  });

  it('fails on an unknown limit or a bad value, naming the known ones', async () => {
    const unknown = await runCli(['--port', '0', '--limit', 'bodyBites=1']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^jobfake: unknown limit "bodyBites" in --limit \(limits: bodyBytes, .*\)\n$/);
    const bad = await runCli(['--port', '0', '--limit', 'bodyBytes=lots']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('jobfake: --limit takes NAME=N (a whole number), got "bodyBytes=lots"\n');
  });

  it('allows only the --cors-origin origins (repeatable) to call the Scalingo API from a browser; a bad origin exits 2', async () => {
    const { child, url, exited } = await startCli(['--port', '0', '--cors-origin', 'http://127.0.0.1:3000', '--cors-origin', 'http://localhost:5173']);
    const preflight = (origin: string) => fetch(`${url}/v1/apps/my-app/run`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
    expect((await preflight('http://localhost:5173')).headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect((await preflight('http://127.0.0.1:4000')).headers.get('access-control-allow-origin')).toBeNull();
    child.kill('SIGTERM');
    expect((await exited).code).toBe(0);
    const bad = await runCli(['--port', '0', '--cors-origin', 'localhost:3000/app']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('jobfake: --cors-origin takes an origin like http://127.0.0.1:3000 (scheme, host, port), got "localhost:3000/app"\n');
  });

  it('binds to 127.0.0.1 by default and says nothing; bound to every interface, it warns loudly', async () => {
    const quiet = await startCli(['--port', '0']);
    expect(quiet.url).toMatch(/^http:\/\/127\.0\.0\.1:/);
    quiet.child.kill('SIGTERM');
    expect((await quiet.exited).stderr).toBe('');
    // Listens on every interface for a moment; the test only talks to it over loopback.
    const exposed = await startCli(['--port', '0', '--host', '0.0.0.0']);
    expect((await fetch(`${exposed.url}/healthz`)).status).toBe(200);
    exposed.child.kill('SIGTERM');
    const { stderr } = await exposed.exited;
    expect(stderr).toMatch(/^jobfake: WARNING: bound to 0\.0\.0\.0, so other machines can reach this fake: its control API .* needs no credentials \(guard it with --control-token\)/);
  });

  it('guards the control API with --control-token or JOBFAKE_CONTROL_TOKEN (the flag wins), and refuses an empty-looking token', async () => {
    const fromEnv = await startCli(['--port', '0', '--host', '0.0.0.0'], { env: { ...process.env, JOBFAKE_CONTROL_TOKEN: 'from-env' } });
    const clock = (token?: string) => fetch(`${fromEnv.url}/__jobfake/clock`, { headers: token ? { authorization: `Bearer ${token}` } : {} }).then((r) => r.status);
    expect([await clock(), await clock('other'), await clock('from-env')]).toEqual([401, 401, 200]);
    expect((await fetch(`${fromEnv.url}/healthz`)).status).toBe(200);
    fromEnv.child.kill('SIGTERM');
    expect((await fromEnv.exited).stderr).toMatch(/^jobfake: WARNING: bound to 0\.0\.0\.0, .*: its control API \(\/__jobfake\) needs the control token, /);

    const fromFlag = await startCli(['--port', '0', '--control-token', 'from-flag'], { env: { ...process.env, JOBFAKE_CONTROL_TOKEN: 'from-env' } });
    const status = (token: string) => fetch(`${fromFlag.url}/__jobfake/clock`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
    expect([await status('from-env'), await status('from-flag')]).toEqual([401, 200]);
    fromFlag.child.kill('SIGTERM');
    await fromFlag.exited;

    const blank = await runCli(['--port', '0', '--control-token', 'has space']);
    expect(blank).toMatchObject({ code: 2, stderr: 'jobfake: controlToken must be 1 to 512 characters, none of them white space\n' });
  });
});

