// The scripted tour of both APIs: every operation of openapi.yaml, its success and its error
// answers, in three worlds (the Spark Jobserver versions answer differently). `npm run contract`
// replays it through Prism; `npm run examples` runs it against the fake alone and keeps the
// answers as the spec's examples. Run from dist/: build first.
import { readFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { parse } from 'yaml';
import { Spec, startFake } from '../dist/index.js';
import { startPrism } from './prism.js';
import { basic, openTunnel } from './scalingo-client.js';

export const root = new URL('..', import.meta.url).pathname;
export const specFile = join(root, 'openapi.yaml');

const WORDS = 'spark.jobserver.WordCountExample';
/** A "jar" of ASCII bytes only: Prism forwards request bodies as UTF-8 text, other bytes come out changed. */
const JAR = 'PK\x03\x04jobfake';
/** The API token the tour exchanges (the fixtures list none, the tour adds it). */
const API_TOKEN = 'tk-us-tour';
const IDLE_MS = 60_000;
const CONTROL_TOKEN = 'tour-control-token';

/** Why a step goes around the validating Prism. */
const OFF_SPEC = 'the request breaks the spec on purpose: the validating Prism answers it 422 itself';
const NOT_JSON = 'Prism answers a body that is not JSON itself (400 invalid_json), even with --validate-request=false';

const hocon = (text) => ({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: text });
const jar = (body = JAR, type = 'application/java-archive') => ({ headers: { 'content-type': type }, body });
const file = (name, content) => {
  const form = new FormData();
  form.append('file', new Blob([content]), name);
  return form;
};

/** The bundled fixtures, with a few changes: each variant's world. */
function fixtures(sparkJobserver = {}, scalingo = {}) {
  const base = parse(readFileSync(join(root, 'fixtures/default.yaml'), 'utf8'));
  return {
    scalingo: { ...base.scalingo, ...scalingo },
    // A fixed offset, so the times in the examples do not depend on the machine.
    sparkJobserver: { ...base.sparkJobserver, utcOffset: 'Z', ...sparkJobserver },
  };
}

// Links are handed out as the default port's, so the examples do not depend on the free port taken.
const publicUrl = 'http://127.0.0.1:8090';

/** One fake per variant; each tours the default namespace with the clock paused. */
export const variants = [
  {
    name: 'main',
    describe: 'both APIs and the control API, Spark Jobserver as the seed page (the default)',
    options: {
      publicUrl,
      fixtures: fixtures({
        maxJobsPerContext: 1,
        contexts: [{ name: 'shared' }],
        classes: [
          { name: 'com.acme.Slow', duration: 600_000, result: { rows: 42 } },
          { name: 'com.acme.Broken', error: 'disk full', errorClass: 'java.io.IOException' },
        ],
      }),
      limits: { bodyBytes: 4096, uploadBytes: 1024, sparkUploadBytes: 1024, sparkRequestTimeoutMs: 5000, attachSessions: 2, attachIdleMs: IDLE_MS, attachCloseGraceMs: 20, faults: 2 },
    },
    run: async (t) => {
      await controlAndScalingo(t);
      await sparkMain(t);
    },
  },
  {
    name: 'sjs-0.9',
    describe: 'Spark Jobserver v0.9.0: text answers, required query parameters',
    options: { publicUrl, fixtures: fixtures({ version: '0.9' }), limits: { sparkContexts: 1, sparkUploadBytes: 1024 } },
    run: spark09,
  },
  {
    name: 'sjs-0.11',
    describe: 'Spark Jobserver 0.11: JSON uploads, callbackUrl, contexts that take time to stop',
    options: { publicUrl, fixtures: fixtures({ version: '0.11', schedule: { started: 0, running: 1000, contextStop: 500 } }), limits: { sparkUploadBytes: 1024 } },
    run: spark011,
  },
  {
    name: 'control-token',
    describe: 'the control API guarded by --control-token: 401 on every control route without it',
    options: { publicUrl, controlToken: CONTROL_TOKEN },
    run: controlGuarded,
  },
];

/** Every control operation of the spec refused without the token, then one call with it. */
async function controlGuarded(t) {
  const spec = new Spec(readFileSync(specFile, 'utf8'));
  const why = 'a probe without the control token sends whatever body: only the 401 matters, and Prism would judge the body first';
  for (const op of spec.operations.filter((o) => o.pathTemplate.startsWith('/__jobfake'))) {
    const path = op.pathTemplate.replace(/\{[^}]+\}/g, 'x');
    const json = op.method === 'GET' || op.method === 'DELETE' ? undefined : {};
    await t.call({ method: op.method, path, json, expect: 401, via: 'unvalidated', why });
  }
  await t.call({ path: '/__jobfake/clock', headers: { authorization: `Bearer ${CONTROL_TOKEN}` }, expect: 200 });
}

