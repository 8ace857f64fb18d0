/** What the benchmarks share: child servers, /proc readings, autocannon, CONNECT tunnels, statistics. */
import autocannon from 'autocannon';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = process.cwd();
/** Where the compiled bench/ lives (servers/ is beside this file). */
export const here = dirname(fileURLToPath(import.meta.url));

/** The Scalingo client flow shared with the tests and the tour, loaded from the package root (bench/ runs compiled elsewhere). */
export const client = (await import(pathToFileURL(join(root, 'scripts/scalingo-client.js')).href)) as typeof import('../scripts/scalingo-client.js');

export interface Child {
  proc: ChildProcess;
  pid: number;
  port: number;
  url: string;
  /** Sends a message and resolves with the next one. */
  ask(message: object): Promise<any>;
  stop(): Promise<void>;
}

/** Forks one of bench/servers/*, waits for its port. */
export async function startChild(name: 'fake' | 'bare' | 'hono' | 'echo', args: string[] = [], env: Record<string, string> = {}): Promise<Child> {
  const proc = fork(join(here, 'servers', `${name}.js`), args, {
    cwd: root,
    env: { ...process.env, ...env },
    execArgv: name === 'fake' ? ['--expose-gc'] : [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    proc.once('message', (m: { port: number }) => resolve(m.port));
    proc.once('exit', (code) => reject(new Error(`${name} server exited with ${code} before listening`)));
  });
  return {
    proc,
    pid: proc.pid!,
    port,
    url: `http://127.0.0.1:${port}`,
    ask: (message) =>
      new Promise((resolve) => {
        proc.once('message', resolve);
        proc.send(message);
      }),
    stop: () => stopProcess(proc, () => proc.disconnect()),
  };
}

/** Ends a child we started (by its own handle) and waits for it to exit. */
export function stopProcess(proc: ChildProcess, politely: () => void = () => proc.kill('SIGTERM')): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => proc.kill('SIGKILL'), 3000);
    proc.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    politely();
  });
}

/** CPU seconds (user + system, all threads) a process has used so far, from /proc. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the line, 12 and 13 after "(comm) ".
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Minor page faults a process has taken so far, from /proc. */
export function minorFaults(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7]);
}

/** Resident memory now and its peak since start (or since resetPeak), in bytes, from /proc. */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

/** Makes VmHWM (peak resident memory) start again from the current RSS. */
export function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

export interface LoadResult {
  rps: number;
  p99: number;
  requests: number;
  errors: number;
  non2xx: number;
  /** Server CPU microseconds per request (from /proc), when the server's pid is known. */
  cpuUsPerRequest?: number;
  /** Share of one core the server used while loaded. */
  serverCpu?: number;
}

/** One autocannon run against 127.0.0.1 (bounded by `duration` seconds), with the server's CPU. */
export async function load(options: autocannon.Options, serverPid?: number): Promise<LoadResult> {
  if (!/^http:\/\/127\.0\.0\.1:/.test(options.url)) throw new Error(`load tests stay on 127.0.0.1, not ${options.url}`);
  const cpuBefore = serverPid ? cpuSeconds(serverPid) : 0;
  const started = performance.now();
  const result = await autocannon({ connections: 10, ...options });
  const seconds = (performance.now() - started) / 1000;
  const cpu = serverPid ? cpuSeconds(serverPid) - cpuBefore : 0;
  const requests = result.requests.total;
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    requests,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    ...(serverPid && requests > 0 && { cpuUsPerRequest: (cpu * 1e6) / requests, serverCpu: cpu / seconds }),
  };
}

