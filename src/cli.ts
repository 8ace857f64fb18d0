#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { FixtureError, defaultFixturesPath } from './fixtures.js';
import { ORIGIN_PATTERN } from './scalingo/cors.js';
import { defaultLimits, limitNames, limitSummaries, parseLimitFlag, type Limits } from './limits.js';
import { createLogger } from './log.js';
import { packageFile } from './paths.js';
import { startFake } from './server.js';

const HELP = `Usage: jobfake [options]

A fake Scalingo one-off/jobs API and Spark Jobserver REST API, on one port.

Options:
  --port N          port to listen on; 0 picks a free one (default 8090)
  --host H          interface to bind (default 127.0.0.1; anything else exposes the fake)
  --fixtures FILE   YAML or JSON fixtures file (default: the bundled fixtures/default.yaml)
  --public-url URL  base URL for the links handed out, when behind a proxy (default: the Host used)
  --cors-origin O   allow only this browser origin (e.g. http://127.0.0.1:3000) to call the Scalingo API; repeatable (default: any origin)
  --log FORMAT      one line per request on standard output: text or json (default text)
  --quiet           no request lines; the first line and errors still print (default off)
  --strict          warn on standard error when a client sends a field the spec marks deprecated (default off)
  --limit NAME=N    set one of the limits below, e.g. --limit bodyBytes=65536; repeatable (default: each one's own)
  --control-token T the control API (/__jobfake, the inspector too) then needs Authorization: Bearer T
                    or ?token=T; also read from JOBFAKE_CONTROL_TOKEN (default: none, the control API is open)
  -h, --help        show this help
  -v, --version     print the version

Limits (--limit NAME=N), with their defaults:
LIMITS`;

/** 127.0.0.0/8, ::1 and localhost: reachable from this machine only. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || /^(::ffff:)?127(\.\d{1,3}){3}$/i.test(host) || /^(0*:)+:?0*1$/.test(host.replace(/^\[|\]$/g, ''));
}

function fail(message: string): never {
  process.stderr.write(`jobfake: ${message}\n`);
  process.exit(2);
}

function parse() {
  try {
    return parseArgs({
      options: {
        port: { type: 'string', default: '8090' },
        host: { type: 'string', default: '127.0.0.1' },
        fixtures: { type: 'string' },
        'public-url': { type: 'string' },
        'cors-origin': { type: 'string', multiple: true },
        log: { type: 'string', default: 'text' },
        quiet: { type: 'boolean', default: false },
        strict: { type: 'boolean', default: false },
        limit: { type: 'string', multiple: true, default: [] },
        'control-token': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    fail(`${(err as Error).message.split('\n')[0]} (see jobfake --help)`);
  }
}

const flags = parse();
if (flags.help) {
  const width = Math.max(...limitNames.map((name) => name.length));
  const limitLines = limitNames.map((name) => `  ${name.padEnd(width)}  ${String(defaultLimits[name]).padStart(10)}  ${limitSummaries[name]}\n`).join('');
  process.stdout.write(HELP.replace('LIMITS', limitLines));
  process.exit(0);
}
if (flags.version) {
  process.stdout.write(`${JSON.parse(readFileSync(packageFile('package.json'), 'utf8')).version}\n`);
  process.exit(0);
}
if (!/^\d{1,5}$/.test(flags.port) || Number(flags.port) > 65535) {
  fail(`--port must be a number from 0 to 65535, got "${flags.port}"`);
}
const port = Number(flags.port);
const publicUrl = flags['public-url'];
if (publicUrl !== undefined && !/^https?:\/\/[^/]+/.test(publicUrl)) fail(`--public-url must be an http(s) URL, got "${publicUrl}"`);
const corsOrigins = flags['cors-origin'];
for (const origin of corsOrigins ?? []) if (!ORIGIN_PATTERN.test(origin)) fail(`--cors-origin takes an origin like http://127.0.0.1:3000 (scheme, host, port), got "${origin}"`);
if (flags.log !== 'text' && flags.log !== 'json') fail(`--log must be text or json, got "${flags.log}"`);
// The environment keeps the token out of the process list; the flag wins when both are set.
const controlToken = flags['control-token'] ?? (process.env['JOBFAKE_CONTROL_TOKEN'] || undefined);
const limits: Partial<Limits> = {};
for (const text of flags.limit) {
  try {
    const [name, value] = parseLimitFlag(text);
    limits[name] = value;
  } catch (err) {
    fail((err as Error).message);
  }
}

// Whoever reads standard output may close it (`jobfake | head -1`): then stop logging, keep serving.
let stdoutOpen = true;
process.stdout.on('error', () => (stdoutOpen = false));
const log = createLogger(flags.quiet ? 'silent' : flags.log, (line) => void (stdoutOpen && process.stdout.write(line)));

try {
  const fake = await startFake({ port, host: flags.host, fixtures: flags.fixtures, publicUrl, corsOrigins, log, strict: flags.strict, limits, controlToken });
  // Listen for signals before saying where we listen: whoever reads that line may stop us at once.
  const stop = () => {
    void fake.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.stdout.write(`jobfake listening on ${fake.url} (fixtures: ${flags.fixtures ?? defaultFixturesPath})\n`);
  if (!isLoopback(flags.host)) {
    const control = controlToken
      ? 'its control API (/__jobfake) needs the control token'
      : 'its control API (/__jobfake: reset, faults, uploaded files) needs no credentials (guard it with --control-token)';
    process.stderr.write(
      `jobfake: WARNING: bound to ${flags.host}, so other machines can reach this fake: ${control}, ` +
        `and any API token is accepted unless the fixtures list tokens. Use --host 127.0.0.1 unless you mean it.\n`,
    );
  }
} catch (err) {
  const error = err as NodeJS.ErrnoException;
  if (error instanceof FixtureError) fail(error.message);
  if (error.code === 'EADDRINUSE') fail(`port ${port} is already in use on ${flags.host} (pick another with --port, or --port 0 for a free one)`);
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') fail(`cannot bind to host ${flags.host}: ${error.code}`);
  if (error.code === 'EACCES') fail(`no permission to listen on ${flags.host}:${port}`);
  fail(error.message);
}
