/**
 * `npm run bench`: how fast and how light jobfake is, against baselines measured side by side in
 * the same run. Every server runs in its own process; this process is the load generator
 * (autocannon) and the clients. Everything stays on 127.0.0.1 and every loop is bounded.
 *
 * BENCH_ONLY=firstcall,polling,spark,echo,sessions,upload,coldstart runs a subset; BENCH_SESSIONS=N
 * changes the concurrent-session count (default 10,000).
 */
import type autocannon from 'autocannon';
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import {
  client,
  cpuSeconds,
  endTunnel,
  firstAnswer,
  freePort,
  json,
  lineMatching,
  load,
  median,
  mockoonCli,
  mockoonDataFile,
  memoryOf,
  minorFaults,
  openTunnel,
  pool,
  resetPeak,
  here,
  root,
  round,
  scalingoRun,
  sleep,
  spawnMockoon,
  spawnTimed,
  spread,
  startChild,
  stopProcess,
  type Child,
  type LoadResult,
} from './lib.js';

const only = process.env['BENCH_ONLY']?.split(',');
const wanted = (name: string) => !only || only.includes(name);
const SESSIONS = Number(process.env['BENCH_SESSIONS'] ?? 10_000);
const MiB = 1024 * 1024;
const prismBin = join(root, 'node_modules/.bin/prism');

interface Row {
  measure: string;
  jobfake: string;
  baseline: string;
  ratio: string;
  target: string;
  met?: boolean;
}
const rows: Row[] = [];
const results: Record<string, unknown> = {};
const log = (line: string) => process.stderr.write(`  ${line}\n`);

async function advanceToDone(base: string, operationId: string): Promise<void> {
  await json(`${base}/__jobfake/scalingo/operations/${operationId}/advance`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"to":"done"}',
  });
}

const summary = (runs: LoadResult[]) => ({
  rps: median(runs.map((r) => r.rps)),
  p99: median(runs.map((r) => r.p99)),
  cpuUsPerRequest: runs[0]?.cpuUsPerRequest === undefined ? undefined : median(runs.map((r) => r.cpuUsPerRequest!)),
  serverCpu: runs[0]?.serverCpu === undefined ? undefined : median(runs.map((r) => r.serverCpu!)),
  spread: spread(runs.map((r) => r.rps)),
  errors: runs.reduce((n, r) => n + r.errors + r.non2xx, 0),
  runs,
});

/**
 * GET /v1/apps/{app}/operations/{id}: jobfake vs bare node:http vs the smallest Hono app on
 * @hono/node-server (the stack's floor) vs the two mock servers users pick instead, prism mock (on
 * openapi.yaml) and Mockoon's CLI (a data file answering the same JSON), in alternating rounds.
 */
