/**
 * Runs jobfake for the benchmarks, in its own process: startFake from the built dist/, with the
 * limits a load test needs (see LIMITS), the bundled fixtures with shorter Spark jobs. Its port
 * goes to the parent over IPC; `{ gc: true }` collects garbage and answers process.memoryUsage().
 * `--check-responses` turns on the response checks of tests (the first-call bench).
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

type Jobfake = typeof import('../../src/index.js');
const root = process.cwd();
const { startFake, loadFixturesFile } = (await import(pathToFileURL(join(root, 'dist/index.js')).href)) as Jobfake;

const LIMITS = {
  // The real CLI needs the FIN held back 300 ms after the session ends; a benchmark client does not.
  attachCloseGraceMs: 0,
  // Room for the 5,000-session test (the default is 10,000), stated so a default change shows.
  attachSessions: 20_000,
};

const fixtures = loadFixturesFile(join(root, 'fixtures/default.yaml'));
// Each POST /jobs without a context opens an ad-hoc context until its job ends: 1 s jobs at a few
// thousand submits a second would hit the 1,000-context limit and measure 503s.
fixtures.sparkJobserver = { ...fixtures.sparkJobserver, schedule: { ...fixtures.sparkJobserver?.schedule, running: 20 } };

// --check-responses: as useFake() starts it in tests, every answer checked against openapi.yaml.
const fake = await startFake({ port: 0, limits: LIMITS, fixtures, checkResponses: process.argv.includes('--check-responses') });
process.send!({ port: fake.port });
process.on('message', (message: { gc?: boolean }) => {
  if (message.gc) {
    globalThis.gc?.();
    globalThis.gc?.();
    process.send!({ memory: process.memoryUsage(), live: fake.liveCounts() });
  }
});
process.on('disconnect', () => void fake.close().then(() => process.exit(0)));
