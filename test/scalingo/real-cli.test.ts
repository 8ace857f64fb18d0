import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useFake } from '../helpers/fake.js';
import { freshNamespace } from '../helpers/scalingo.js';
import { worldOf } from '../helpers/internals.js';

/**
 * The real Scalingo CLI (github.com/Scalingo/cli) against jobfake, end to end: token exchange,
 * regions, run (and `run --type`), operation polling, upload, CONNECT, /wait, detached jobs and
 * their logs (`logs --filter`, `logs -f`). Optional: it runs only when a CLI binary is there, taken
 * from JOBFAKE_SCALINGO_CLI or else `scalingo` on PATH. Nothing here downloads or builds one.
 */
function findCli(): string | undefined {
  const given = process.env['JOBFAKE_SCALINGO_CLI'];
  if (given) return given;
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const candidate = join(dir || '.', 'scalingo');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}
const CLI = findCli();
const available = CLI !== undefined && existsSync(CLI);
if (!available) {
  console.info(
    `real-scalingo-cli.test.ts: skipped, ${CLI === undefined ? 'no `scalingo` on PATH and JOBFAKE_SCALINGO_CLI unset' : `no Scalingo CLI binary at ${CLI} (JOBFAKE_SCALINGO_CLI)`}. ` +
      'To run these tests, build the CLI (go build ./scalingo in a checkout of Scalingo/cli) ' +
      'and set JOBFAKE_SCALINGO_CLI=/path/to/scalingo, or put it on PATH.',
  );
}

/** The CLI's version, from `scalingo --version`; undefined when it cannot be read. */
function cliVersion(): number[] | undefined {
  if (!available) return undefined;
  const home = mkdtempSync(join(tmpdir(), 'jobfake-scalingo-home-'));
  try {
    const out = spawnSync(CLI!, ['--version'], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, DISABLE_UPDATE_CHECKER: 'true' },
      encoding: 'utf8',
      timeout: 10_000,
    });
    const m = /version (\d+)\.(\d+)\.(\d+)/.exec(out.stdout ?? '');
    return m ? m.slice(1).map(Number) : undefined;
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
const version = cliVersion();
/**
 * CLI 1.28.1 and later poll the run's operation and attach once it is done (and upload after
 * that); 1.28.0 and older attach at once with the run answer's attach_url.
 */
const pollsOperation = version === undefined || version[0]! > 1 || (version[0] === 1 && (version[1]! > 28 || (version[1] === 28 && version[2]! >= 1)));

/** Wall-clock bound on one CLI run; the CLI is killed past it and the test fails. */
const RUN_TIMEOUT_MS = 20_000;
/**
 * How long the tests keep stdin open after the echo came back. Every CLI version (1.28 to 1.48)
 * has a race in apps/run.go: after the first byte read from the attach stream a goroutine sends
 * SIGWINCH on a channel that Run closes once the stream ends; when the stream ends within about
 * 100 ms of that first read the CLI panics ("send on closed channel", exit code 2). jobfake's echo
 * ends the stream as soon as EOT arrives, so `echo hello | scalingo run bash` hits it about one
 * run in four. Holding stdin open a little keeps these tests deterministic.
 */
const LINGER_MS = 300;

interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  /** Written to the CLI's stdin (a pipe, never a TTY). */
  input?: string;
  /** Waits for this on stdout, then LINGER_MS, then closes stdin (or sends `then`). */
  waitFor?: string;
  /** What to do once waitFor was seen: end stdin (default) or send SIGINT to the CLI. */
  then?: 'end' | 'sigint';
}

