import { connect, type Socket } from 'node:net';
import { call } from './fake.js';

export { freshNamespace } from './fake.js';

export const basic = (password: string) => `Basic ${Buffer.from(`:${password}`).toString('base64')}`;

/** POST /v1/tokens/exchange the way the CLI does it; returns the JWT. */
export async function login(base: string, apiToken = 'tk-us-test'): Promise<string> {
  const res = await call(`${base}/v1/tokens/exchange`, {
    method: 'POST',
    headers: { authorization: basic(apiToken), 'content-type': 'application/json', accept: 'application/json' },
    body: '{}',
  });
  if (res.status !== 200) throw new Error(`exchange failed: ${res.status} ${res.text}`);
  return res.body.token;
}

export function api(base: string, token: string) {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' };
  return {
    get: (path: string) => call(`${base}${path}`, { headers }),
    post: (path: string, body?: unknown) => call(`${base}${path}`, { method: 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) }),
  };
}

export interface Tunnel {
  socket: Socket;
  /** The status line and headers, as received. */
  head: string;
  /** Resolves with every byte received after the head, once the server closes its side. */
  rest: Promise<Buffer>;
}

/**
 * Opens a raw CONNECT to an attach URL, like the Go hijack client: writes the request (and
 * optionally bytes in the same packet), reads the response head, then the raw stream.
 */
export function openTunnel(attachUrl: string, { headers = {} as Record<string, string>, sameWrite = '' } = {}): Promise<Tunnel> {
  const url = new URL(attachUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    socket.once('connect', () => socket.write(`CONNECT ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nUser-Agent: Go-http-client/1.1\r\n${extra}\r\n${sameWrite}`));
    socket.once('error', reject);
    let buffered = Buffer.alloc(0);
    const chunks: Buffer[] = [];
    let headDone = false;
    let resolveRest: (b: Buffer) => void;
    const rest = new Promise<Buffer>((r) => (resolveRest = r));
    socket.on('data', (chunk: Buffer) => {
      if (headDone) return void chunks.push(chunk);
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      headDone = true;
      const head = buffered.subarray(0, end + 4).toString('latin1');
      const after = buffered.subarray(end + 4);
      if (after.length) chunks.push(after);
      resolve({ socket, head, rest });
    });
    socket.on('end', () => resolveRest(Buffer.concat(chunks)));
    socket.on('close', () => {
      resolveRest(Buffer.concat(chunks));
      if (!headDone) reject(new Error(`closed before a response head: ${buffered.toString('latin1')}`));
    });
  });
}

/** Runs a one-off and moves its operation to done; returns the run answer and the attach URL. */
export async function runToDone(fake: { namespace(ns: string): { clock: { advance(ms: number): void; pause(): void } } }, base: string, ns: string, body: object = { command: 'bash' }) {
  const token = await login(base);
  const scalingo = api(base, token);
  const run = await scalingo.post('/v1/apps/my-app/run', body);
  if (run.status !== 200) throw new Error(`run failed: ${run.status} ${run.text}`);
  fake.namespace(ns).clock.advance(10_000);
  const op = await scalingo.get(new URL(run.headers.get('location')!).pathname.replace(`/ns/${ns}`, ''));
  return { token, scalingo, run, operation: op.body.operation, attachUrl: op.body.operation.start_one_off_data?.attach_url as string };
}