/** A free port on 127.0.0.1 (for servers that cannot report the one they picked). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** fetch + JSON, failing on an unexpected status. */
export async function json(url: string, init: RequestInit = {}, expect = [200]): Promise<{ body: any; headers: Headers }> {
  const res = await fetch(url, init);
  const text = await res.text();
  if (!expect.includes(res.status)) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${text}`);
  return { body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text, headers: res.headers };
}

/** The Scalingo steps before polling: a token, then a one-off run. */
export async function scalingoRun(base: string): Promise<{ token: string; operationUrl: string; attachUrl: string; operationId: string }> {
  const token = await client.exchangeToken(base, 'tk-us-bench');
  const { operationUrl, attachUrl } = await client.runOneOff(base, token);
  return { token, operationUrl, attachUrl: attachUrl!, operationId: operationUrl.split('/').pop()! };
}

/** Opens a CONNECT tunnel on an attach URL and resolves once the 200 head has been read. */
export function openTunnel(attachUrl: string): Promise<Socket> {
  const url = new URL(attachUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    socket.once('connect', () => socket.write(`CONNECT ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`));
    socket.once('error', reject);
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      if (!head.startsWith('HTTP/1.1 200')) return reject(new Error(`CONNECT refused: ${head.split('\r\n')[0]}`));
      if (end + 4 < head.length) return reject(new Error('stream bytes arrived with the head'));
      resolve(socket);
    };
    socket.on('data', onData);
  });
}

/** A plain TCP connection (the raw echo baseline). */
export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/**
 * Streams `total` bytes into a socket that echoes them and resolves with MB/s (10^6 bytes, the
 * bytes sent one way) once every byte came back. The data holds no control byte (0x03, 0x04, 0x1c).
 */
export function echoThroughput(socket: Socket, total: number, chunkSize = 64 * 1024): Promise<number> {
  const chunk = Buffer.alloc(chunkSize);
  for (let i = 0; i < chunk.length; i++) chunk[i] = 0x61 + (i % 26);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let received = 0;
    const started = performance.now();
    socket.on('data', (data: Buffer) => {
      received += data.length;
      if (received >= total) {
        socket.removeAllListeners('data');
        resolve(total / 1e6 / ((performance.now() - started) / 1000));
      }
    });
    socket.once('error', reject);
    socket.once('close', () => received < total && reject(new Error(`closed after ${received} of ${total} bytes`)));
    const pump = () => {
      while (sent < total) {
        const piece = total - sent >= chunk.length ? chunk : chunk.subarray(0, total - sent);
        sent += piece.length;
        if (!socket.write(piece)) return void socket.once('drain', pump);
      }
    };
    pump();
  });
}

/** Sends EOT on an attach tunnel and waits for the server's FIN, then closes our side. */
export function endTunnel(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    socket.resume();
    socket.once('end', () => {
      socket.end();
    });
    socket.once('close', () => resolve());
    socket.write(Buffer.from([0x04]));
  });
}

/** Spawns a command and resolves with the child (its stdout piped) and the time it was spawned. */
export function spawnTimed(command: string, args: string[], output: 'pipe' | 'ignore' = 'pipe'): { proc: ChildProcess; spawnedAt: number } {
  const spawnedAt = performance.now();
  const proc = spawn(command, args, { cwd: root, stdio: ['ignore', output, 'inherit'] });
  return { proc, spawnedAt };
}

/** Tries GET url until it answers 200 (connection refused meanwhile), within `timeoutMs`. */
export async function firstAnswer(url: string, timeoutMs = 20_000, init: RequestInit = {}): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, init);
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) throw new Error(`${url} never answered 200 within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Resolves with the first stdout line matching `pattern`. */
export function lineMatching(proc: ChildProcess, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const found = pattern.exec(text);
      if (found) {
        proc.stdout!.off('data', onData);
        resolve(found);
      }
    };
    proc.stdout!.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`exited with ${code} before printing ${pattern}: ${text}`)));
  });
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** (max − min) / median of repeated runs: how much this machine moved the figure. */
export const spread = (values: number[]): number => (values.length < 2 ? 0 : (Math.max(...values) - Math.min(...values)) / median(values));

export const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;