async function polling(): Promise<void> {
  const fake = await startChild('fake');
  const run = await scalingoRun(fake.url);
  await advanceToDone(fake.url, run.operationId);
  const headers = { authorization: `Bearer ${run.token}`, accept: 'application/json' };
  const answer = await fetch(run.operationUrl, { headers });
  const body = await answer.text();
  const bare = await startChild('bare', [body]);
  const hono = await startChild('hono', [body]);
  const honoJournal = await startChild('hono', [body, '--journal']);
  const prismPort = await freePort();
  const prism = spawnTimed(prismBin, ['mock', 'openapi.yaml', '-h', '127.0.0.1', '-p', String(prismPort)], 'ignore').proc;
  const path = new URL(run.operationUrl).pathname;
  const mockoon = await mockoonCli();
  const mockoonPort = await freePort();
  const mockoonProc = 'script' in mockoon ? spawnMockoon(mockoon.script, mockoonDataFile('polling', '/v1/apps/:app/operations/:id', body), mockoonPort).proc : undefined;
  try {
    await firstAnswer(`http://127.0.0.1:${prismPort}${path}`, 30_000, { headers });
    if (mockoonProc) await firstAnswer(`http://127.0.0.1:${mockoonPort}${path}`, 30_000, { headers });
    const subjects: Record<string, { url: string; pid: number; rounds: number }> = {
      jobfake: { url: `${fake.url}${path}`, pid: fake.pid, rounds: 5 },
      bare: { url: `${bare.url}${path}`, pid: bare.pid, rounds: 5 },
      hono: { url: `${hono.url}${path}`, pid: hono.pid, rounds: 5 },
      honoJournal: { url: `${honoJournal.url}${path}`, pid: honoJournal.pid, rounds: 5 },
      prism: { url: `http://127.0.0.1:${prismPort}${path}`, pid: prism.pid!, rounds: 2 },
    };
    if (mockoonProc) subjects['mockoon'] = { url: `http://127.0.0.1:${mockoonPort}${path}`, pid: mockoonProc.pid!, rounds: 3 };
    const runs: Record<string, LoadResult[]> = Object.fromEntries(Object.keys(subjects).map((name) => [name, []]));
    for (const s of Object.values(subjects)) await load({ url: s.url, headers, duration: 1 });
    for (let round = 0; round < 5; round++) {
      for (const [name, s] of Object.entries(subjects)) {
        if (round < s.rounds) runs[name]!.push(await load({ url: s.url, headers, duration: 2 }, s.pid));
      }
    }
    const all = Object.fromEntries(Object.entries(runs).map(([name, r]) => [name, summary(r)]));
    const [j, b, h, hj, p, m] = [all['jobfake']!, all['bare']!, all['hono']!, all['honoJournal']!, all['prism']!, all['mockoon']];
    results['polling'] = { ...all, connections: 10, responseBytes: body.length, ...(!mockoonProc && { mockoonMissing: (mockoon as { missing: string }).missing }) };
    // Ratios of medians, and the median of each round's own ratio (the two ran seconds apart).
    const perRound = median(runs['jobfake']!.map((r, i) => r.rps / runs['hono']![i]!.rps));
    const vsHono = j.rps / h.rps;
    const cpuVsHono = j.cpuUsPerRequest! / h.cpuUsPerRequest!;
    results['pollingRatios'] = {
      jobfakeOverHono: vsHono,
      jobfakeOverHonoPerRound: perRound,
      cpuJobfakeOverHono: cpuVsHono,
      cpuHonoJournalOverHono: hj.cpuUsPerRequest! / h.cpuUsPerRequest!,
      jobfakeOverBare: j.rps / b.rps,
      honoOverBare: h.rps / b.rps,
      jobfakeOverPrism: j.rps / p.rps,
      ...(m && { jobfakeOverMockoon: j.rps / m.rps }),
    };
    const peer = (name: string, x: typeof j | undefined) => (x ? `${name} ${Math.round(x.rps)} (${x.p99})` : `${name} not run`);
    rows.push({
      measure: 'polling GET operation, req/s (p99 ms)',
      jobfake: `${Math.round(j.rps)} (${j.p99})`,
      baseline: `hono ${Math.round(h.rps)} (${h.p99}); bare ${Math.round(b.rps)} (${b.p99})`,
      ratio: `${round(vsHono)}× hono (per round ${round(perRound)}); hono ${round(h.rps / b.rps)}× bare`,
      target: '≥ 0.8× hono',
      met: vsHono >= 0.8,
    });
    rows.push({
      measure: 'polling: the mock servers users pick instead, req/s (p99 ms)',
      jobfake: '',
      baseline: `${peer('prism', p)}; ${peer('mockoon', m)}`,
      ratio: `jobfake ${round(j.rps / p.rps, 1)}× prism${m ? `, ${round(j.rps / m.rps, 1)}× mockoon` : ''}`,
      target: '',
    });
    rows.push({
      measure: 'polling: server CPU µs per request',
      jobfake: `${round(j.cpuUsPerRequest!, 1)}`,
      baseline: `hono ${round(h.cpuUsPerRequest!, 1)}; bare ${round(b.cpuUsPerRequest!, 1)}; prism ${round(p.cpuUsPerRequest!, 0)}${m ? `; mockoon ${round(m.cpuUsPerRequest!, 0)}` : ''}`,
      ratio: `${round(cpuVsHono)}× hono`,
      target: '≤ 1.25× hono',
      met: cpuVsHono <= 1.25,
    });
    rows.push({
      measure: 'polling: Hono + a bearer check and a 2,000-entry journal, CPU µs/req',
      jobfake: '',
      baseline: `hono+journal ${round(hj.cpuUsPerRequest!, 1)} (${Math.round(hj.rps)} req/s)`,
      ratio: `${round(hj.cpuUsPerRequest! / h.cpuUsPerRequest!)}× hono; jobfake ${round(j.cpuUsPerRequest! / hj.cpuUsPerRequest!)}× it`,
      target: '',
    });
    if (!mockoonProc) log(`polling: mockoon not run: ${(mockoon as { missing: string }).missing}`);
    const errors = Object.entries(all).filter(([, x]) => x.errors > 0);
    if (errors.length > 0) log(`polling: errors or non-2xx answers: ${errors.map(([name, x]) => `${name} ${x.errors}`).join(', ')}`);
  } finally {
    if (mockoonProc) await stopProcess(mockoonProc);
    await stopProcess(prism);
    await honoJournal.stop();
    await hono.stop();
    await bare.stop();
    await fake.stop();
  }
}

