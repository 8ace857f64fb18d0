import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const cliPath = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run "npm run build" (npm test does it first)`);

/** How to run jobfake: the built CLI with this Node by default; the package test runs `npx jobfake`. */
export interface RunOptions {
  command?: [string, ...string[]];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** In its own process group, to signal npx and what it started at once (process.kill(-pid)). */
  detached?: boolean;
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Started {
  child: ChildProcess;
  firstLine: string;
  url: string;
  /** Settles once the process has exited and its output is closed, with everything it printed. */
  exited: Promise<Exit>;
}

function run(args: string[], options: RunOptions): { child: ChildProcess; exited: Promise<Exit>; stdout: () => string } {
  const [command, ...prefix] = options.command ?? [process.execPath, cliPath];
  const child = spawn(command, [...prefix, ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: options.cwd, env: options.env, detached: options.detached });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<Exit>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, exited, stdout: () => stdout };
}

/** Runs jobfake and waits for its first line of output. */
export function startCli(args: string[], options: RunOptions = {}): Promise<Started> {
  const { child, exited, stdout } = run(args, options);
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', () => {
      const newline = stdout().indexOf('\n');
      if (newline < 0) return;
      const firstLine = stdout().slice(0, newline);
      const url = firstLine.match(/http:\/\/\S+/)?.[0] ?? '';
      resolve({ child, firstLine, url, exited });
    });
    exited.then(({ code, stderr }) => reject(new Error(`jobfake exited with ${code} before printing: ${stderr}`)), reject);
  });
}

/** Runs jobfake to its end. */
export async function runCli(args: string[], options: RunOptions = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await run(args, options).exited;
  return { code, stdout, stderr };
}