async function controlAndScalingo(t) {
  // The control API: the clock stays paused, so nothing moves unless the tour says so.
  await t.call({ method: 'POST', path: '/__jobfake/reset', expect: 200 });
  await t.call({ method: 'POST', path: '/__jobfake/clock', json: { paused: true }, expect: 200 });
  await t.call({ path: '/__jobfake/clock', expect: 200 });
  await t.call({ method: 'POST', path: '/__jobfake/clock', json: { advance: -1 }, expect: 400, via: 'unvalidated', why: OFF_SPEC });
  await t.call({ path: '/__jobfake/namespaces', expect: 200 });
  await t.call({ method: 'POST', path: '/__jobfake/scalingo/apps', json: { name: 'billing', schedule: { pending: 300, running: 300 } }, expect: 201 });
  await t.call({ method: 'POST', path: '/__jobfake/scalingo/apps', json: { name: 'Not An App' }, expect: 400, via: 'unvalidated', why: OFF_SPEC });
  await t.call({ path: '/__jobfake/scalingo/apps', expect: 200 });
  // Every control body over the body limit is refused with 413 before it is read.
  const oversized = { padding: 'x'.repeat(5000) };
  for (const [method, path] of [
    ['POST', '/__jobfake/clock'],
    ['POST', '/__jobfake/scalingo/apps'],
    ['POST', '/__jobfake/scalingo/tokens'],
    ['PUT', '/__jobfake/scalingo/schedule'],
    ['POST', '/__jobfake/scalingo/operations/any/advance'],
    ['POST', '/__jobfake/scalingo/operations/any/fail'],
    ['POST', '/__jobfake/spark/jobs/any/advance'],
    ['POST', '/__jobfake/spark/jobs/any/fail'],
    ['PUT', '/__jobfake/spark/schedule'],
    ['POST', '/__jobfake/spark/classes'],
    ['POST', '/__jobfake/faults'],
  ]) {
    await t.call({ method, path, json: oversized, expect: 413, via: 'unvalidated', why: OFF_SPEC });
  }
  // The inspector: its page, and the live state read once (`once=true` ends the stream after it).
  await t.call({ path: '/__jobfake/ui', expect: 200 });
  await t.call({ path: '/__jobfake/events?once=true', expect: 200 });
  await t.call({ method: 'PUT', path: '/__jobfake/scalingo/schedule', json: { pending: 300, running: 300 }, expect: 204 });
  await t.call({ method: 'PUT', path: '/__jobfake/scalingo/schedule', json: { pending: -1 }, expect: 400, via: 'unvalidated', why: OFF_SPEC });
  await t.call({ method: 'POST', path: '/__jobfake/scalingo/tokens', json: { token: API_TOKEN }, expect: 204 });
  await t.call({ method: 'POST', path: '/__jobfake/scalingo/tokens', json: { token: '' }, expect: 400, via: 'unvalidated', why: OFF_SPEC });
  // Faults are added, listed and removed, never triggered: a fault's answer is off-spec on purpose.
  const fault = { match: { method: 'GET', path: '/v1/apps/*/operations/*' }, action: { type: 'status', status: 500 }, times: 1 };
  const added = await t.call({ method: 'POST', path: '/__jobfake/faults', json: fault, expect: 201 });
  await t.call({ method: 'POST', path: '/__jobfake/faults', json: { action: { type: 'explode' } }, expect: 400, via: 'unvalidated', why: OFF_SPEC });
  await t.call({ path: '/__jobfake/faults', expect: 200 });
  await t.call({ method: 'DELETE', path: `/__jobfake/faults/${added.body.id}`, expect: 204 });
  await t.call({ method: 'DELETE', path: `/__jobfake/faults/${added.body.id}`, expect: 404 });
  await t.call({ method: 'POST', path: '/__jobfake/faults', json: fault, expect: 201 });
  // The variant holds two faults at most (limits.faults): a third is refused.
  await t.call({ method: 'POST', path: '/__jobfake/faults', json: fault, expect: 201 });
  await t.call({ method: 'POST', path: '/__jobfake/faults', json: fault, expect: 409 });
  await t.call({ method: 'DELETE', path: '/__jobfake/faults', expect: 204 });

  // Scalingo: authentication, then the calls the CLI makes before a run.
  const exchange = (password, expect) => t.call({ method: 'POST', path: '/v1/tokens/exchange', headers: { authorization: basic(password) }, json: {}, expect });
  const jwt = (await exchange(API_TOKEN, 200)).body.token;
  await exchange('tk-us-not-listed', 401);
  const auth = { authorization: `Bearer ${jwt}` };
  const forged = { authorization: 'Bearer not-a-jwt' };
  for (const path of ['/v1/users/self', '/v1/regions', '/v1/apps/my-app', '/v1/apps/my-app/ps']) {
    await t.call({ path, headers: auth, expect: 200 });
    await t.call({ path, headers: forged, expect: 401 });
  }
  await t.call({ path: '/v1/apps/no-such-app', headers: auth, expect: 404 });
  await t.call({ path: '/v1/apps/no-such-app/ps', headers: auth, expect: 404 });
  // The reads around a one-off: apps, formation (run --type), sizes.
  for (const path of ['/v1/apps', '/v1/apps/my-app/containers', '/v1/features/container_sizes']) {
    await t.call({ path, headers: auth, expect: 200 });
    await t.call({ path, headers: forged, expect: 401 });
  }
  await t.call({ path: '/v1/apps/no-such-app/containers', headers: auth, expect: 404 });
  // CORS: the preflight of every Scalingo route, as a browser sends it (no credentials).
  for (const op of t.spec.operations.filter((o) => o.method === 'OPTIONS')) {
    const path = op.pathTemplate.replace('{app}', 'my-app').replace(/\{[^}]+\}/g, 'x');
    const method = t.spec.operations.find((o) => o.pathTemplate === op.pathTemplate && o.method !== 'OPTIONS').method;
    await t.call({ method: 'OPTIONS', path, headers: { origin: 'http://127.0.0.1:3000', 'access-control-request-method': method, 'access-control-request-headers': 'authorization' }, expect: 204 });
  }

  // A one-off, its operation moved by hand through the control API.
  const runOneOff = (json, expect = 200, extra = {}) => t.call({ method: 'POST', path: '/v1/apps/my-app/run', headers: auth, json, expect, ...extra });
  const run1 = await runOneOff({ command: 'bash', env: { TERM: 'xterm' }, size: 'M' });
  await t.call({ method: 'POST', path: '/v1/apps/my-app/run', headers: { ...auth, 'content-type': 'application/json' }, body: 'bash', expect: 400, via: 'direct', why: NOT_JSON });
  await runOneOff({ command: 'bash' }, 401, { headers: forged });
  await t.call({ method: 'POST', path: '/v1/apps/no-such-app/run', headers: auth, json: { command: 'bash' }, expect: 404 });
  await runOneOff({ command: 'x'.repeat(5000) }, 413);
  await runOneOff({ command: 'bash', size: 'XXL' }, 422);

  const operationPath = new URL(run1.headers.get('location')).pathname;
  const operationId = operationPath.split('/').pop();
  await t.call({ path: operationPath, headers: auth, expect: 200 });
  await t.call({ path: operationPath, headers: forged, expect: 401 });
  await t.call({ path: '/v1/apps/my-app/operations/no-such-operation', headers: auth, expect: 404 });
  const control = `/__jobfake/scalingo/operations/${operationId}`;
  await t.call({ path: '/__jobfake/scalingo/operations', expect: 200 });
  await t.call({ path: '/__jobfake/scalingo/containers', expect: 200, example: true });
  await t.call({ path: control, expect: 200 });
  await t.call({ path: '/__jobfake/scalingo/operations/no-such-operation', expect: 404 });
  await t.call({ method: 'POST', path: `${control}/advance`, json: { to: 'nowhere' }, expect: 400, via: 'unvalidated', why: OFF_SPEC });
  await t.call({ method: 'POST', path: `${control}/advance`, json: {}, expect: 200 });
  await t.call({ method: 'POST', path: `${control}/advance`, json: { to: 'done' }, expect: 200, example: true });
  await t.call({ method: 'POST', path: `${control}/advance`, json: {}, expect: 409 });
  await t.call({ method: 'POST', path: '/__jobfake/scalingo/operations/no-such-operation/advance', json: {}, expect: 404 });
  await t.call({ path: operationPath, headers: auth, expect: 200, example: true });

  const doomed = new URL((await runOneOff({ command: 'rake db:migrate' })).headers.get('location')).pathname.split('/').pop();
  await t.call({ method: 'POST', path: `/__jobfake/scalingo/operations/${doomed}/fail`, json: { message: 'image pull failed' }, expect: 200 });
  await t.call({ method: 'POST', path: `/__jobfake/scalingo/operations/${doomed}/fail`, json: { message: 'again' }, expect: 409 });
  await t.call({ method: 'POST', path: `/__jobfake/scalingo/operations/${doomed}/fail`, json: {}, expect: 400, via: 'unvalidated', why: OFF_SPEC });
  await t.call({ method: 'POST', path: '/__jobfake/scalingo/operations/no-such-operation/fail', json: { message: 'x' }, expect: 404 });

  // The attach URL over HTTP: resize and upload before attaching.
  const attach1 = new URL(run1.body.attach_url).pathname;
  const resize = (path, json, expect, extra = {}) => t.call({ method: 'PUT', path, json, expect, ...extra });
  await resize(attach1, { width: 80, height: 25 }, 200);
  await resize(attach1, { width: 'wide', height: 25 }, 400, { via: 'unvalidated', why: OFF_SPEC });
  await resize(attach1, { width: 80, height: 25 }, 401, { headers: { authorization: basic('wrong') } });
  await resize('/attach/no-such-session', { width: 80, height: 25 }, 404);
  await resize(attach1, { width: 80, height: 25, padding: 'x'.repeat(5000) }, 413);
  const upload = (path, body, expect, extra = {}) => t.call({ method: 'POST', path: `${path}/files`, body, expect, ...extra });
  await upload(attach1, file('dump.sql', 'select 1;\n'), 200);
  await upload(attach1, file('..', 'x'), 400);
  await upload(attach1, file('a.txt', 'a'), 401, { headers: { authorization: basic('wrong') } });
  await upload('/attach/no-such-session', file('a.txt', 'a'), 404);
  await upload(attach1, file('big.bin', 'x'.repeat(2000)), 413);
  await upload(attach1, JSON.stringify({ file: 'a.txt' }), 415, { headers: { 'content-type': 'application/json' }, via: 'unvalidated', why: OFF_SPEC });

  // CONNECT cannot pass through Prism (it drops the method): the tunnel is toured against jobfake directly.
  const run2 = await runOneOff({ command: 'bash' });
  const run3 = await runOneOff({ command: 'bash' });
  await t.call({ method: 'POST', path: '/__jobfake/clock', json: { advance: 600 }, expect: 200 });
  const attach2 = new URL(run2.body.attach_url).pathname;
  const attach3 = new URL(run3.body.attach_url).pathname;
  const tunnel1 = await t.connect(attach1, { expect: 200 });
  await upload(attach1, file('late.txt', 'x'), 409);
  await t.connect(attach1, { expect: 409 });
  await t.connect('/attach/no-such-session', { expect: 404 });
  await t.connect(attach2, { headers: { authorization: basic('wrong') }, expect: 401 });
  const tunnel2 = await t.connect(attach2, { expect: 200 });
  await t.connect(attach3, { expect: 503 }); // the fake takes 2 sessions at once here
  tunnel1.socket.end('hello\n\x04');
  const echoed = (await tunnel1.rest).toString();
  if (echoed !== 'hello\n') t.problem(`CONNECT ${attach1}: expected the echo "hello\\n", got ${JSON.stringify(echoed)}`);
  await t.call({ path: `${attach1}/wait`, expect: 200 });
  await t.call({ method: 'POST', path: '/__jobfake/clock', json: { advance: IDLE_MS }, expect: 200 });
  await tunnel2.rest;
  await t.call({ path: `${attach2}/wait`, expect: 408 });
  await t.call({ path: `${attach3}/wait`, headers: { authorization: basic('wrong') }, expect: 401 });
  await t.call({ path: '/attach/no-such-session/wait', expect: 404 });
  tunnel1.socket.destroy();
  tunnel2.socket.destroy();

  // What the control API saw of it.
  await t.call({ path: '/__jobfake/scalingo/containers', expect: 200 });
  await t.call({ path: '/__jobfake/scalingo/containers/one-off-1', expect: 200 });
  await t.call({ path: '/__jobfake/scalingo/containers/no-such-container', expect: 404 });
  await t.call({ path: '/__jobfake/scalingo/containers/one-off-1/transcript', expect: 200 });
  await t.call({ path: '/__jobfake/scalingo/containers/no-such-container/transcript', expect: 404 });

  // Kill (a signal that does not end it), then stop, a detached job.
  const containers = (id) => `/v1/apps/my-app/containers/${id}`;
  const detached = await runOneOff({ command: 'sleep 600', detached: true });
  const kill = (id, json, expect, extra = {}) => t.call({ method: 'POST', path: `${containers(id)}/kill`, headers: auth, json, expect, ...extra });
  const id = detached.body.container.id;
  await kill(id, { signal: 'SIGWINCH' }, 204);
  await t.call({ method: 'POST', path: `${containers(id)}/kill`, headers: { ...auth, 'content-type': 'application/json' }, body: 'SIGKILL', expect: 400, via: 'direct', why: NOT_JSON });
  await kill(id, { signal: 'SIGKILL' }, 401, { headers: forged });
  await kill('no-such-container', { signal: 'SIGKILL' }, 404);
  await kill(id, { signal: 'SIGKILL', padding: 'x'.repeat(5000) }, 413);
  await kill(id, { signal: 'SIGFOO' }, 422, { via: 'unvalidated', why: OFF_SPEC });
  await t.call({ method: 'POST', path: `${containers(id)}/stop`, headers: forged, expect: 401 });
  await t.call({ method: 'POST', path: `${containers(id)}/stop`, headers: auth, expect: 202 });
  await t.call({ method: 'POST', path: `${containers('no-such-container')}/stop`, headers: auth, expect: 404 });

  // Logs: the URL, the dump of the jobs above (the detached one's lines and the platform's), the stream.
  const logsUrl = new URL((await t.call({ path: '/v1/apps/my-app/logs', headers: auth, expect: 200 })).body.logs_url);
  await t.call({ path: '/v1/apps/my-app/logs', headers: forged, expect: 401 });
  await t.call({ path: '/v1/apps/no-such-app/logs', headers: auth, expect: 404 });
  const logs = `${logsUrl.pathname}${logsUrl.search}`;
  await t.call({ path: `${logs}&n=20`, expect: 200, example: true });
  await t.call({ path: `${logs}&n=20&filter=web`, expect: 204 });
  await t.call({ path: `${logs}&n=lots`, expect: 400, via: 'unvalidated', why: OFF_SPEC });
  await t.call({ path: `${logs.replace(/token=\w+/, 'token=wrong')}`, expect: 401 });
  await t.call({ path: `${logs.replace('/logs/my-app', '/logs/no-such-app')}`, expect: 404 });
  await t.call({ path: '/__jobfake/scalingo/apps/my-app/logs?filter=one-off-5', expect: 200 });
  await t.call({ path: '/__jobfake/scalingo/apps/no-such-app/logs', expect: 404 });
  const follow = await t.websocket(`${logs}&stream=true&n=2`, { expect: 101 });
  follow.close();
  await t.websocket(`${logs.replace('/logs/my-app', '/logs/no-such-app')}&stream=true`, { expect: 404 });
  // The deployments stream the app links to: a WebSocket that stays silent (jobfake has no deployments).
  const stream = new URL((await t.call({ path: '/v1/apps/my-app', headers: auth, expect: 200 })).body.app.links.deployments_stream).pathname;
  (await t.websocket(stream, { expect: 101 })).close();
  await t.call({ path: stream, expect: 400 });
  await t.call({ path: stream.replace('/my-app', '/no-such-app'), expect: 404 });

  const journal = await t.call({ path: '/__jobfake/journal?method=GET&path=/v1/apps/**&limit=2', expect: 200 });
  await t.call({ path: '/__jobfake/journal?body=SIGKILL', expect: 200 });
  await t.call({ path: `/__jobfake/journal/${journal.body.requests[0].id}`, expect: 200 });
  await t.call({ path: '/__jobfake/journal/999999999', expect: 404 });
  await t.call({ path: '/__jobfake/journal?status=abc', expect: 400, via: 'unvalidated', why: OFF_SPEC });
  await t.call({ method: 'DELETE', path: '/__jobfake/journal', expect: 204 });
}