/** Spark Jobserver: POST /jobs then GET /jobs/{id}, over and over on each connection. */
async function spark(): Promise<void> {
  const fake = await startChild('fake');
  try {
    const jar = Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(60)]);
    await json(`${fake.url}/binaries/test`, { method: 'POST', headers: { 'content-type': 'application/java-archive' }, body: jar });
    const submit = '/jobs?appName=test&classPath=spark.jobserver.WordCountExample';
    const requests: autocannon.Request[] = [
      {
        method: 'POST',
        path: submit,
        headers: { 'content-type': 'text/plain' },
        body: 'input.string = a b c',
        onResponse: (status, body, context) => {
          if (status === 202) (context as { jobId?: string }).jobId = JSON.parse(body).jobId;
        },
      },
      { method: 'GET', setupRequest: (req, context) => ({ ...req, path: `/jobs/${(context as { jobId?: string }).jobId}` }) },
    ];
    await load({ url: fake.url, requests, duration: 1 });
    const runs = [await load({ url: fake.url, requests, duration: 3 }, fake.pid), await load({ url: fake.url, requests, duration: 3 }, fake.pid)];
    const s = summary(runs);
    results['spark'] = { ...s, pairsPerSecond: s.rps / 2 };
    rows.push({
      measure: 'Spark POST /jobs + GET /jobs/{id}, pairs/s (p99 ms)',
      jobfake: `${Math.round(s.rps / 2)} (${s.p99})`,
      baseline: '',
      ratio: `${round(s.cpuUsPerRequest! * 2, 0)} µs CPU/pair`,
      target: '',
    });
    if (s.errors > 0) log(`spark: ${s.errors} errors or non-2xx answers`);
  } finally {
    await fake.stop();
  }
}

/** glibc's heap trim threshold, by environment: 1 GiB, so that freed memory is never handed back. */
const NO_TRIM = { MALLOC_TRIM_THRESHOLD_: String(1 << 30) };

/**
 * MB/s through one CONNECT session vs a raw net echo server, in alternating rounds, with the
 * server's CPU per byte and its minor page faults per MiB. Node reads each socket into a fresh
 * 64 KiB buffer, and V8 frees them in batches of tens of MiB; glibc hands a freed batch back to
 * the kernel once it tops its trim threshold (128 KiB), and the next reads fault it in again, more
 * or less often from process to process. So the pair runs twice: as started, and both servers
 * with that threshold raised by environment (NO_TRIM), the like-for-like comparison of their own
 * work. The client is its own process (echo-client.ts), with NO_TRIM too: in this process, after
 * the polling rounds, its own page faults had set the pace of both servers.
 */
