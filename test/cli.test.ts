import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startCli } from './helpers/cli.js';

describe('jobfake CLI', () => {
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
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    for (const flag of ['--port', '--host', '--fixtures', '--public-url', '--log', '--quiet']) {
      expect(lines.find((line) => line.trimStart().startsWith(`${flag} `)), flag).toMatch(/\(default\b/);
    }
    for (const flag of ['-h, --help', '-v, --version']) expect(stdout).toContain(flag);
  });
});
