// What a user gets from the packed tarball: `npm pack`, install it into an empty project, then run
// the CLI with npx, import it from ESM and TypeScript, and run the README's vitest and CI examples.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/**
 * The environment of a user's shell: this Node first on PATH, without what `npm test` and vitest
 * added (the repo's node_modules/.bin, npm_package_* and npm_config_local_prefix, VITEST_*), which
 * would point npm and vitest back at this repo.
 */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const keep = /^npm_config_(cache|cafile|registry|userconfig|globalconfig|proxy|https_proxy|noproxy)$/;
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) && !keep.test(key)) continue;
    if (/^(__)?VITEST|^TINYPOOL/i.test(key)) continue;
    env[key] = value;
  }
  const path = (process.env.PATH ?? '').split(':').filter((dir) => !/node_modules[/\\]\.bin$|node-gyp-bin$/.test(dir));
  env.PATH = [dirname(process.execPath), ...path].join(':');
  return { ...env, ...extra };
}

/** Runs a command to its end in its own process group, which is killed if anything is left. */
function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? userEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      killGroup(child.pid!);
      resolve({ code, stdout, stderr });
    });
  });
}

function killGroup(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The README's code blocks marked `<!-- example: FILE -->`, by file name. */
function readmeExamples(): Map<string, string> {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const examples = new Map<string, string>();
  for (const [, file, code] of readme.matchAll(/<!-- example: (\S+) -->\n```\w*\n([\s\S]*?)```/g)) examples.set(file!, code!);
  return examples;
}

/** Links the repo's vitest, typescript and @types/node (and the vitest and tsc commands) into a project's node_modules. */
function linkTools(project: string): void {
  const modules = join(project, 'node_modules');
  mkdirSync(join(modules, '@types'), { recursive: true });
  mkdirSync(join(modules, '.bin'), { recursive: true });
  for (const name of ['vitest', 'typescript', '@types/node']) {
    const installed = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
    expect(installed, `${name} as pinned in package.json`).toBe(pkg.devDependencies[name]);
    symlinkSync(join(root, 'node_modules', name), join(modules, name), 'dir');
  }
  symlinkSync('../vitest/vitest.mjs', join(modules, '.bin/vitest'));
  symlinkSync('../typescript/bin/tsc', join(modules, '.bin/tsc'));
}

const npmWorks = spawnSync('npm', ['--version'], { env: userEnv(), encoding: 'utf8' }).status === 0;

/** The first Python that has pytest and requests (the README's Python example needs both). */
const python = ['python3', '/usr/bin/python3'].find(
  (candidate) => spawnSync(candidate, ['-c', 'import pytest, requests'], { env: userEnv(), stdio: 'ignore' }).status === 0,
);
if (!python) console.warn('package.test.ts: the pytest example is skipped, no python3 with pytest and requests (apt-get install -y python3-pytest python3-requests)');

// Each step runs npm, npx, tsc or vitest in a child process: seconds each, more on a busy machine.
describe.skipIf(!npmWorks)('the packed tarball, installed into an empty project', { timeout: 60_000 }, () => {
  let dir = '';
  let project = '';
  let packed: { path: string; mode: number }[] = [];
  let install = { code: null as number | null, stdout: '', stderr: '' };
  const examples = readmeExamples();

  beforeAll(async () => {
    if (!existsSync(join(root, 'dist/index.js'))) throw new Error('dist/ is missing: run "npm run build" (npm test does it first)');
    dir = mkdtempSync(join(tmpdir(), 'jobfake-package-'));
    // dist/ is already built by `npm test`; rebuilding here would pull it from under the other tests.
    const pack = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: root });
    expect(pack.code, pack.stderr).toBe(0);
    const [result] = JSON.parse(pack.stdout);
    packed = result.files;
    project = join(dir, 'project');
    mkdirSync(join(project, 'test'), { recursive: true });
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    for (const [file, code] of examples) if (!file.endsWith('.yml')) writeFileSync(join(project, file), code);
    // npm installs the tarball and its dependencies as a user's npm would. The user's own tools
    // (vitest, tsc, @types/node) are this repo's, the versions package.json pins, linked in
    // afterwards (npm would prune them): installing them again was most of this file's time.
    install = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(dir, result.filename)], { cwd: project });
    expect(install.code, install.stderr).toBe(0);
    linkTools(project);
  }, 180_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('holds only what a user needs: compiled JavaScript with its types, the spec, the fixtures, the Python example, README and licence', () => {
    const files = packed.map((file) => file.path).sort();
    const compiled = files.filter((file) => file.startsWith('dist/'));
    expect(files.filter((file) => !file.startsWith('dist/'))).toEqual([
      'LICENSE',
      'README.md',
      'examples/python/conftest.py',
      'examples/python/test_spark_jobserver.py',
      'fixtures/default.yaml',
      'fixtures/schema.json',
      'openapi.yaml',
      'package.json',
    ]);
    expect(compiled.filter((file) => !/\.(c?js|d\.ts)$/.test(file)), 'no source maps or stray files').toEqual([]);
    for (const js of compiled.filter((file) => file.endsWith('.js'))) expect(compiled, 'each module has its types').toContain(js.replace(/\.js$/, '.d.ts'));
    expect(compiled).toContain('dist/index.js');
  });

  it('ships dist/cli.js executable, with a node shebang', () => {
    const cli = packed.find((file) => file.path === 'dist/cli.js');
    expect((cli!.mode & 0o111).toString(8)).toBe('111');
    expect(readFileSync(join(project, 'node_modules/jobfake/dist/cli.js'), 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('installs on this Node with no engine warning and no install script to approve', () => {
    expect(install.stderr).not.toMatch(/EBADENGINE|install-scripts/);
  });

  it('starts with `npx jobfake --port 0`, prints its URL first, answers /healthz, and stops on SIGTERM', async () => {
    const { child, firstLine, url, exited } = await startCli(['--port', '0'], { command: ['npx', 'jobfake'], cwd: project, env: userEnv(), detached: true });
    try {
      expect(firstLine).toMatch(/^jobfake listening on http:\/\/127\.0\.0\.1:\d+ \(fixtures: .*node_modules\/jobfake\/fixtures\/default\.yaml\)$/);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    } finally {
      killGroup(child.pid!, 'SIGTERM');
    }
    const { stdout } = await exited;
    expect(stdout.split('\n')[1]).toMatch(/ GET \/healthz 200 .* ns=default$/);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('lists every flag with its default in `npx jobfake --help`, and prints the version with --version', async () => {
    const [help, version] = await Promise.all([run('npx', ['jobfake', '--help'], { cwd: project }), run('npx', ['jobfake', '--version'], { cwd: project })]);
    expect(help.code).toBe(0);
    for (const flag of ['--port', '--host', '--fixtures', '--public-url', '--log', '--quiet']) {
      expect(help.stdout.split('\n').find((line) => line.trimStart().startsWith(`${flag} `)), flag).toMatch(/\(default\b/);
    }
    expect(version).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });

  it('imports startFake from ESM on this Node, and resolves the spec and the fixtures through exports', async () => {
    writeFileSync(
      join(project, 'esm.mjs'),
      `import { startFake } from 'jobfake';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const fake = await startFake({ port: 0 });
const status = (await fetch(fake.url + '/healthz')).status;
await fake.close();
const read = (name) => readFileSync(fileURLToPath(import.meta.resolve(name)), 'utf8');
console.log(JSON.stringify({
  node: process.version,
  status,
  spec: read('jobfake/openapi.yaml').split('\\n')[0],
  schema: JSON.parse(read('jobfake/fixtures/schema.json')).type,
  fixtures: read('jobfake/fixtures/default.yaml').length > 0,
}));
`,
    );
    const { code, stdout, stderr } = await run('node', ['esm.mjs'], { cwd: project });
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ node: process.version, status: 200, spec: expect.stringMatching(/^openapi: 3\./), schema: 'object', fixtures: true });
  });

  it("type-checks TypeScript against the installed types: a typed use and the README's vitest files", async () => {
    writeFileSync(
      join(project, 'typed.ts'),
      `import { startFake, type Fake, type LogEntry, type StartOptions } from 'jobfake';
const seen: LogEntry[] = [];
const options: StartOptions = { port: 0, log: (entry) => seen.push(entry) };
const fake: Fake = await startFake(options);
const url: string = fake.url;
// @ts-expect-error a port is a number: this line errs only if the types really resolved
await startFake({ port: '8090' });
await fake.close();
export { url };
`,
    );
    // skipLibCheck, as `tsc --init` sets it: checking every declaration file (Node's, Ajv's, Hono's)
    // was three quarters of this file's time. What it would find in jobfake's own declarations,
    // an import a user cannot resolve, is checked below.
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, types: ['node'], skipLibCheck: true }, include: ['*.ts', 'test/*.ts'] }),
    );
    const { code, stdout } = await run('npx', ['tsc', '--noEmit', '-p', '.'], { cwd: project });
    expect(stdout).toBe('');
    expect(code).toBe(0);
    // Each package jobfake's declarations import is a dependency, installed with its own types.
    const installed = join(project, 'node_modules/jobfake');
    const declarations = packed.map((file) => file.path).filter((path) => path.endsWith('.d.ts'));
    const imported = new Set(declarations.flatMap((path) => [...readFileSync(join(installed, path), 'utf8').matchAll(/(?:from |import\()'([^'.][^']*)'/g)].map((m) => m[1]!)));
    const packages = new Set([...imported].filter((name) => !name.startsWith('node:')).map((name) => name.split('/').slice(0, name.startsWith('@') ? 2 : 1).join('/')));
    expect([...packages].sort()).toEqual(expect.arrayContaining(['hono']));
    for (const name of packages) {
      expect(pkg.dependencies, `${name}, imported by jobfake's declarations`).toHaveProperty([name]);
      const manifest = JSON.parse(readFileSync(join(project, 'node_modules', name, 'package.json'), 'utf8'));
      expect(manifest.types ?? manifest.typings ?? JSON.stringify(manifest.exports ?? {}), `${name} ships its types`).toMatch(/\.d\.[cm]?ts/);
    }
  });

  it("runs the README's vitest globalSetup example: a fake for the run, its URL injected", async () => {
    expect([...examples.keys()]).toEqual(['vitest.config.ts', 'test/jobfake.setup.ts', 'test/jobs.test.ts', 'ci-step.yml']);
    const { code, stdout, stderr } = await run('npx', ['vitest', 'run'], { cwd: project });
    expect(code, stdout + stderr).toBe(0);
    expect(plain(stdout)).toMatch(/Tests\s+1 passed \(1\)/);
  });

  it("runs the README's CI step: npx jobfake in the background, the tests against it, then stopped", async () => {
    const step = parseYaml(examples.get('ci-step.yml')!)[0] as { env: Record<string, string>; run: string };
    const port = String(await freePort());
    // As GitHub Actions runs a `run:` block, on a free port instead of the example's 8090.
    const { code, stdout, stderr } = await run('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run], {
      cwd: project,
      env: userEnv({ ...step.env, JOBFAKE_PORT: port }),
    });
    expect(code, stdout + stderr).toBe(0);
    expect(plain(stdout)).toMatch(/Tests\s+1 passed \(1\)/);
    const [first, ...lines] = readFileSync(join(project, 'jobfake.log'), 'utf8').trimEnd().split('\n');
    expect(first).toMatch(new RegExp(`^jobfake listening on http://127\\.0\\.0\\.1:${port} `));
    const requests = lines.map((line) => JSON.parse(line));
    // At least the readiness check and the test's own request reached this jobfake.
    expect(requests.length).toBeGreaterThanOrEqual(2);
    for (const entry of requests) expect(entry).toMatchObject({ type: 'request', method: 'GET', path: '/healthz', status: 200 });
    // Stopped when the step ended: nothing holds the port any more.
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it.skipIf(!python)("runs the shipped Python example (examples/python): pytest starts `npx jobfake`, a namespace per test, requests as the client", async () => {
    const tests = join(project, 'tests');
    mkdirSync(tests, { recursive: true });
    for (const file of ['conftest.py', 'test_spark_jobserver.py']) copyFileSync(join(project, 'node_modules/jobfake/examples/python', file), join(tests, file));
    const { code, stdout, stderr } = await run(python!, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests'], { cwd: project });
    expect(code, stdout + stderr).toBe(0);
    expect(stdout).toMatch(/^6 passed\b/m);
    // Stopped at the end of the session: no jobfake left from it.
    expect(spawnSync('pgrep', ['-f', join(project, 'node_modules/.bin/jobfake')]).status).toBe(1);
  });
});