async function echo(): Promise<void> {
  const fake = await startChild('fake');
  const raw = await startChild('echo');
  const fakeNoTrim = await startChild('fake', [], NO_TRIM);
  const rawNoTrim = await startChild('echo', [], NO_TRIM);
  const echoClient = fork(join(here, 'echo-client.js'), [], { cwd: root, env: { ...process.env, ...NO_TRIM }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const echoed = (target: { attachUrl: string } | { port: number }, bytes: number) =>
    new Promise<number>((resolve, reject) => {
      const exited = (code: number | null) => reject(new Error(`the echo client exited with ${code}`));
      echoClient.once('exit', exited);
      echoClient.once('message', (m: { mbps: number }) => {
        echoClient.off('exit', exited);
        resolve(m.mbps);
      });
      echoClient.send({ ...target, bytes });
    });
  const total = 128 * MiB;
  type Name = 'jobfake' | 'raw' | 'jobfakeNoTrim' | 'rawNoTrim';
  const names: Name[] = ['jobfake', 'raw', 'jobfakeNoTrim', 'rawNoTrim'];
  const blank = () => Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<Name, number[]>;
  const through = blank();
  const cpu = blank();
  const faults = blank();
  try {
    const measure = async (name: Name, server: Child, bytes: number) => {
      let target: { attachUrl: string } | { port: number } = { port: server.port };
      if (server === fake || server === fakeNoTrim) {
        const run = await scalingoRun(server.url);
        await advanceToDone(server.url, run.operationId);
        target = { attachUrl: run.attachUrl };
      }
      const before = cpuSeconds(server.pid);
      const faultsBefore = minorFaults(server.pid);
      const mbps = await echoed(target, bytes);
      if (bytes === total) {
        through[name].push(mbps);
        cpu[name].push(((cpuSeconds(server.pid) - before) * 1e9) / total);
        faults[name].push((minorFaults(server.pid) - faultsBefore) / (total / MiB));
      }
    };
    for (let round = 0; round < 8; round++) {
      const bytes = round === 0 ? 32 * MiB : total; // round 0 warms them up
      await measure('jobfake', fake, bytes);
      await measure('raw', raw, bytes);
      await measure('jobfakeNoTrim', fakeNoTrim, bytes);
      await measure('rawNoTrim', rawNoTrim, bytes);
    }
    const perRound = (a: Name, b: Name) => median(through[a].map((mbps, i) => mbps / through[b][i]!));
    const ratio = perRound('jobfake', 'raw');
    const ratioNoTrim = perRound('jobfakeNoTrim', 'rawNoTrim');
    results['echo'] = {
      bytesPerRound: total,
      MBps: through,
      cpuNsPerByte: cpu,
      minorFaultsPerMiB: faults,
      perRoundRatioToRaw: ratio,
      perRoundRatioToRawNoTrim: ratioNoTrim,
      spread: Object.fromEntries(names.map((name) => [name, spread(through[name])])),
    };
    const cpuAndFaults = (name: Name) => `${round(median(cpu[name]))}; ${Math.round(median(faults[name]))}`;
    rows.push({
      measure: `attach echo, one session, ${total / MiB} MiB × 7, MB/s`,
      jobfake: `${Math.round(median(through.jobfake))}`,
      baseline: `raw net ${Math.round(median(through.raw))}`,
      ratio: `${round(ratio)}× raw (median of rounds)`,
      target: '≥ 0.9× raw',
      met: ratio >= 0.9,
    });
    rows.push({
      measure: 'attach echo: server CPU ns/byte; page faults/MiB',
      jobfake: cpuAndFaults('jobfake'),
      baseline: `raw ${cpuAndFaults('raw')}`,
      ratio: `raw/jobfake CPU ${round(median(cpu.raw) / median(cpu.jobfake))}`,
      target: '',
    });
    rows.push({
      measure: 'attach echo, both with MALLOC_TRIM_THRESHOLD_=1 GiB: MB/s (ns/B; faults/MiB)',
      jobfake: `${Math.round(median(through.jobfakeNoTrim))} (${cpuAndFaults('jobfakeNoTrim')})`,
      baseline: `raw net ${Math.round(median(through.rawNoTrim))} (${cpuAndFaults('rawNoTrim')})`,
      ratio: `${round(ratioNoTrim)}× raw (median of rounds)`,
      target: '',
    });
  } finally {
    await stopProcess(echoClient, () => echoClient.disconnect());
    await Promise.all([raw.stop(), fake.stop(), rawNoTrim.stop(), fakeNoTrim.stop()]);
  }
}

/** N attach sessions open at once in one process, an echo on each, then all closed. */
async function sessions(): Promise<void> {
  const fake = await startChild('fake');
  try {
    const before = await fake.ask({ gc: true });
    const rssBefore = memoryOf(fake.pid).rss;
    const token = await client.exchangeToken(fake.url, 'tk-us-bench');
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    let t = performance.now();
    const attachUrls = await pool(SESSIONS, 20, async () => {
      const { body } = await json(`${fake.url}/v1/apps/my-app/run`, { method: 'POST', headers, body: '{"command":"bash"}' });
      return body.attach_url as string;
    });
    const runMs = performance.now() - t;
    // Each CONNECT is held until its operation is done (600 ms after its run with the default
    // schedule). Opened in ten batches, timed each: a CONNECT that scanned every open session
    // would make the last batch slower than the first.
    t = performance.now();
    const tunnels: Socket[] = [];
    const batchMs: number[] = [];
    const batch = Math.ceil(SESSIONS / 10);
    for (let from = 0; from < SESSIONS; from += batch) {
      const started = performance.now();
      const count = Math.min(batch, SESSIONS - from);
      tunnels.push(...(await pool(count, 200, (i) => openTunnel(attachUrls[from + i]!))));
      batchMs.push(performance.now() - started);
    }
    const openMs = performance.now() - t;
    t = performance.now();
    await pool(SESSIONS, 200, (i) => {
      const socket = tunnels[i]!;
      const message = `hello ${i}\n`;
      return new Promise<void>((resolve, reject) => {
        let got = '';
        const onData = (chunk: Buffer) => {
          got += chunk.toString();
          if (got.length < message.length) return;
          socket.off('data', onData);
          socket.pause();
          if (got === message) resolve();
          else reject(new Error(`session ${i} echoed ${JSON.stringify(got)}`));
        };
        socket.on('data', onData);
        socket.resume();
        socket.write(message);
      });
    });
    const echoMs = performance.now() - t;
    const held = await fake.ask({ gc: true });
    const rssHeld = memoryOf(fake.pid).rss;
    t = performance.now();
    await pool(SESSIONS, 200, (i) => endTunnel(tunnels[i]!));
    const closeMs = performance.now() - t;
    await sleep(100);
    const after = await fake.ask({ gc: true });
    const perSession = {
      rssBytes: (rssHeld - rssBefore) / SESSIONS,
      heapBytes: (held.memory.heapUsed - before.memory.heapUsed) / SESSIONS,
      externalBytes: (held.memory.external - before.memory.external) / SESSIONS,
    };
    results['sessions'] = {
      count: SESSIONS,
      heldAtOnce: held.live.attachSessions,
      liveAfterClose: after.live.attachSessions,
      socketsAfterClose: after.live.sockets,
      runMs,
      openMs,
      openBatchMs: batchMs,
      echoMs,
      closeMs,
      rssBefore,
      rssHeld,
      perSession,
      memoryBefore: before.memory,
      memoryHeld: held.memory,
    };
    // The first batch also warms the code paths up: compare the second with the last.
    const growth = batchMs[batchMs.length - 1]! / batchMs[1]!;
    rows.push({
      measure: `concurrent attach sessions (open, echo, close)`,
      jobfake: `${held.live.attachSessions} held`,
      baseline: '',
      ratio: `opened in ${Math.round(openMs)} ms, ${after.live.attachSessions} left after close`,
      target: `${SESSIONS.toLocaleString('en')} held`,
      met: held.live.attachSessions === SESSIONS && after.live.attachSessions === 0,
    });
    rows.push({
      measure: `CONNECT cost as sessions grow: ms per ${batch.toLocaleString('en')} opened`,
      jobfake: `${Math.round(batchMs[1]!)} → ${Math.round(batchMs[batchMs.length - 1]!)}`,
      baseline: `2nd batch (${batch.toLocaleString('en')} open) → last (${(SESSIONS - batch).toLocaleString('en')} open)`,
      ratio: `last/2nd ${round(growth)}`,
      target: 'flat (O(1)): ≤ 1.5',
      met: growth <= 1.5,
    });
    rows.push({
      measure: 'memory per attach session (RSS; JS heap)',
      jobfake: `${round(perSession.rssBytes / 1024, 1)} KiB; ${round(perSession.heapBytes / 1024, 1)} KiB`,
      baseline: '',
      ratio: `RSS ${Math.round(rssBefore / MiB)} → ${Math.round(rssHeld / MiB)} MiB`,
      target: '≤ 16 KiB RSS',
      met: perSession.rssBytes <= 16 * 1024,
    });
  } finally {
    await fake.stop();
  }
}

/**
 * Streams `head`, the file and `tail` as one request body (1 MiB writes, with back-pressure);
 * resolves with MB/s of the file once a 2xx answer was read.
 */
function sendStreamed(url: string, contentType: string, file: Buffer, head = Buffer.alloc(0), tail = Buffer.alloc(0)): Promise<number> {
  const target = new URL(url);
  if (target.hostname !== '127.0.0.1') throw new Error(`uploads stay on 127.0.0.1, not ${url}`);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(target, {
      method: 'POST',
      headers: { 'content-type': contentType, 'content-length': head.length + file.length + tail.length },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      let answer = '';
      res.on('data', (d) => (answer += d));
      res.on('end', () =>
        res.statusCode! >= 200 && res.statusCode! < 300
          ? resolve(file.length / 1e6 / ((performance.now() - started) / 1000))
          : reject(new Error(`upload answered ${res.statusCode}: ${answer.slice(0, 200)}`)),
      );
    });
    req.write(head);
    let at = 0;
    const pump = () => {
      while (at < file.length) {
        const piece = file.subarray(at, at + MiB);
        at += piece.length;
        if (!req.write(piece)) return void req.once('drain', pump);
      }
      req.end(tail);
    };
    pump();
  });
}