describe.skipIf(!available)('the real Scalingo CLI against jobfake', () => {
  const ctx = useFake({
    fixtures: {
      scalingo: {
        apps: [{ name: 'my-app', containers: [{ name: 'web', command: 'bundle exec puma -C config/puma.rb', amount: 1 }] }],
        commands: [{ command: 'rake report', output: 'report for 3 accounts\nsent\n', exitCode: 0 }],
      },
    },
  });
  const homes: string[] = [];
  afterEach(() => {
    for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
  });

  /** Runs the CLI in a fresh HOME, pointed at one namespace of the fake; nothing from this process's env leaks in. */
  function scalingo(ns: string, args: string[], { input, waitFor, then = 'end' }: RunOptions = {}): Promise<CliRun> {
    const home = mkdtempSync(join(tmpdir(), 'jobfake-scalingo-home-'));
    homes.push(home);
    const child = spawn(CLI!, args, {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: home,
        SCALINGO_AUTH_URL: `${ctx.url}/ns/${ns}`,
        SCALINGO_API_TOKEN: 'tk-us-test',
        DISABLE_UPDATE_CHECKER: 'true',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return new Promise((resolve, reject) => {
      let stdout = '';
      let stderr = '';
      let finishing = false;
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the CLI did not finish in ${RUN_TIMEOUT_MS} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
      }, RUN_TIMEOUT_MS);
      const finish = () => {
        if (then === 'sigint') child.kill('SIGINT');
        else child.stdin.end();
      };
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk;
        if (waitFor !== undefined && !finishing && stdout.includes(waitFor)) {
          finishing = true;
          setTimeout(finish, LINGER_MS);
        }
      });
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
      child.stdin.on('error', () => {}); // the CLI may exit before reading all of it
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stdout, stderr });
      });
      if (input !== undefined) child.stdin.write(input);
      if (waitFor === undefined) child.stdin.end();
    });
  }

  /** The namespace's journal as "METHOD path" lines (CONNECT entries carry the /ns prefix, the others do not). */
  const calls = (ns: string) =>
    ctx.fake.namespace(ns).journal().map((e) => `${e.method} ${e.path.replace(`/ns/${ns}`, '')} ${e.status}`);

  /** Index of the first call matching re at or after from; -1 when none. */
  const indexFrom = (lines: string[], re: RegExp, from = 0) => {
    const i = lines.slice(from).findIndex((l) => re.test(l));
    return i < 0 ? -1 : i + from;
  };

  /** Asserts that the journal holds calls matching these patterns in this order (other calls may come between). */
  function expectInOrder(lines: string[], patterns: RegExp[]): number[] {
    const at: number[] = [];
    let from = 0;
    for (const re of patterns) {
      const i = indexFrom(lines, re, from);
      expect(i, `${re} after call #${from} in:\n${lines.join('\n')}`).toBeGreaterThanOrEqual(0);
      at.push(i);
      from = i + 1;
    }
    return at;
  }

  const explain = (run: CliRun) => `exit ${run.code} (${run.signal})\nstdout: ${run.stdout}\nstderr: ${run.stderr}`;

  it('`scalingo run bash` with "hello" on stdin: echoes it and exits 0, after exchange, regions, run, operation polls, CONNECT and /wait', { timeout: 30_000 }, async () => {
    const ns = freshNamespace('cli');
    const run = await scalingo(ns, ['--app', 'my-app', 'run', 'bash'], { input: 'hello\n', waitFor: 'hello\n' });
    expect(run.code, explain(run)).toBe(0);
    expect(run.stdout).toContain('hello\n');
    const lines = calls(ns);
    expectInOrder(lines, [/^POST \/v1\/tokens\/exchange 200$/, /^GET \/v1\/users\/self 200$/, /^GET \/v1\/regions 200$/]);
    const [runAt, connectAt] = expectInOrder(lines, [
      /^POST \/v1\/apps\/my-app\/run 200$/,
      /^CONNECT \/attach\/\w+ 200$/,
      /^GET \/attach\/\w+\/wait 200$/,
    ]);
    const polls = lines.map((l, i) => [l, i] as const).filter(([l]) => l.includes('/operations/'));
    if (pollsOperation) {
      expect(run.stderr).toContain('-----> Starting container one-off-');
      // At least one poll, all of them between the run and the attach, all for the same operation.
      expect(polls.length, lines.join('\n')).toBeGreaterThanOrEqual(1);
      expect(new Set(polls.map(([l]) => l)).size).toBe(1);
      expect(polls[0]![0]).toMatch(/^GET \/v1\/apps\/my-app\/operations\/\w+ 200$/);
      expect(polls[0]![1]).toBeGreaterThan(runAt!);
      expect(polls.at(-1)![1]).toBeLessThan(connectAt!);
    } else {
      expect(polls).toEqual([]);
    }

    // What the fake saw on the stream: the line, then EOT when stdin ended; and the run request.
    const sessions = [...worldOf(ctx.fake, ns).scalingo.sessions.values()];
    expect(sessions).toHaveLength(1);
    const session = sessions[0]!;
    expect(Buffer.concat(session.received).toString('latin1')).toBe('hello\n\x04');
    expect(session.outcome).toEqual({ exitCode: 0 });
    expect(session.container.command).toBe('bash');
    expect(session.container.env).toMatchObject({ CLIENT_OS: expect.any(String) });
    // The CLI carries the JWT as Basic auth on the attach URL.
    const connect = ctx.fake.namespace(ns).journal().find((e) => e.method === 'CONNECT')!;
    expect(connect.headers['authorization']).toMatch(/^Basic /);
  });

  it('`scalingo run --file f bash`: uploads the file (after the operation is done, for CLIs that poll) and before the CONNECT', { timeout: 30_000 }, async () => {
    const ns = freshNamespace('cli');
    const dir = mkdtempSync(join(tmpdir(), 'jobfake-upload-'));
    homes.push(dir);
    const file = join(dir, 'seed-data.txt');
    const content = 'line one\nline two: ünïcödé\n';
    writeFileSync(file, content);
    const run = await scalingo(ns, ['--app', 'my-app', 'run', '--file', file, 'bash'], { input: 'hello\n', waitFor: 'hello\n' });
    expect(run.code, explain(run)).toBe(0);
    expect(run.stdout).toContain('hello\n');
    expect(run.stderr).toContain(`Upload ${file} to container.`);

    const lines = calls(ns);
    const [runAt, uploadAt, connectAt] = expectInOrder(lines, [
      /^POST \/v1\/apps\/my-app\/run 200$/,
      /^POST \/attach\/\w+\/files 200$/,
      /^CONNECT \/attach\/\w+ 200$/,
      /^GET \/attach\/\w+\/wait 200$/,
    ]);
    expect(runAt).toBeLessThan(uploadAt!);
    if (pollsOperation) {
      const lastPoll = lines.findLastIndex((l) => l.includes('/operations/'));
      expect(lastPoll, lines.join('\n')).toBeGreaterThan(runAt!);
      expect(lastPoll).toBeLessThan(uploadAt!);
    }
    expect(uploadAt).toBeLessThan(connectAt!);
    expect(lines.filter((l) => l.includes('/files'))).toHaveLength(1);

    const session = [...worldOf(ctx.fake, ns).scalingo.sessions.values()][0]!;
    const uploads = [...session.uploads.values()];
    expect(uploads).toHaveLength(1);
    expect(uploads[0]!.name).toBe('seed-data.txt');
    expect(uploads[0]!.content.toString('utf8')).toBe(content);
    expect(uploads[0]!.size).toBe(Buffer.byteLength(content));
  });

  it('Ctrl-C (SIGINT to the CLI) sends 0x03 on the stream; the CLI exits with the code /wait gives (130)', { timeout: 30_000 }, async () => {
    const ns = freshNamespace('cli');
    const run = await scalingo(ns, ['--app', 'my-app', 'run', 'bash'], { input: 'sleep 100\n', waitFor: 'sleep 100\n', then: 'sigint' });
    expect(run.code, explain(run)).toBe(130);
    const session = [...worldOf(ctx.fake, ns).scalingo.sessions.values()][0]!;
    expect(Buffer.concat(session.received).toString('latin1')).toBe('sleep 100\n\x03');
    expect(session.outcome).toEqual({ exitCode: 130 });
    expectInOrder(calls(ns), [/^CONNECT \/attach\/\w+ 200$/, /^GET \/attach\/\w+\/wait 200$/]);
  });

  it('`run --detached`, `ps` and `one-off-stop`: no attach, the job is listed, then stopped (202)', { timeout: 30_000 }, async () => {
    const ns = freshNamespace('cli');
    const detached = await scalingo(ns, ['--app', 'my-app', 'run', '--detached', 'rake', 'jobs:work']);
    expect(detached.code, explain(detached)).toBe(0);
    const label = /--filter (one-off-\d+)/.exec(detached.stdout)?.[1];
    expect(label, detached.stdout).toBeDefined();
    expect(calls(ns).some((l) => l.startsWith('CONNECT') || l.includes('/operations/'))).toBe(false);

    const ps = await scalingo(ns, ['--app', 'my-app', 'ps']);
    expect(ps.code, explain(ps)).toBe(0);
    // Columns are ruled with | up to CLI 1.47, with box-drawing │ from 1.48 (tablewriter 1.x).
    expect(ps.stdout).toMatch(new RegExp(`${label}\\s*[|│]\\s*\\w+\\s*[|│]\\s*rake jobs:work\\s*[|│]`));

    const stop = await scalingo(ns, ['--app', 'my-app', 'one-off-stop', label!.replace('one-off-', '')]);
    expect(stop.code, explain(stop)).toBe(0);
    expect(stop.stdout).toContain('is being asynchronously stopped');
    expectInOrder(calls(ns), [
      /^POST \/v1\/apps\/my-app\/run 200$/,
      /^GET \/v1\/apps\/my-app\/ps 200$/,
      /^GET \/v1\/apps\/my-app\/ps 200$/,
      /^POST \/v1\/apps\/my-app\/containers\/\w+\/stop 202$/,
    ]);
  });

  it("`run --type web` runs the web type's command from the formation; an unknown type is refused by the CLI", { timeout: 30_000 }, async () => {
    const ns = freshNamespace('cli');
    const run = await scalingo(ns, ['--app', 'my-app', 'run', '--type', 'web'], { input: 'hello\n', waitFor: 'hello\n' });
    expect(run.code, explain(run)).toBe(0);
    expect(run.stdout).toContain('hello\n');
    expectInOrder(calls(ns), [/^GET \/v1\/apps\/my-app\/containers 200$/, /^POST \/v1\/apps\/my-app\/run 200$/, /^CONNECT \/attach\/\w+ 200$/]);
    const session = [...worldOf(ctx.fake, ns).scalingo.sessions.values()][0]!;
    expect(session.container.command).toBe('bundle exec puma -C config/puma.rb');

    const unknown = await scalingo(ns, ['--app', 'my-app', 'run', '--type', 'clock']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stdout + unknown.stderr).toMatch(/no such type/);
  });

  it('`run --detached` then `logs --filter one-off-N`: the job\'s output, between the platform\'s lines', { timeout: 30_000 }, async () => {
    const ns = freshNamespace('cli');
    // This namespace's detached jobs run 300 ms (not the 5 s default) once their operation is done.
    worldOf(ctx.fake, ns).scalingo.detachedMs = 300;
    const detached = await scalingo(ns, ['--app', 'my-app', 'run', '--detached', 'rake', 'report']);
    expect(detached.code, explain(detached)).toBe(0);
    const label = /--filter (one-off-\d+)/.exec(detached.stdout)![1]!;
    await until(() => ctx.fake.namespace(ns).scalingo.containers().every((c) => c.state === 'stopped'));
    const logs = await scalingo(ns, ['--app', 'my-app', 'logs', '--filter', label, '--lines', '10']);
    expect(logs.code, explain(logs)).toBe(0);
    // The log lines, without their times (a fresh HOME also gets the CLI's greeting first).
    const stamp = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \+0000 UTC /;
    const lines = logs.stdout.split('\n').filter((l) => stamp.test(l)).map((l) => l.replace(stamp, ''));
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^\\[manager\\] container \\[${label}\\] \\(\\w+\\) started with the command 'rake report'$`)),
      `[${label}] report for 3 accounts`,
      `[${label}] sent`,
      expect.stringMatching(new RegExp(`^\\[manager\\] container \\[${label}\\] \\(\\w+\\) stopped with exit code 0$`)),
    ]);
    expectInOrder(calls(ns), [/^GET \/v1\/apps\/my-app\/logs 200$/, /^GET \/logs\/my-app 200$/]);
  });

  it('`logs -f --filter one-off-N` streams the lines of a job started after it, until Ctrl-C', { timeout: 30_000 }, async () => {
    const ns = freshNamespace('cli');
    worldOf(ctx.fake, ns).scalingo.detachedMs = 300;
    const following = scalingo(ns, ['--app', 'my-app', 'logs', '-f', '--filter', 'one-off-1'], { waitFor: 'stopped with exit code', then: 'sigint' });
    // Once the CLI's WebSocket is open (the journal has its 101), start the job.
    await until(() => calls(ns).some((l) => l === 'GET /logs/my-app 101'));
    const detached = await scalingo(ns, ['--app', 'my-app', 'run', '--detached', 'rake', 'report']);
    expect(detached.stdout).toContain('--filter one-off-1');
    const follow = await following;
    expect(follow.stderr + follow.stdout).not.toMatch(/panic|An error occurred/);
    expect(follow.stdout).toMatch(/\[one-off-1\] report for 3 accounts\n.*\[one-off-1\] sent\n.*stopped with exit code 0/s);
    expectInOrder(calls(ns), [/^GET \/v1\/apps\/my-app\/logs 200$/, /^GET \/logs\/my-app 204$/, /^GET \/logs\/my-app 101$/]);
  });
});

/** Polls `done` every 20 ms, for at most 10 s. */
async function until(done: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 10_000; !done(); ) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