async function sparkMain(t) {
  await t.call({ path: '/healthz', expect: 200 });
  const advance = (ms) => t.call({ method: 'POST', path: '/__jobfake/clock', json: { advance: ms }, expect: 200 });

  // Binaries.
  await t.call({ method: 'POST', path: '/binaries/words', ...jar(), expect: 200 });
  await t.call({ method: 'POST', path: '/binaries/not-a-zip', ...jar('just text'), expect: 400 });
  await t.call({ method: 'POST', path: '/binaries/huge', ...jar(JAR + 'x'.repeat(2000)), expect: 413 });
  await t.call({ method: 'POST', path: '/binaries/zipped', ...jar(JAR, 'application/zip'), expect: 415, via: 'unvalidated', why: OFF_SPEC });
  await t.call({ path: '/binaries', expect: 200 });
  await t.call({ path: '/binaries/words', expect: 200 });
  await t.call({ path: '/binaries/no-such-binary', expect: 404 });

  // An async job, moved by the clock.
  const words = `appName=words&classPath=${WORDS}`;
  const started = await t.call({ method: 'POST', path: `/jobs?${words}`, ...hocon('input.string = a b c a b see'), expect: 202 });
  const job = `/jobs/${started.body.jobId}`;
  await t.call({ path: job, expect: 200 });
  await t.call({ path: `${job}/config`, expect: 200 });
  await t.call({ method: 'DELETE', path: '/binaries/words', expect: 403 });
  await advance(1000);
  await t.call({ path: job, expect: 200, example: true });
  await t.call({ path: '/jobs?limit=5', expect: 200 });
  await t.call({ path: '/jobs?limit=lots', expect: 400, via: 'unvalidated', why: OFF_SPEC });
  await t.call({ method: 'DELETE', path: job, expect: 404 });
  await t.call({ path: '/jobs/no-such-job', expect: 404 });
  await t.call({ path: '/jobs/no-such-job/config', expect: 404 });

  // Sync jobs wait on the clock: the answer comes once the tour advances it.
  const sync = await t.waiting({ method: 'POST', path: `/jobs?${words}&sync=true`, ...hocon('input.string = to be or not to be'), expect: 200 });
  await advance(1000);
  await sync.answer;
  const slow = await t.waiting({ method: 'POST', path: '/jobs?appName=words&classPath=com.acme.Slow&sync=true&timeout=1', expect: 500 });
  await advance(1000);
  await slow.answer;
  // Past the server's request-timeout (5 s here, 40 s by default): WebApi.timeoutRoute's 500.
  const cut = await t.waiting({ method: 'POST', path: '/jobs?appName=words&classPath=com.acme.Slow&sync=true&timeout=60', expect: 500 });
  await advance(5000);
  await cut.answer;

  // Killing: a running job, and one that failed.
  const running = await t.call({ method: 'POST', path: '/jobs?appName=words&classPath=com.acme.Slow', expect: 202 });
  await t.call({ method: 'DELETE', path: `/jobs/${running.body.jobId}`, expect: 200 });
  const broken = await t.call({ method: 'POST', path: '/jobs?appName=words&classPath=com.acme.Broken', expect: 202 });
  await advance(1000);
  await t.call({ path: `/jobs/${broken.body.jobId}`, expect: 200 });
  await t.call({ method: 'DELETE', path: `/jobs/${broken.body.jobId}`, expect: 200, example: true });

  // Jobs refused.
  await t.call({ method: 'POST', path: `/jobs?${words}`, ...hocon('input.string = {'), expect: 400 });
  await t.call({ method: 'POST', path: `/jobs?${words}&sync=maybe`, expect: 400, via: 'unvalidated', why: OFF_SPEC });
  await t.call({ method: 'POST', path: `/jobs?appName=no-such-binary&classPath=${WORDS}`, expect: 404 });
  await t.call({ method: 'POST', path: `/jobs?${words}`, ...hocon(`input.string = "${'a '.repeat(2500)}"`), expect: 413 });
  await t.call({ method: 'POST', path: '/jobs?appName=words&classPath=com.acme.Slow&context=shared', expect: 202 });
  await t.call({ method: 'POST', path: '/jobs?appName=words&classPath=com.acme.Slow&context=shared', expect: 503 });

  // The Spark side of the control API: read, advance and fail jobs; schedules and classes.
  const spark = '/__jobfake/spark';
  await t.call({ path: `${spark}/jobs`, expect: 200 });
  await t.call({ path: `${spark}/jobs/${started.body.jobId}`, expect: 200, example: true });
  await t.call({ path: `${spark}/jobs/no-such-job`, expect: 404 });
  const driven = await t.call({ method: 'POST', path: '/jobs?appName=words&classPath=com.acme.Slow', expect: 202 });
  const drivenJob = `${spark}/jobs/${driven.body.jobId}`;
  await t.call({ method: 'POST', path: `${drivenJob}/advance`, json: { to: 'DONE' }, expect: 400, via: 'unvalidated', why: OFF_SPEC });
  await t.call({ method: 'POST', path: `${drivenJob}/advance`, json: { to: 'FINISHED' }, expect: 200 });
  await t.call({ method: 'POST', path: `${drivenJob}/advance`, json: {}, expect: 409 });
  await t.call({ method: 'POST', path: `${spark}/jobs/no-such-job/advance`, json: {}, expect: 404 });
  const failing = await t.call({ method: 'POST', path: '/jobs?appName=words&classPath=com.acme.Slow', expect: 202 });
  const failingJob = `${spark}/jobs/${failing.body.jobId}`;
  await t.call({ method: 'POST', path: `${failingJob}/fail`, json: {}, expect: 400, via: 'unvalidated', why: OFF_SPEC });
  await t.call({ method: 'POST', path: `${failingJob}/fail`, json: { message: 'Table not found: events', errorClass: 'org.apache.spark.sql.AnalysisException' }, expect: 200 });
  await t.call({ method: 'POST', path: `${failingJob}/fail`, json: { message: 'again' }, expect: 409 });
  await t.call({ method: 'POST', path: `${spark}/jobs/no-such-job/fail`, json: { message: 'x' }, expect: 404 });
  await t.call({ method: 'PUT', path: `${spark}/schedule`, json: { running: 2000, class: 'com.acme.Report' }, expect: 204 });
  await t.call({ method: 'PUT', path: `${spark}/schedule`, json: { running: 'slow' }, expect: 400, via: 'unvalidated', why: OFF_SPEC });
  await t.call({ method: 'POST', path: `${spark}/classes`, json: { name: 'com.acme.Report', result: '{{input.month}} done' }, expect: 201 });
  await t.call({ method: 'POST', path: `${spark}/classes`, json: { result: 1 }, expect: 400, via: 'unvalidated', why: OFF_SPEC });
  await t.call({ path: `${spark}/binaries`, expect: 200 });
  await t.call({ path: `${spark}/contexts`, expect: 200 });

  // Deleting a binary no job uses.
  await t.call({ method: 'POST', path: '/binaries/spare', ...jar(), expect: 200 });
  await t.call({ method: 'DELETE', path: '/binaries/spare', expect: 200 });
  await t.call({ method: 'DELETE', path: '/binaries/spare', expect: 404 });

  // Data files, in memory.
  const data = await t.call({ method: 'POST', path: '/data/input', headers: { 'content-type': 'text/csv' }, body: 'a,b\n1,2\n', expect: 200 });
  await t.call({ method: 'POST', path: '/data/huge', headers: { 'content-type': 'text/csv' }, body: 'x'.repeat(2000), expect: 413 });
  await t.call({ path: '/data', expect: 200 });
  await t.call({ method: 'DELETE', path: `/data/${encodeURIComponent(data.body.result.filename)}`, expect: 200 });
  await t.call({ method: 'DELETE', path: `/data/${encodeURIComponent(data.body.result.filename)}`, expect: 500 });
  await t.call({ method: 'PUT', path: '/data?reset=reboot', expect: 200 });
  await t.call({ method: 'PUT', path: '/data', expect: 404 });
  await t.call({ method: 'PUT', path: '/data?reset=reboot&sync=maybe', expect: 400, via: 'unvalidated', why: OFF_SPEC });
  // The legacy /jars routes are gone after 0.9.
  await t.call({ path: '/jars', expect: 404 });
  await t.call({ method: 'POST', path: '/jars/words', headers: { 'content-type': 'application/java-archive' }, body: JAR, expect: 404 });

  // Contexts.
  await t.call({ method: 'POST', path: '/contexts/etl?num-cpu-cores=2&memory-per-node=512m', expect: 200 });
  await t.call({ method: 'POST', path: '/contexts/etl', expect: 400 });
  await t.call({ method: 'POST', path: '/contexts/big', ...hocon(`spark.context-settings.note = "${'x'.repeat(5000)}"`), expect: 413 });
  await t.call({ path: '/contexts', expect: 200 });
  await t.call({ path: '/contexts/etl', expect: 200 });
  await t.call({ path: '/contexts/no-such-context', expect: 404 });
  await t.call({ method: 'DELETE', path: '/contexts/etl', expect: 200 });
  await t.call({ method: 'DELETE', path: '/contexts/etl', expect: 404 });
  await t.call({ method: 'DELETE', path: '/contexts/shared?force=maybe', expect: 400, via: 'unvalidated', why: OFF_SPEC });
  // A context slower to start than the request timeout (5 s here): the 500, and it starts anyway.
  await t.call({ method: 'PUT', path: '/__jobfake/spark/schedule', json: { contextStart: 6000 }, expect: 204 });
  const slowStart = await t.waiting({ method: 'POST', path: '/contexts/slow', expect: 500 }, { on: 'timer' });
  await advance(5000);
  await slowStart.answer;
  await advance(1000);
  await t.call({ method: 'PUT', path: '/__jobfake/spark/schedule', json: { contextStart: 0 }, expect: 204 });
  await t.call({ method: 'PUT', path: '/contexts?reset=reboot', expect: 200 });
  await t.call({ method: 'PUT', path: '/contexts?reset=soft', expect: 500 });
  await t.call({ method: 'PUT', path: '/contexts', expect: 404 });
  await t.call({ method: 'PUT', path: '/contexts?reset=reboot&sync=maybe', expect: 400, via: 'unvalidated', why: OFF_SPEC });
}