/** Sends one multipart body (the file as part "file") by streaming it; resolves with MB/s of the file. */
function sendMultipart(url: string, file: Buffer): Promise<number> {
  const boundary = `----jobfakebench${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="dump.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return sendStreamed(url, `multipart/form-data; boundary=${boundary}`, file, head, tail);
}

/**
 * One upload route, three rounds: MB/s against a bare server draining the same body (and keeping it), and the
 * server's peak resident memory over its idle size during the first upload, per byte of file
 * (after a small warm-up upload).
 */
async function uploadRounds(fake: Child, bare: Child, size: number, send: (url: string) => Promise<number>, url: string, warm: (url: string) => Promise<number>) {
  // A small upload first, to each server: the per-file cost is measured, not the route's first
  // run (code compiled, the namespace created), which is a few MiB whatever the file.
  await warm(url);
  await warm(`${bare.url}/keep`);
  await fake.ask({ gc: true });
  await sleep(100);
  const idle = memoryOf(fake.pid).rss;
  resetPeak(fake.pid);
  const mbps = [await send(url)];
  const peak = memoryOf(fake.pid).peak;
  const bareMbps = [await send(`${bare.url}/upload`)];
  // The bare server's own peak while it keeps the body: the floor of keeping one copy.
  const bareIdle = memoryOf(bare.pid).rss;
  resetPeak(bare.pid);
  const keepMbps = [await send(`${bare.url}/keep`)];
  const barePeak = memoryOf(bare.pid).peak;
  for (let i = 0; i < 2; i++) {
    mbps.push(await send(url));
    bareMbps.push(await send(`${bare.url}/upload`));
    keepMbps.push(await send(`${bare.url}/keep`));
  }
  return {
    fileBytes: size,
    idleRss: idle,
    peakRss: peak,
    growthOverFile: (peak - idle) / size,
    bareKeepingGrowthOverFile: (barePeak - bareIdle) / size,
    jobfakeMBps: mbps,
    bareMBps: bareMbps,
    bareKeepingMBps: keepMbps,
    ratio: median(mbps) / median(bareMbps),
    keepingRatio: median(keepMbps) / median(bareMbps),
  };
}

/** A stored (uncompressed) zip of one entry holding `size` random bytes: a jar as the Spark server takes it. */
function storedZip(size: number): Buffer {
  const name = Buffer.from('lib/data.bin');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(10, 4);
  local.writeUInt32LE(size, 18);
  local.writeUInt32LE(size, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt32LE(size, 20);
  central.writeUInt32LE(size, 24);
  central.writeUInt16LE(name.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + name.length, 12);
  end.writeUInt32LE(local.length + name.length + size, 16);
  return Buffer.concat([local, name, randomBytes(size), central, name, end]);
}

/**
 * Uploads streamed into jobfake: a 50 MiB multipart attach upload, and a 25 MiB jar to Spark's
 * POST /binaries/{name} (under the 30 MiB some releases allow), each against a bare server that
 * drains the same body, and one that keeps it in one buffer (what any server keeping the file pays
 * for fresh memory).
 */
async function upload(): Promise<void> {
  const fake = await startChild('fake');
  const bare = await startChild('bare');
  try {
    const size = 50 * MiB;
    const file = randomBytes(size);
    const run = await scalingoRun(fake.url);
    const attach = await uploadRounds(fake, bare, size, (url) => sendMultipart(url, file), `${run.attachUrl}/files`, (url) => sendMultipart(url, file.subarray(0, 64 * 1024)));
    const jar = storedZip(25 * MiB);
    // Fresh processes: the attach upload's file, kept by its session, stays out of this one, and
    // the bare server's peak starts from an unused heap, as jobfake's does.
    const sparkFake = await startChild('fake');
    const sparkBare = await startChild('bare');
    const spark = await uploadRounds(sparkFake, sparkBare, jar.length, (url) => sendStreamed(url, 'application/java-archive', jar), `${sparkFake.url}/binaries/bench`, (url) => sendStreamed(url, 'application/java-archive', storedZip(64 * 1024))).finally(() => Promise.all([sparkFake.stop(), sparkBare.stop()]));
    results['upload'] = { attach, sparkBinary: spark };
    rows.push({
      measure: 'upload 50 MiB multipart (attach), MB/s',
      jobfake: `${Math.round(median(attach.jobfakeMBps))}`,
      baseline: `bare node:http: drains ${Math.round(median(attach.bareMBps))}; keeps ${Math.round(median(attach.bareKeepingMBps))}`,
      ratio: `${round(attach.ratio)}× bare (the bare server keeping it: ${round(attach.keepingRatio)}×)`,
      target: '≥ 0.5× bare',
      met: attach.ratio >= 0.5,
    });
    rows.push({
      measure: 'upload (attach): peak RSS growth over idle / file size',
      jobfake: `${Math.round((attach.peakRss - attach.idleRss) / MiB)} MiB`,
      baseline: `file ${size / MiB} MiB`,
      ratio: `${round(attach.growthOverFile)}× (bare server keeping it: ${round(attach.bareKeepingGrowthOverFile)}×)`,
      target: '≤ 1.5×',
      met: attach.growthOverFile <= 1.5,
    });
    rows.push({
      measure: 'Spark POST /binaries 25 MiB jar, MB/s',
      jobfake: `${Math.round(median(spark.jobfakeMBps))}`,
      baseline: `bare node:http: drains ${Math.round(median(spark.bareMBps))}; keeps ${Math.round(median(spark.bareKeepingMBps))}`,
      ratio: `${round(spark.ratio)}× bare (the bare server keeping it: ${round(spark.keepingRatio)}×)`,
      target: '',
    });
    rows.push({
      measure: 'Spark binary: peak RSS growth over idle / file size',
      jobfake: `${Math.round((spark.peakRss - spark.idleRss) / MiB)} MiB`,
      baseline: `file ${round(jar.length / MiB, 1)} MiB`,
      ratio: `${round(spark.growthOverFile)}× (bare server keeping it: ${round(spark.bareKeepingGrowthOverFile)}×)`,
      target: '≤ 1.5×',
      met: spark.growthOverFile <= 1.5,
    });
  } finally {
    await bare.stop();
    await fake.stop();
  }
}

/**
 * The first POST /v1/apps/{app}/run of a fresh server, timed from the client once /healthz has
 * answered (and a token was exchanged): the call each test suite pays once per start. Two starts:
 * the CLI (`jobfake --port 0`), and startFake with checkResponses as `useFake()` runs it in tests
 * (each answer then also checked against openapi.yaml). The warm call is the same request again.
 */
async function firstCall(): Promise<void> {
  const ROUNDS = 7;
  const times = { cli: [] as number[], checked: [] as number[], warm: [] as number[] };
  const timeRun = async (url: string, token: string) => {
    const started = performance.now();
    await json(`${url}/v1/apps/my-app/run`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"command":"bash"}' });
    return performance.now() - started;
  };
  const exchange = async (url: string) => {
    const auth = `Basic ${Buffer.from(':tk-us-bench').toString('base64')}`;
    return (await json(`${url}/v1/tokens/exchange`, { method: 'POST', headers: { authorization: auth } })).body.token as string;
  };
  // Round 0 warms this process's client (fetch); it is not counted.
  for (let i = 0; i <= ROUNDS; i++) {
    const { proc } = spawnTimed(process.execPath, ['dist/cli.js', '--port', '0', '--quiet']);
    try {
      const [, url] = await lineMatching(proc, /listening on (http:\/\/\S+)/);
      await firstAnswer(`${url}/healthz`);
      const token = await exchange(url!);
      const first = await timeRun(url!, token);
      const warm = await timeRun(url!, token);
      if (i > 0) times.cli.push(first), times.warm.push(warm);
    } finally {
      await stopProcess(proc);
    }
    const fake = await startChild('fake', ['--check-responses']);
    try {
      await firstAnswer(`${fake.url}/healthz`);
      const token = await exchange(fake.url);
      const first = await timeRun(fake.url, token);
      if (i > 0) times.checked.push(first);
    } finally {
      await fake.stop();
    }
  }
  const [cli, checked, warm] = [median(times.cli), median(times.checked), median(times.warm)];
  results['firstCall'] = { ms: times, medianMs: { cli, checked, warm } };
  rows.push({
    measure: `first POST /run after /healthz, ms (median of ${ROUNDS} starts)`,
    jobfake: `${round(cli, 1)}; checked ${round(checked, 1)}`,
    baseline: `warm call ${round(warm, 1)}`,
    ratio: `${round(cli / warm, 1)}× warm; checked ${round(checked / warm, 1)}× warm`,
    target: '≤ 50 ms',
    met: Math.max(cli, checked) <= 50,
  });
}

/**
 * Spawn → first 200: `jobfake --port 0` vs a bare `node` http server started the same way (the
 * goal is a ratio to it), and the two mock servers users pick instead: `prism mock` and Mockoon.
 */
async function coldStart(): Promise<void> {
  const times = { jobfake: [] as number[], node: [] as number[], prism: [] as number[], mockoon: [] as number[] };
  const bareServer =
    "require('http').createServer((q,s)=>s.end('{}')).listen(0,'127.0.0.1',function(){console.log('listening on http://127.0.0.1:'+this.address().port)})";
  for (let i = 0; i < 7; i++) {
    for (const [name, args] of [
      ['jobfake', ['dist/cli.js', '--port', '0', '--quiet']],
      ['node', ['-e', bareServer]],
    ] as const) {
      const { proc, spawnedAt } = spawnTimed(process.execPath, [...args]);
      try {
        const [, url] = await lineMatching(proc, /listening on (http:\/\/\S+)/);
        await firstAnswer(`${url}/healthz`);
        times[name].push(performance.now() - spawnedAt);
      } finally {
        await stopProcess(proc);
      }
    }
  }
  const mockoon = await mockoonCli();
  const dataFile = 'script' in mockoon ? mockoonDataFile('coldstart', '/healthz', '{"status":"SUCCESS"}') : undefined;
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const { proc, spawnedAt } = spawnTimed(prismBin, ['mock', 'openapi.yaml', '-h', '127.0.0.1', '-p', String(port)], 'ignore');
    try {
      await firstAnswer(`http://127.0.0.1:${port}/healthz`, 30_000);
      times.prism.push(performance.now() - spawnedAt);
    } finally {
      await stopProcess(proc);
    }
    if (!dataFile) continue;
    const mockoonPort = await freePort();
    const started = spawnMockoon((mockoon as { script: string }).script, dataFile, mockoonPort);
    try {
      await firstAnswer(`http://127.0.0.1:${mockoonPort}/healthz`, 30_000);
      times.mockoon.push(performance.now() - started.spawnedAt);
    } finally {
      await stopProcess(started.proc);
    }
  }
  const j = median(times.jobfake);
  const n = median(times.node);
  const p = median(times.prism);
  const m = dataFile ? median(times.mockoon) : undefined;
  results['coldStart'] = { ms: times, medianMs: { jobfake: j, node: n, prism: p, mockoon: m } };
  rows.push({
    measure: 'cold start, spawn → first 200, ms (median)',
    jobfake: `${Math.round(j)}`,
    baseline: `bare node ${Math.round(n)}; prism ${Math.round(p)}; mockoon ${m === undefined ? 'not run' : Math.round(m)}`,
    ratio: `${round(j / n)}× bare node; ${round(p / j, 1)}× faster than prism${m === undefined ? '' : `, ${round(m / j, 1)}× than mockoon`}`,
    target: '≤ 2× bare node',
    met: j / n <= 2,
  });
}

