// The Scalingo client flow as the CLI runs it: the API token exchanged for a JWT (Basic auth, an
// empty user), a one-off run (Bearer), and the attach URL's raw CONNECT tunnel. One copy, shared by
// the tests (test/helpers/scalingo.ts), the soak (test/helpers/soak.ts), the bench (bench/) and the
// contract tour (scripts/tour.js); plain JS so that the tour runs it without a build.
// Types: scalingo-client.d.ts.
import { connect } from 'node:net';

/** `Authorization: Basic` with an empty user: how the CLI sends its API token (and the JWT to attach URLs). */
export const basic = (password) => `Basic ${Buffer.from(`:${password}`).toString('base64')}`;

/** The headers of an API call with an exchanged token. */
export const bearer = (token) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' });

async function post(url, headers, body) {
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}

/** POST /v1/tokens/exchange as the CLI does it; resolves with the JWT, rejects on any other answer than 200. */
export async function exchangeToken(base, apiToken) {
  const res = await post(`${base}/v1/tokens/exchange`, { authorization: basic(apiToken), 'content-type': 'application/json', accept: 'application/json' }, '{}');
  if (res.status !== 200) throw new Error(`exchange failed: ${res.status} ${res.text}`);
  return res.body.token;
}

/** POST /v1/apps/{app}/run; resolves with the answer, its operation URL (Location) and attach URL, rejects on any other answer than 200. */
export async function runOneOff(base, token, body = { command: 'bash' }, app = 'my-app') {
  const res = await post(`${base}/v1/apps/${app}/run`, bearer(token), JSON.stringify(body));
  if (res.status !== 200) throw new Error(`run failed: ${res.status} ${res.text}`);
  return { ...res, operationUrl: res.headers.get('location'), attachUrl: res.body.attach_url };
}

/**
 * Opens a raw CONNECT to an attach URL, like the Go hijack client: writes the request (and
 * `sameWrite`, bytes in the same packet), resolves once the answer's head is read with the socket,
 * the head (status line and headers, with the empty line) and `rest`: every byte after the head,
 * once the server closes its side. Rejects when the socket closes before a head, or none came
 * within `timeoutMs`.
 */
export function openTunnel(attachUrl, { headers = {}, sameWrite = '', timeoutMs = 0 } = {}) {
  const url = new URL(attachUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const timer = timeoutMs > 0 ? setTimeout(() => (socket.destroy(), reject(new Error(`CONNECT ${url.pathname}: no answer in ${timeoutMs} ms`))), timeoutMs) : undefined;
    const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    socket.once('connect', () => socket.write(`CONNECT ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nUser-Agent: Go-http-client/1.1\r\n${extra}\r\n${sameWrite}`));
    socket.once('error', (err) => (clearTimeout(timer), reject(err)));
    let buffered = Buffer.alloc(0);
    const chunks = [];
    let headDone = false;
    let resolveRest;
    const rest = new Promise((r) => (resolveRest = r));
    socket.on('data', (chunk) => {
      if (headDone) return void chunks.push(chunk);
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      headDone = true;
      clearTimeout(timer);
      const head = buffered.subarray(0, end + 4).toString('latin1');
      const after = buffered.subarray(end + 4);
      if (after.length) chunks.push(after);
      resolve({ socket, head, rest });
    });
    socket.on('end', () => resolveRest(Buffer.concat(chunks)));
    socket.on('close', () => {
      resolveRest(Buffer.concat(chunks));
      clearTimeout(timer);
      if (!headDone) reject(new Error(`closed before a response head: ${buffered.toString('latin1')}`));
    });
  });
}