async function spark09(t) {
  await t.call({ method: 'POST', path: '/__jobfake/clock', json: { paused: true }, expect: 200 });
  await t.call({ path: '/healthz', expect: 200 });
  await t.call({ method: 'POST', path: '/binaries/words', ...jar(), expect: 200, example: true });
  await t.call({ method: 'POST', path: '/binaries/zipped', ...jar(JAR, 'application/zip'), expect: 415, via: 'unvalidated', why: OFF_SPEC });
  await t.call({ path: '/binaries/anything', expect: 200 });
  await t.call({ method: 'POST', path: `/jobs?cp=words&mainClass=${WORDS}`, expect: 404 });
  await t.call({ method: 'POST', path: '/contexts/etl', expect: 200 });
  await t.call({ method: 'POST', path: '/contexts/more', expect: 503 }); // the fake takes 1 context here
  await t.call({ path: '/contexts/etl', expect: 200, example: true });
  await t.call({ method: 'PUT', path: '/contexts?reset=soft', expect: 200 });
  await t.call({ method: 'DELETE', path: '/binaries/words', expect: 200 });
  // The legacy /jars routes of v0.9.0.
  await t.call({ method: 'POST', path: '/jars/words', headers: { 'content-type': 'application/java-archive' }, body: JAR, expect: 200 });
  await t.call({ method: 'POST', path: '/jars/notes', headers: { 'content-type': 'text/plain' }, body: 'just text', expect: 400 });
  await t.call({ method: 'POST', path: '/jars/huge', headers: { 'content-type': 'application/java-archive' }, body: JAR + 'x'.repeat(2000), expect: 413 });
  await t.call({ path: '/jars', expect: 200 });
}

