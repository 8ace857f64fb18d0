// npm run contract: the tour of both APIs (scripts/tour.js) through `prism proxy openapi.yaml
// <jobfake> --errors`, offline. Fails on any response with an sl-violations header (warnings
// included), any answer Prism made up itself (its 422 for a request it finds invalid, its 500 for a
// response that breaks the spec), any answer of jobfake the in-process checker refuses, any
// documented operation × status the tour never produced, and any example `prism mock` cannot serve.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import { Spec } from '../dist/index.js';
import { startPrism } from './prism.js';
import { runTour, specFile, variants } from './tour.js';

const LIMIT_MS = 180_000;
const began = performance.now();
const seconds = () => ((performance.now() - began) / 1000).toFixed(1);
// Bounded whatever happens; exiting kills every Prism started (scripts/prism.js).
setTimeout(() => {
  console.error(`contract: not done after ${LIMIT_MS / 1000} s, giving up`);
  process.exit(1);
}, LIMIT_MS).unref();
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));

const prismVersion = createRequire(import.meta.url)('@stoplight/prism-cli/package.json').version;
const spec = new Spec(readFileSync(specFile, 'utf8'));
const TOUR_HEADERS = /^x-jobfake-tour-/;

console.log(`contract: Prism ${prismVersion} (proxy, --errors) in front of jobfake, ${variants.length} fakes:`);
// prism mock starts while the tour runs: it serves the examples afterwards.
const mock = startPrism({ spec: specFile });
mock.catch(() => {});
let records;
let loose;
try {
  ({ records, problems: loose } = await runTour({ throughPrism: true, say: (line) => console.log(`  ${line}`) }));
} catch (err) {
  console.error(`contract: the tour stopped: ${err.stack ?? err}`);
  await mock.then((m) => m.stop(), () => {});
  process.exit(1);
}

// ---- Which documented operation × status the tour produced, and how.
const RANK = { prism: 3, unvalidated: 2, direct: 1 };
const MARK = { prism: '✓', unvalidated: '~', direct: 'd' };
const best = new Map();
for (const r of records) {
  if (!r.operationId) continue;
  const key = `${r.operationId} ${r.status}`;
  if ((RANK[r.via] ?? 0) > (RANK[best.get(key)] ?? 0)) best.set(key, r.via);
}
const rows = spec.operations.map((op) => ({
  op,
  route: `${op.method} ${op.pathTemplate}`,
  statuses: Object.keys(op.operation.responses ?? {}).map((status) => ({ status, via: best.get(`${op.operationId} ${status}`) })),
}));
const idWidth = Math.max(...rows.map((r) => r.op.operationId.length));
const routeWidth = Math.max(...rows.map((r) => r.route.length));
console.log(`\noperation × documented status: ✓ through Prism, ~ through Prism without request validation (an off-spec request on purpose), d straight to jobfake, ✗ never answered`);
for (const row of rows) {
  console.log(`  ${row.op.operationId.padEnd(idWidth)}  ${row.route.padEnd(routeWidth)}  ${row.statuses.map((s) => `${s.status}${s.via ? MARK[s.via] : '✗'}`).join(' ')}`);
}
const pairs = rows.flatMap((r) => r.statuses);
const missing = rows.flatMap((r) => r.statuses.filter((s) => !s.via).map((s) => `${r.op.operationId} ${s.status}`));
const toured = rows.filter((r) => r.statuses.some((s) => s.via)).length;

// ---- Why some responses went around the validating Prism.
const around = new Map();
for (const r of records) if (r.via !== 'prism') around.set(r.why, (around.get(r.why) ?? 0) + 1);
console.log('\naround the validating Prism:');
for (const [why, count] of around) console.log(`  ${String(count).padStart(3)} × ${why}`);
const connects = records.filter((r) => r.method === 'CONNECT');
const echoed = !loose.some((p) => p.includes('echo'));
console.log(`  CONNECT: the attach tunnel was opened with a raw socket straight on jobfake (${connects.map((r) => r.status).join(', ')})${echoed ? ', and echoed "hello\\n" before EOT ended it' : ''}`);

// ---- prism mock: every example it should serve, for the same requests.
let examplesServed = 0;
const mockProblems = [];
try {
  const prism = await mock;
  try {
    const done = new Set();
    for (const r of records) {
      if (r.via !== 'prism' || !r.contentType || !r.body) continue;
      const mediaType = r.contentType.split(';')[0].trim().toLowerCase();
      const key = `${r.operationId} ${r.status} ${mediaType}`;
      if (done.has(key)) continue;
      done.add(key);
      const op = spec.operations.find((o) => o.operationId === r.operationId);
      const response = spec.resolve(op.operation.responses[r.status].$ref ?? `${op.pointer}/responses/${r.status}`);
      const example = response.content?.[mediaType]?.example;
      if (example === undefined) {
        mockProblems.push(`${key}: no example in openapi.yaml (run npm run examples)`);
        continue;
      }
      const headers = Object.fromEntries(Object.entries(r.request.headers).filter(([k]) => !TOUR_HEADERS.test(k)));
      const res = await fetch(prism.url + r.path, { method: r.method, headers: { ...headers, accept: mediaType, prefer: `code=${r.status}` }, body: r.request.body, signal: AbortSignal.timeout(10_000) });
      const text = await res.text();
      const got = mediaType.endsWith('json') && text ? JSON.parse(text) : text;
      if (res.status !== Number(r.status) || !isDeepStrictEqual(got, example)) mockProblems.push(`${key}: prism mock answered ${res.status} ${text.slice(0, 200)}`);
      else examplesServed++;
    }
  } finally {
    await prism.stop();
  }
} catch (err) {
  mockProblems.push(`prism mock: ${err.message}`);
}
console.log(`\nprism mock openapi.yaml: ${examplesServed}/${examplesServed + mockProblems.length} operation × status × media type answered with the spec's example (the tour's requests, with Prefer: code=…)`);

// ---- Verdict.
const failing = records.filter((r) => r.problems.length > 0);
const counts = Object.fromEntries(Object.keys(RANK).map((via) => [via, records.filter((r) => r.via === via).length]));
const violations = records.filter((r) => r.problems.some((p) => p.startsWith('Prism: sl-violations'))).length;
if (failing.length || loose.length || missing.length || mockProblems.length) {
  console.error('\ncontract: FAILED');
  for (const r of failing) console.error(`  ${r.variant}: ${r.method} ${r.path} → ${r.status} (${r.via})\n    ${r.problems.join('\n    ')}`);
  for (const p of loose) console.error(`  ${p}`);
  if (missing.length) console.error(`  documented but never answered in the tour (add steps to scripts/tour.js): ${missing.join(', ')}`);
  for (const p of mockProblems) console.error(`  ${p}`);
}
console.log(
  `\ncontract: ${toured}/${spec.operations.length} operations, ${pairs.length - missing.length}/${pairs.length} operation × status toured; ` +
    `${records.length} responses checked, all by the in-process checker: ${counts.prism} also by Prism, ${counts.unvalidated} also by Prism without request validation, ${counts.direct} straight to jobfake; ` +
    `${violations} with sl-violations, ${failing.length + loose.length + mockProblems.length} problems; ${seconds()} s`,
);
process.exit(failing.length || loose.length || missing.length || mockProblems.length ? 1 : 0);