/** Runs `tasks` with at most `concurrency` at once. */
export async function pool<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Mockoon's CLI, the mock server users pick instead of Prism, pinned. It is not a devDependency
 * (about 250 packages and 110 MB that `npm ci` would install for every test run): the bench
 * installs it once into node_modules/.cache/jobfake-bench/mockoon with npm, and reuses it.
 */
export const MOCKOON_VERSION = '9.9.0';
const mockoonDir = join(root, 'node_modules/.cache/jobfake-bench/mockoon');

/** The path of mockoon-cli's entry script, installed on first use; or why it is not there. */
export async function mockoonCli(): Promise<{ script: string } | { missing: string }> {
  const pkgDir = join(mockoonDir, 'node_modules/@mockoon/cli');
  const installed = () => {
    try {
      const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string> };
      return pkg.version === MOCKOON_VERSION ? join(pkgDir, pkg.bin['mockoon-cli']!) : undefined;
    } catch {
      return undefined;
    }
  };
  let script = installed();
  if (!script) {
    process.stderr.write(`  installing @mockoon/cli@${MOCKOON_VERSION} into ${mockoonDir} (once, about a minute)\n`);
    mkdirSync(mockoonDir, { recursive: true });
    const npm = spawn('npm', ['install', '--prefix', mockoonDir, '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', `@mockoon/cli@${MOCKOON_VERSION}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    npm.stderr!.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => {
      npm.once('error', () => resolve(-1));
      npm.once('close', resolve);
    });
    script = installed();
    if (!script) return { missing: `npm install @mockoon/cli@${MOCKOON_VERSION} failed (${code}): ${stderr.trim().split('\n').pop() ?? ''}` };
  }
  return { script };
}

/**
 * A Mockoon data file (an environment, in Mockoon's own format) with one route, GET `endpoint`,
 * answering `body` as application/json with templating off: the same answer jobfake gives.
 */
export function mockoonDataFile(name: string, endpoint: string, body: string): string {
  const id = (n: number) => `6b2f4f1e-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const environment = {
    uuid: id(1),
    lastMigration: 33,
    name: 'jobfake bench',
    endpointPrefix: '',
    latency: 0,
    port: 3000,
    hostname: '127.0.0.1',
    folders: [],
    routes: [
      {
        uuid: id(2),
        type: 'http',
        documentation: '',
        method: 'get',
        endpoint: endpoint.replace(/^\//, ''),
        responses: [
          {
            uuid: id(3),
            body,
            latency: 0,
            statusCode: 200,
            label: '',
            headers: [{ key: 'Content-Type', value: 'application/json' }],
            bodyType: 'INLINE',
            filePath: '',
            databucketID: '',
            sendFileAsBody: false,
            rules: [],
            rulesOperator: 'OR',
            disableTemplating: true,
            fallbackTo404: false,
            default: true,
            crudKey: 'id',
            callbacks: [],
          },
        ],
        responseMode: null,
        streamingMode: null,
        streamingInterval: 0,
      },
    ],
    rootChildren: [{ type: 'route', uuid: id(2) }],
    proxyMode: false,
    proxyHost: '',
    proxyRemovePrefix: false,
    tlsOptions: { enabled: false, type: 'CERT', pfxPath: '', certPath: '', keyPath: '', caPath: '', passphrase: '' },
    cors: false,
    headers: [],
    proxyReqHeaders: [],
    proxyResHeaders: [],
    data: [],
    callbacks: [],
  };
  const file = join(mockoonDir, `${name}.json`);
  mkdirSync(mockoonDir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(environment, null, 2)}\n`);
  return file;
}

/** Spawns `mockoon-cli start` on a data file, logging to stdout only (ignored). */
export function spawnMockoon(script: string, dataFile: string, port: number): { proc: ChildProcess; spawnedAt: number } {
  return spawnTimed(process.execPath, [script, 'start', '--data', dataFile, '--port', String(port), '--hostname', '127.0.0.1', '--disable-log-to-file'], 'ignore');
}