async function spark011(t) {
  await t.call({ method: 'POST', path: '/__jobfake/clock', json: { paused: true }, expect: 200 });
  await t.call({ method: 'POST', path: '/binaries/words', ...jar(), expect: 201 });
  await t.call({ method: 'POST', path: '/binaries/eggs', ...jar(JAR, 'application/python-egg'), expect: 201 });
  await t.call({ method: 'POST', path: '/binaries/huge', ...jar(JAR + 'x'.repeat(2000)), expect: 413 });
  await t.call({ method: 'POST', path: `/jobs?appName=words&classPath=${WORDS}&callbackUrl=${encodeURIComponent('ftp://example.com/done')}`, ...hocon('input.string = a'), expect: 500 });
  await t.call({ method: 'POST', path: '/contexts/etl', expect: 200 });
  await t.call({ method: 'DELETE', path: '/contexts/etl', expect: 202 });
  await t.call({ method: 'POST', path: `/jobs?appName=words&classPath=${WORDS}&context=etl`, ...hocon('input.string = a'), expect: 409 });
}

/**
 * Runs every variant's tour. With `throughPrism`, two Prisms stand in front of the fakes
 * (`prism proxy … --errors`, and one with --validate-request=false for requests that are off-spec
 * on purpose) and each HTTP step goes through one of them unless it says `via: 'direct'`.
 * Returns one record per response (jobfake's own answer, with the problems found in it), and the
 * problems found outside any one response.
 */
