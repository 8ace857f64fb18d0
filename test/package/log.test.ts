import { afterEach, describe, expect, it, vi } from 'vitest';
import { startFake, type LogEntry } from '../../src/index.js';
import { formatText, logAttach } from '../../src/log.js';
import { runCli, startCli } from '../helpers/cli.js';

const SECRET = 'tk-us-very-secret-token';

/** Starts the CLI, sends three requests (one with credentials, one to no route), stops it, returns its lines. */
async function linesAfterTraffic(args: string[]): Promise<string[]> {
  const { child, url, exited } = await startCli(['--port', '0', ...args]);
  expect((await fetch(`${url}/healthz`)).status).toBe(200);
  expect((await fetch(`${url}/ns/team-a/healthz`, { headers: { authorization: `Bearer ${SECRET}` } })).status).toBe(200);
  expect((await fetch(`${url}/no/such/route?token=${SECRET}`)).status).toBe(404);
  child.kill('SIGTERM');
  const { code, stdout } = await exited;
  expect(code).toBe(0);
  expect(stdout).not.toContain(SECRET);
  return stdout.split('\n').slice(0, -1);
}

describe('the request log of the CLI', () => {
  it('prints one readable line per request by default: time, method, path, status, duration, namespace', async () => {
    const [first, ...lines] = await linesAfterTraffic([]);
    expect(first).toMatch(/^jobfake listening on http:\/\/127\.0\.0\.1:\d+ \(fixtures: .*default\.yaml\)$/);
    const time = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`;
    const ms = String.raw`\d+(\.\d)?ms`;
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(new RegExp(`^${time} GET /healthz 200 ${ms} ns=default$`));
    expect(lines[1]).toMatch(new RegExp(`^${time} GET /ns/team-a/healthz 200 ${ms} ns=team-a$`));
    expect(lines[2]).toMatch(new RegExp(`^${time} GET /no/such/route 404 ${ms} ns=default$`));
  });

  it('prints one JSON object per line with --log json, after the plain first line', async () => {
    const [first, ...lines] = await linesAfterTraffic(['--log', 'json']);
    expect(first).toMatch(/^jobfake listening on http:\/\//);
    const entries = lines.map((line) => JSON.parse(line));
    expect(entries.map(({ method, path, status, namespace }) => ({ method, path, status, namespace }))).toEqual([
      { method: 'GET', path: '/healthz', status: 200, namespace: 'default' },
      { method: 'GET', path: '/ns/team-a/healthz', status: 200, namespace: 'team-a' },
      { method: 'GET', path: '/no/such/route', status: 404, namespace: 'default' },
    ]);
    for (const entry of entries) {
      expect(Object.keys(entry).sort()).toEqual(['durationMs', 'method', 'namespace', 'path', 'status', 'time', 'type']);
      expect(entry.type).toBe('request');
      expect(entry.durationMs).toBeGreaterThanOrEqual(0);
      expect(new Date(entry.time).toISOString()).toBe(entry.time);
    }
  });

  it('prints nothing but the first line with --quiet', async () => {
    const lines = await linesAfterTraffic(['--quiet']);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^jobfake listening on http:\/\//);
  });

  it('keeps serving when whoever reads its output closes it, as `jobfake | head -1` does', async () => {
    const { child, url, exited } = await startCli(['--port', '0']);
    child.stdout!.destroy();
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toMatchObject({ code: 0, stderr: '' });
  });

  it('refuses an unknown log format', async () => {
    const { code, stderr } = await runCli(['--log', 'yaml']);
    expect(code).toBe(2);
    expect(stderr).toBe('jobfake: --log must be text or json, got "yaml"\n');
  });
});

describe('the log option of startFake', () => {
  afterEach(() => vi.restoreAllMocks());

  it('is silent by default, so test runs stay quiet', async () => {
    const write = vi.spyOn(process.stdout, 'write');
    const fake = await startFake({ port: 0 });
    try {
      expect((await fetch(`${fake.url}/healthz`)).status).toBe(200);
    } finally {
      await fake.close();
    }
    expect(write.mock.calls.flat().join('')).not.toContain('/healthz');
  });

  it('hands each entry to a function, the encoded path kept on one line', async () => {
    const entries: LogEntry[] = [];
    const fake = await startFake({ port: 0, log: (entry) => entries.push(entry), limits: { namespaces: 1 } });
    try {
      await fetch(`${fake.url}/healthz%0Aforged%20line`);
      // A namespace over the limit is refused, and the refusal is logged too.
      await fetch(`${fake.url}/ns/second/healthz`);
    } finally {
      await fake.close();
    }
    expect(entries.map((e) => e.type === 'request' && [e.path, e.status, e.namespace])).toEqual([
      ['/healthz%0Aforged%20line', 404, 'default'],
      ['/ns/second/healthz', 503, 'second'],
    ]);
    expect(formatText(entries[0]!)).not.toContain('\n');
  });

  it('refuses an unknown format', async () => {
    await expect(startFake({ port: 0, log: 'verbose' as never })).rejects.toThrow('log format must be one of text, json, silent, got "verbose"');
  });
});

describe('the attach session log', () => {
  it('logs the start, then the end once with the bytes each way and the exit code', () => {
    const entries: LogEntry[] = [];
    const session = logAttach((entry) => entries.push(entry), { namespace: 'default', path: '/attach/op-1' });
    expect(entries.map((e) => e.type)).toEqual(['attach-start']);
    session.fromClient(5);
    session.fromClient(7);
    session.toClient(300);
    session.end(3);
    session.end(0);
    expect(entries).toHaveLength(2);
    expect(entries[1]).toMatchObject({ type: 'attach-end', path: '/attach/op-1', namespace: 'default', bytesIn: 12, bytesOut: 300, exitCode: 3 });
    expect(formatText(entries[0]!)).toMatch(/^\S+ CONNECT \/attach\/op-1 attached ns=default$/);
    expect(formatText(entries[1]!)).toMatch(/^\S+ CONNECT \/attach\/op-1 detached exit=3 in=12B out=300B \d+(\.\d)?ms ns=default$/);
  });

  it('says when a session ended without an exit code', () => {
    const entries: LogEntry[] = [];
    logAttach((entry) => entries.push(entry), { namespace: 'ns1', path: '/attach/op-2' }).end(null);
    expect(formatText(entries[1]!)).toContain('detached exit=none in=0B out=0B');
  });
});