function printTable(): void {
  const header: Row = { measure: 'measure', jobfake: 'jobfake', baseline: 'baseline(s)', ratio: 'ratio', target: 'target' };
  const cells = (r: Row) => [r.measure, r.jobfake, r.baseline, r.ratio, r.target ? `${r.target}${r.met === undefined ? '' : r.met ? ' ✔' : ' ✘'}` : ''];
  const all = [header, ...rows].map(cells);
  const widths = all[0]!.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(all[0]!));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of all.slice(1)) console.log(line(row));
}

const sections: [string, () => Promise<void>][] = [
  ['firstcall', firstCall],
  ['polling', polling],
  ['spark', spark],
  ['echo', echo],
  ['sessions', sessions],
  ['upload', upload],
  ['coldstart', coldStart],
];

const started = performance.now();
const load0 = loadavg();
results['machine'] = { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, loadavgAtStart: load0 };
for (const [name, run] of sections) {
  if (!wanted(name)) continue;
  const t = performance.now();
  process.stderr.write(`bench: ${name}…\n`);
  await run();
  log(`${name}: ${Math.round((performance.now() - t) / 1000)} s`);
}
results['machine'] = { ...(results['machine'] as object), loadavgAtEnd: loadavg() };
results['rows'] = rows;
results['seconds'] = (performance.now() - started) / 1000;
results['date'] = new Date().toISOString();
writeFileSync(join(root, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(`\njobfake benchmarks (Node ${process.version}, ${cpus().length} cores, load average at start ${load0.map((l) => l.toFixed(2)).join(' ')})\n`);
printTable();
const noise = results['polling'] as { jobfake: { spread: number }; bare: { spread: number } } | undefined;
if (noise) console.log(`\nnoise: polling req/s moved ${Math.round(noise.jobfake.spread * 100)}% (jobfake) and ${Math.round(noise.bare.spread * 100)}% (bare) between rounds of the same run`);
console.log(`\n${Math.round((performance.now() - started) / 1000)} s; figures in bench/results.json`);