export async function runTour({ throughPrism = false, say = () => {}, specPath = specFile } = {}) {
  const spec = new Spec(readFileSync(specPath, 'utf8'));
  const records = [];
  const loose = [];
  const stops = [];
  try {
    const fakes = await Promise.all(
      variants.map(async (variant) => {
        const fake = await startFake({ port: 0, ...variant.options });
        stops.push(() => fake.close());
        return fake;
      }),
    );
    let proxies;
    if (throughPrism) {
      // One pair of Prisms for every variant (each takes a second or two of CPU to start): they
      // forward to a router that picks the variant's fake by a request header.
      const router = await startRouter(new Map(variants.map((v, i) => [v.name, fakes[i]])));
      stops.push(() => router.close());
      const started = await Promise.all([startPrism({ spec: specPath, upstream: router.url }), startPrism({ spec: specPath, upstream: router.url, validateRequest: false })]);
      for (const prism of started) stops.push(() => prism.stop());
      proxies = { router, prism: started[0], unvalidated: started[1] };
    }
    for (const [i, variant] of variants.entries()) {
      say(`${variant.name}: ${variant.describe}`);
      const t = tourContext({ variant, fake: fakes[i], proxies, spec, records, loose });
      await variant.run(t);
      await t.settle();
    }
  } finally {
    await Promise.allSettled(stops.reverse().map((stop) => stop()));
  }
  return { records, problems: loose };
}

