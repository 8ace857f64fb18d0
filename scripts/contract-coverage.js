// After the test run: which operation × documented status of openapi.yaml the tests made the
// fake answer (test/helpers/fake.ts records them). Prints the table; fails on any gap.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const root = new URL('..', import.meta.url).pathname;
const dir = join(root, '.contract-coverage');
const spec = parse(readFileSync(join(root, 'openapi.yaml'), 'utf8'));

const seen = new Set();
let files = [];
try {
  files = readdirSync(dir).filter((f) => f.endsWith('.json'));
} catch {}
for (const file of files) for (const { operationId, status } of JSON.parse(readFileSync(join(dir, file), 'utf8'))) seen.add(`${operationId} ${status}`);
rmSync(dir, { recursive: true, force: true });

const rows = [];
for (const [path, item] of Object.entries(spec.paths)) {
  const ops = { ...Object.fromEntries(['get', 'put', 'post', 'delete', 'patch'].filter((m) => item[m]).map((m) => [m, item[m]])), ...item['x-oai-additionalOperations'] };
  for (const [method, op] of Object.entries(ops)) {
    const statuses = Object.keys(op.responses ?? {});
    rows.push({ id: op.operationId, route: `${method.toUpperCase()} ${path}`, statuses: statuses.map((s) => ({ s, hit: seen.has(`${op.operationId} ${s}`) })) });
  }
}
const width = Math.max(...rows.map((r) => r.id.length));
const routeWidth = Math.max(...rows.map((r) => r.route.length));
let total = 0;
let hit = 0;
console.log(`\ncontract coverage: operation × documented status exercised by the tests (✓) or not (✗)`);
for (const row of rows) {
  total += row.statuses.length;
  hit += row.statuses.filter((x) => x.hit).length;
  console.log(`  ${row.id.padEnd(width)}  ${row.route.padEnd(routeWidth)}  ${row.statuses.map((x) => `${x.s}${x.hit ? '✓' : '✗'}`).join(' ')}`);
}
const percent = total ? Math.floor((hit / total) * 1000) / 10 : 0;
console.log(`  ${hit}/${total} operation × status pairs exercised (${percent}%)\n`);
if (files.length === 0) {
  console.error('contract coverage: no results recorded (did the tests run with useFake()?)');
  process.exit(1);
}
if (hit < total) {
  console.error('contract coverage: the ✗ pairs above are documented but never answered in the tests');
  process.exit(1);
}
