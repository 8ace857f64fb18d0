/**
 * A soak workload on loopback: workers that each loop over what clients do, until a deadline or
 * an iteration cap, whichever comes first. Scalingo: exchange, run, poll the operation, upload,
 * attach (echo), /wait; detached runs stopped. Spark Jobserver: binary upload, async jobs polled to
 * the end, sync jobs. Every answer is checked; anything unexpected is collected as an error.
 */
import type { Fake } from '../../src/index.js';
import { makeZip } from '../../src/sparkjobserver/zip.js';
import { basic, openTunnel } from '../../scripts/scalingo-client.js';

export interface SoakOptions {
  workers: number;
  durationMs: number;
  /** Iterations per worker at most (bounds the run however fast the machine is). */
  maxIterations: number;
}

export interface SoakReport {
  iterations: number;
  requests: number;
  attaches: number;
  uploads: number;
  jobs: number;
  errors: string[];
  /** Milliseconds: median and 99th percentile of request latencies. */
  p50: number;
  p99: number;
  elapsedMs: number;
}

export async function soak(fake: Fake, options: SoakOptions): Promise<SoakReport> {
  const latencies: number[] = [];
  const errors: string[] = [];
  const counts = { iterations: 0, requests: 0, attaches: 0, uploads: 0, jobs: 0 };
  const started = performance.now();
  const deadline = started + options.durationMs;

  async function call(url: string, init: RequestInit = {}, expected: number[] = [200]): Promise<any> {
    const t0 = performance.now();
    const res = await fetch(url, init);
    const text = await res.text();
    latencies.push(performance.now() - t0);
    counts.requests++;
    if (!expected.includes(res.status)) {
      errors.push(`${init.method ?? 'GET'} ${new URL(url).pathname} → ${res.status} ${text.slice(0, 200)}`);
      return undefined;
    }
    return text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
  }

  /** CONNECT, send a line and EOT, read the echo until the server closes (at most 5 s). */
  async function attach(attachUrl: string, line: string): Promise<string> {
    const tunnel = await openTunnel(attachUrl, { sameWrite: `${line}\x04`, timeoutMs: 5000 });
    const timer = setTimeout(() => tunnel.socket.destroy(), 5000);
    timer.unref();
    const rest = await tunnel.rest;
    clearTimeout(timer);
    return tunnel.head + rest.toString('latin1');
  }

  async function scalingo(base: string, worker: number, i: number) {
    const { token } = (await call(`${base}/v1/tokens/exchange`, { method: 'POST', headers: { authorization: basic(`tk-soak-${worker}`) } })) ?? {};
    if (!token) return;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    if (i % 5 === 4) {
      const run = await call(`${base}/v1/apps/my-app/run`, { method: 'POST', headers, body: JSON.stringify({ command: 'worker', detached: true }) });
      if (run) await call(`${base}/v1/apps/my-app/containers/${run.container.id}/stop`, { method: 'POST', headers }, [202, 404]);
      return;
    }
    const run = await call(`${base}/v1/apps/my-app/run`, { method: 'POST', headers, body: JSON.stringify({ command: 'bash', size: 'S' }) });
    if (!run) return;
    let operation;
    for (let poll = 0; poll < 200; poll++) {
      operation = (await call(run.operation_url, { headers }))?.operation;
      if (!operation || operation.status === 'done' || operation.status === 'error') break;
      await new Promise((r) => setTimeout(r, 5));
    }
    if (operation?.status !== 'done') return void errors.push(`operation not done: ${JSON.stringify(operation)}`);
    const form = new FormData();
    form.append('file', new Blob([`data ${worker} ${i}\n`.repeat(64)]), `dump-${i}.sql`);
    if ((await call(`${run.attach_url}/files`, { method: 'POST', body: form }, [200])) !== undefined) counts.uploads++;
    const line = `hello ${worker} ${i}\n`;
    const echoed = await attach(run.attach_url, line).catch((err: Error) => `error: ${err.message}`);
    if (!echoed.startsWith('HTTP/1.1 200 OK\r\n\r\n') || !echoed.endsWith(line)) errors.push(`attach echoed ${JSON.stringify(echoed.slice(0, 100))}`);
    else counts.attaches++;
    const waited = await call(`${run.attach_url}/wait`);
    if (waited && waited.exit_code !== 0) errors.push(`wait: ${JSON.stringify(waited)}`);
  }

  async function spark(base: string, worker: number, i: number) {
    if (i % 4 === 0) await call(`${base}/binaries/soak-${worker}`, { method: 'POST', headers: { 'content-type': 'application/java-archive' }, body: makeZip(['META-INF/MANIFEST.MF']) }, [200, 201]);
    const query = `appName=soak-${worker}&classPath=spark.jobserver.WordCountExample`;
    if (i % 3 === 2) {
      const sync = await call(`${base}/jobs?${query}&sync=true&timeout=30`, { method: 'POST', body: 'input.string = a b a' });
      if (sync && sync.result?.a !== 2) errors.push(`sync job: ${JSON.stringify(sync)}`);
      counts.jobs++;
      return;
    }
    const started = await call(`${base}/jobs?${query}`, { method: 'POST', body: `input.string = w${worker} i${i}` }, [202]);
    if (!started) return;
    for (let poll = 0; poll < 200; poll++) {
      const job = await call(`${base}/jobs/${started.jobId}`);
      if (!job || job.status === 'FINISHED' || job.status === 'ERROR') break;
      await new Promise((r) => setTimeout(r, 5));
    }
    counts.jobs++;
  }

  async function worker(index: number) {
    // Four namespaces shared by the workers, and the default one.
    const base = index % 5 === 0 ? fake.url : `${fake.url}/ns/soak-${index % 4}`;
    for (let i = 0; i < options.maxIterations && performance.now() < deadline; i++) {
      await scalingo(base, index, i).catch((err: Error) => errors.push(`scalingo: ${err.message}`));
      await spark(base, index, i).catch((err: Error) => errors.push(`spark: ${err.message}`));
      await call(`${base}/healthz`).catch((err: Error) => errors.push(`healthz: ${err.message}`));
      counts.iterations++;
    }
  }

  await Promise.all(Array.from({ length: options.workers }, (_, i) => worker(i)));
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round((latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] ?? 0) * 10) / 10;
  return { ...counts, errors, p50: at(0.5), p99: at(0.99), elapsedMs: Math.round(performance.now() - started) };
}

/** Fixtures for a soak: operations and jobs take milliseconds, so each loop is quick. */
export const soakFixtures = {
  scalingo: { apps: [{ name: 'my-app' }], schedule: { pending: 5, running: 5 }, detachedDuration: 50 },
  sparkJobserver: { schedule: { started: 0, running: 10, contextStop: 0 }, maxJobsPerContext: 64 },
};
