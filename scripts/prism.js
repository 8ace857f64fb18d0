// Starts Prism (the CLI in node_modules, with this Node) on a free port, and stops it.
// Used by `npm run contract` and test/prism.test.ts.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { connect, createServer } from 'node:net';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The Prism CLI's entry file: run with process.execPath, so killing it kills Prism itself (no npx or shell in between). */
export function prismEntry() {
  const manifest = require.resolve('@stoplight/prism-cli/package.json');
  const { bin } = require(manifest);
  return join(dirname(manifest), typeof bin === 'string' ? bin : bin.prism);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const canConnect = (port) =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

/** Every Prism started and not yet stopped: killed at exit whatever happens. */
const running = new Set();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts `prism proxy <spec> <upstream> --errors` (or `prism mock <spec>` without upstream) and
 * resolves once it accepts connections. Rejects if Prism exits or is not ready in `timeoutMs`.
 */
export function startPrism(options) {
  // One start at a time: Prisms started together were seen to die of a SIGTERM while starting
  // (three at once, here, every time), so `npm run contract` never got going.
  const started = starting.then(() => startOne(options));
  starting = started.then(() => undefined, () => undefined);
  return started;
}

let starting = Promise.resolve();

async function startOne({ spec, upstream, errors = true, validateRequest = true, timeoutMs = 20_000 }) {
  const port = await freePort();
  const args = [prismEntry(), upstream ? 'proxy' : 'mock', spec, ...(upstream ? [upstream] : []), '--port', String(port), '--host', '127.0.0.1', '--verboseLevel', 'warn'];
  // jobfake answers CORS preflights itself (openapi.yaml documents them): Prism must pass them on.
  args.push('--cors=false');
  if (errors) args.push('--errors');
  if (!validateRequest) args.push('--validate-request=false');
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => (running.delete(child), resolve({ code, signal }))));
  child.once('error', (err) => (output += `\n${err.message}`));

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + timeoutMs;
  let gone = false;
  exited.then(() => (gone = true));
  while (!(await canConnect(port))) {
    if (gone || Date.now() > deadline) {
      await stop();
      throw new Error(`prism did not start (${gone ? 'it exited' : `not ready in ${timeoutMs} ms`}): ${output.trim().split('\n').slice(-5).join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `http://127.0.0.1:${port}`, pid: child.pid, stop, output: () => output };
}