const VARIANT_HEADER = 'x-jobfake-tour-variant';
const STEP_HEADER = 'x-jobfake-tour-step';

/**
 * A plain pass-through to the fake of the variant named in a request header, which keeps what
 * the fake answered to each step: so the tour knows whether a request reached jobfake at all,
 * and checks jobfake's own answer even when Prism replaced it.
 */
async function startRouter(fakes) {
  const answers = new Map();
  const server = createServer((req, res) => {
    const fake = fakes.get(String(req.headers[VARIANT_HEADER]));
    if (!fake) return void res.writeHead(502).end(`no fake for ${VARIANT_HEADER}: ${req.headers[VARIANT_HEADER]}`);
    let settle;
    answers.set(String(req.headers[STEP_HEADER]), new Promise((resolve) => (settle = resolve)));
    const upstream = request({ host: '127.0.0.1', port: fake.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode, answer.statusMessage, answer.rawHeaders);
      const chunks = [];
      answer.on('data', (chunk) => chunks.push(chunk));
      answer.on('end', () => settle({ status: answer.statusCode, contentType: answer.headers['content-type'] ?? null, body: Buffer.concat(chunks).toString() }));
      answer.pipe(res);
    });
    upstream.once('error', (err) => (settle({ error: err.message }), res.destroy()));
    req.pipe(upstream);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    /** What jobfake answered to a step, or undefined when the request never reached it. */
    answerTo: (step) => answers.get(step),
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

let steps = 0;

function tourContext({ variant, fake, proxies, spec, records, loose }) {
  const inFlight = new Set();
  const record = (entry, { reachedJobfake = true } = {}) => {
    // Only what jobfake answered is checked in-process (an answer Prism made up is a problem already).
    const { operationId, violations } = reachedJobfake ? spec.checkResponse(entry) : { operationId: spec.findOperation(entry.method, entry.path)?.operationId, violations: [] };
    records.push({ variant: variant.name, operationId, ...entry, problems: [...entry.problems, ...violations.map((v) => `in-process checker: ${v}`)] });
  };

  async function send({ method, path, headers, json, body, expect, via, why, example }) {
    const route = proxies ? via : 'direct';
    const base = route === 'prism' ? proxies.prism.url : route === 'unvalidated' ? proxies.unvalidated.url : fake.url;
    const init = { method, headers: { ...headers }, redirect: 'manual', signal: AbortSignal.timeout(20_000) };
    if (json !== undefined) {
      init.body = JSON.stringify(json);
      init.headers['content-type'] ??= 'application/json';
    } else if (body !== undefined) init.body = body;
    const step = String(++steps);
    if (route !== 'direct') Object.assign(init.headers, { [VARIANT_HEADER]: variant.name, [STEP_HEADER]: step });
    const res = await fetch(base + path, init);
    const text = await res.text();
    const received = { status: res.status, contentType: res.headers.get('content-type'), body: text };
    const problems = [];
    // What jobfake itself answered: the response, or what the router saw pass by.
    let answer = received;
    let reachedJobfake = true;
    if (route !== 'direct') {
      const violations = res.headers.get('sl-violations');
      if (violations) problems.push(`Prism: sl-violations ${violations}`);
      const upstream = await proxies.router.answerTo(step);
      if (!upstream || upstream.error) {
        reachedJobfake = false;
        problems.push(upstream ? `Prism could not reach jobfake: ${upstream.error}` : `Prism answered ${res.status} itself, jobfake was never asked: ${text.slice(0, 300)}`);
      } else {
        answer = upstream;
        if (upstream.status !== res.status || !sameBody(upstream.body, text)) problems.push(`Prism answered ${res.status} instead of jobfake's ${upstream.status}: ${text.slice(0, 300)}`);
      }
    }
    if (answer.status !== expect) problems.push(`expected ${expect}, got ${answer.status}: ${answer.body.slice(0, 300)}`);
    record({ method, path, ...answer, via: route, why, example, problems, request: { headers: init.headers, body: init.body } }, { reachedJobfake });
    let parsed = answer.body;
    if ((answer.contentType ?? '').includes('json') && parsed) parsed = JSON.parse(parsed);
    return { status: answer.status, headers: res.headers, text: answer.body, body: parsed };
  }

  /** One HTTP step: through the validating Prism unless `via` says otherwise (with `why`). */
  function call({ method = 'GET', path, headers = {}, json, body, expect, via = 'prism', why, example = false }) {
    if (via !== 'prism' && !why) throw new Error(`${method} ${path}: a step around the validating Prism says why`);
    const pending = send({ method, path, headers, json, body, expect, via, why, example }).catch((err) => {
      throw new Error(`${variant.name}: ${method} ${path}: ${err.message}`);
    });
    inFlight.add(pending);
    pending.then(() => inFlight.delete(pending), () => inFlight.delete(pending));
    return pending;
  }

  /** A raw CONNECT to an attach path, always straight to jobfake. */
  async function tunnel(path, { headers = {}, expect }) {
    const { socket, head, rest } = await openTunnel(`http://127.0.0.1:${fake.port}${path}`, { headers, timeoutMs: 10_000 });
    const status = Number(head.split(' ')[1]);
    const contentType = head.match(/^content-type:\s*(.+?)\r?$/im)?.[1] ?? null;
    const problems = status === expect ? [] : [`expected ${expect}, got ${status}`];
    const finish = (body) => record({ method: 'CONNECT', path, status, contentType, body, via: 'direct', why: 'CONNECT cannot pass through Prism', example: false, problems });
    if (status === 200) {
      finish('');
    } else {
      finish((await rest).toString());
      socket.destroy();
    }
    return { status, socket, rest };
  }

  /** A WebSocket upgrade (logs follow, deployments stream), always straight to jobfake: Prism does not proxy upgrades. */
  function websocket(path, { expect }) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${fake.port}${path}`);
      const finish = (status, contentType, body) =>
        record({ method: 'GET', path, status, contentType, body, via: 'direct', why: 'a WebSocket upgrade cannot pass through Prism', example: false, problems: status === expect ? [] : [`expected ${expect}, got ${status}`] });
      ws.once('upgrade', () => finish(101, null, ''));
      ws.once('open', () => resolve(ws));
      ws.once('unexpected-response', (_req, res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          finish(res.statusCode, res.headers['content-type'] ?? null, Buffer.concat(chunks).toString());
          resolve(ws);
        });
      });
      ws.once('error', reject);
    });
  }

  return {
    call,
    connect: tunnel,
    websocket,
    spec,
    /** A problem found by the tour itself (e.g. a wrong echo). */
    problem: (message) => loose.push(`${variant.name}: ${message}`),
    /**
     * Sends a request that waits on the fake's clock (a sync=true POST /jobs, or with `on: 'timer'`
     * a POST /contexts slow to start), and resolves once the fake holds it: then the tour may
     * advance the clock. `answer` is the response, when it comes.
     */
    waiting: async (step, { on = 'job' } = {}) => {
      // A job appears; a context slow to start shows as one more timer on the clock.
      const count = on === 'job' ? () => fake.spark.jobs().length : () => fake.liveCounts().timers;
      const before = count();
      let answered = false;
      const answer = call(step);
      answer.then(() => (answered = true), () => (answered = true));
      for (const deadline = Date.now() + 10_000; count() === before && !answered; ) {
        if (Date.now() > deadline) throw new Error(`${variant.name}: ${step.path}: the job never started`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return { answer };
    },
    /** Waits for every request still in flight. */
    settle: () => Promise.allSettled([...inFlight]),
  };
}

/**
 * Prism passes a JSON body on re-encoded without spaces: jobfake's formatted answers (Typesafe
 * Config's rendering of GET /jobs/{id}/config) arrive compact. Same JSON value, same body.
 */
function sameBody(sent, received) {
  if (sent === received) return true;
  try {
    return JSON.stringify(JSON.parse(sent)) === received;
  } catch {
    return false;
  }
}
