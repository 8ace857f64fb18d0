/**
 * Building blocks of the fuzz tests: arbitraries for hostile requests, a raw HTTP client that
 * sends them as they are (no URL normalization, no header fix-ups), and the check every answer
 * must pass.
 */
import fc from 'fast-check';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array | string;
  /** Send the body chunked (no Content-Length), as streaming clients do. */
  chunked?: boolean;
}

export interface Answer {
  status: number;
  contentType: string;
  text: string;
}

/** What came back: an answer, nothing within the time (still waiting), or a closed connection. */
export type Outcome = Answer | { timedOut: true } | { closed: string };

/** Sends one request through node:http, exactly as given; gives up (and aborts) after `timeoutMs`. */
export function send(port: number, agent: Agent, req: FuzzRequest, timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    // The framing is named, never left to node:http: it sends a GET, DELETE or OPTIONS body with
    // neither length nor chunks, and the server then reads those bytes as the next request.
    const framed = req.body !== undefined && !req.chunked;
    const framing = req.body === undefined ? {} : framed ? { 'content-length': String(Buffer.byteLength(req.body)) } : { 'transfer-encoding': 'chunked' };
    const headers = { ...req.headers, ...framing };
    const r = request({ host: '127.0.0.1', port, agent, method: req.method, path: req.path, headers }, (res) => {
      const chunks: Buffer[] = [];
      const contentType = String(res.headers['content-type'] ?? '');
      // An event stream never ends: its first event is the answer.
      if (contentType.startsWith('text/event-stream') && req.method !== 'HEAD') {
        res.once('data', (c: Buffer) => {
          clearTimeout(timer);
          r.destroy();
          resolve({ status: res.statusCode ?? 0, contentType, text: c.toString('utf8') });
        });
        return;
      }
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', (err) => {
        clearTimeout(timer);
        resolve({ closed: err.message });
      });
    });
    const timer = setTimeout(() => {
      r.destroy();
      resolve({ timedOut: true });
    }, timeoutMs);
    r.on('error', (err) => {
      clearTimeout(timer);
      resolve({ closed: err.message });
    });
    if (req.body !== undefined && !framed) {
      // Two writes: node:http then frames the body as chunks.
      const bytes = Buffer.from(req.body);
      r.write(bytes.subarray(0, bytes.length >> 1));
      r.end(bytes.subarray(bytes.length >> 1));
    } else r.end(req.body);
  });
}

/** Writes raw bytes on a fresh connection, then reads until the server closes it or `waitMs` passes. */
export function sendRaw(port: number, bytes: Uint8Array | string, { waitMs = 300, endAfter = true } = {}): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(bytes);
      if (endAfter) socket.end();
    });
    const chunks: Buffer[] = [];
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    };
    const timer = setTimeout(done, waitMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', done);
    socket.on('close', done);
  });
}

// ---------------------------------------------------------------------------------------------
// What every answer must be.

const isScalingoOrControl = (path: string) => /^(\/ns\/[^/]+)?\/(v1|attach|logs|deployments-stream|__jobfake)(\/|$|\?)/.test(path);

/** Text answers Spark Jobserver gives in plain text, as the real server does. */
const SPARK_TEXT_ANSWERS = [/^The query parameter '[^']+' was malformed:\n/, /^Request is missing required query parameter '/, /^Content-Type header must be set/, /^Unsupported binary type /, /^OK$/];

/** A Node or V8 stack frame, a source location or a path of this machine: none may reach a client. */
export const LEAK = /\bat (?:async )?[\w$.<>\[\] ]+ \((?:file:|node:|\/)|\bat (?:file|node):|node_modules|\/work\/|\/home\/|\.(?:ts|js|mjs):\d+:\d+|internal error/;

/** 5xx that the APIs document: limits reached (503) and Spark Jobserver's own 500s for POST /jobs. */
function documented5xx(method: string, path: string, answer: Answer): boolean {
  if (answer.status === 503) return true;
  if (answer.status !== 500) return false;
  // The real server's own 500s (openapi.yaml): an unknown data file, a PUT /contexts reset it does not know.
  if (method === 'DELETE' && /^(\/ns\/[^/]+)?\/data\/[^/?]+(\?|$)/.test(path)) return /scala\.MatchError/.test(answer.text);
  if (method === 'PUT' && /^(\/ns\/[^/]+)?\/contexts(\?|$)/.test(path)) return answer.text === '{"status":"ERROR","result":"ERROR"}';
  if (method !== 'POST' || !/^(\/ns\/[^/]+)?\/jobs(\?|$)/.test(path)) return false;
  return /AskTimeoutException|IllegalArgumentException|Request timed out|the namespace was reset|the client went away/.test(answer.text);
}

/** Why an answer breaks the rules, or [] when it is fine. */
export function problemsOf(req: Pick<FuzzRequest, 'method' | 'path'>, answer: Answer): string[] {
  const where = `${req.method} ${req.path.slice(0, 200)} → ${answer.status} ${answer.text.slice(0, 300)}`;
  const problems: string[] = [];
  if (answer.status >= 500 && !documented5xx(req.method, req.path, answer)) problems.push(`undocumented 5xx: ${where}`);
  if (answer.status < 200 || answer.status > 599) problems.push(`not an HTTP status: ${where}`);
  if (LEAK.test(answer.text)) problems.push(`stack frame or path in the body: ${where}`);
  if (req.method === 'HEAD' || answer.status < 400) return problems;
  // The server sees the path with its dot segments resolved (/attach/%2e%2e/files is /files).
  const shape = shapeProblem(new URL(`http://x${req.path}`).pathname, answer);
  if (shape) problems.push(`${shape}: ${where}`);
  return problems;
}

function shapeProblem(path: string, answer: Answer): string | undefined {
  const json = answer.contentType.startsWith('application/json');
  let body: unknown;
  if (json) {
    try {
      body = JSON.parse(answer.text);
    } catch {
      return 'JSON content type, body not JSON';
    }
  }
  const object = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  if (isScalingoOrControl(path)) {
    if (!object) return 'Scalingo/control error not a JSON object';
    const keys = Object.keys(object).sort().join(',');
    if (keys === 'error' && typeof object['error'] === 'string') return undefined;
    if (keys === 'error,resource' && typeof object['error'] === 'string' && typeof object['resource'] === 'string') return undefined;
    if (keys === 'errors' && isFieldErrors(object['errors'])) return undefined;
    // The real API's 404 for a path it does not serve.
    if (keys === 'message,url' && answer.status === 404 && /^(\/ns\/[^/]+)?\/v1(\/|$)/.test(path)) return undefined;
    return 'not a Scalingo error shape ({"error"}, {"resource","error"}, {"errors"}, or the 404 {"message","url"} of an unknown /v1 path)';
  }
  if (object) {
    return typeof object['status'] === 'string' && 'result' in object ? undefined : 'not a Spark Jobserver error shape ({"status","result"})';
  }
  if (answer.contentType.startsWith('text/plain') && SPARK_TEXT_ANSWERS.some((re) => re.test(answer.text))) return undefined;
  return 'not a Spark Jobserver error answer';
}

const isFieldErrors = (value: unknown) =>
  typeof value === 'object' && value !== null && Object.values(value).every((v) => Array.isArray(v) && v.every((m) => typeof m === 'string'));

// ---------------------------------------------------------------------------------------------
// Arbitraries.

/** Path segments a hostile or careless client sends; all of them legal in a request line. */
export const segment = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z0-9._~-]{1,24}$/) },
  { weight: 2, arbitrary: fc.string({ maxLength: 24 }).map((s) => encodeURIComponent(s)) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('', '.', '..', '%2e%2e', '%2F', '%00', '%ZZ', '%', '%E0%A4%A', '*', '**', '${x}', '{{x}}', '__proto__', 'constructor', '%C3%A9t%C3%A9', '%F0%9F%98%80', 'x'.repeat(600), ';', '@', ':', '+'),
  },
);

export const queryString = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom('sync', 'timeout', 'limit', 'status', 'appName', 'classPath', 'cp', 'mainClass', 'context', 'force', 'method', 'path', 'callbackUrl', 'spark.proxy.user', 'context-factory', 'num-cpu-cores'),
        fc.string({ maxLength: 10 }).map(encodeURIComponent),
      ),
      fc.oneof(
        fc.constantFrom('true', 'false', 'yes', 'off', 'maybe', '0', '-1', '2147483647', '2147483648', '99999999999999999999', '1e3', '', '%ZZ', '%', 'fz-jar', 'fz-ctx', 'spark.jobserver.WordCountExample', 'http://127.0.0.1/x', 'ftp://x', 'local:/x.jar', '/v1/**', '**a**a**b'),
        fc.string({ maxLength: 30 }).map(encodeURIComponent),
      ),
    ),
    { maxLength: 5 },
  )
  .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`));

const JSON_FIELDS = ['command', 'env', 'size', 'detached', 'has_uploads', 'async', 'signal', 'width', 'height', 'name', 'schedule', 'token', 'advance', 'paused', 'to', 'message', 'match', 'action', 'times', 'pending', 'running', 'error', 'result', 'duration', 'requiredConfig', 'binary', 'errorClass', 'started', 'contextStop'];

/** A JSON body: any JSON value, or an object made of the fields the routes read, with any values. */
export const jsonBody = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.dictionary(fc.constantFrom(...JSON_FIELDS), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }).map((v) => JSON.stringify(v)),
  fc.constantFrom('{', '{"command":', 'null', '[]', '"x"', '{"__proto__":{"x":1}}', '{"env":{"__proto__":"x"}}', '{"advance":1e308}', '{"width":"99999999999999999999"}', '\u0000', '{"a":1}{"b":2}'),
);

const HOCON_TOKENS = ['a', 'b.c', 'input.string', 'spark', 'context-settings', '=', ':', '+=', '{', '}', '[', ']', ',', '\n', ' ', '"', '"x y"', '"""', '${a}', '${?a}', '${b.c}', '//', '#', 'include', 'include "x"', 'include file("/etc/passwd")', '1', '-2.5e3', 'true', 'null', '\\', '.', '..', '$', 'cp', 'mainClass'];

/** A HOCON-ish body: a random mix of HOCON's tokens. */
export const hoconBody = fc.array(fc.constantFrom(...HOCON_TOKENS), { maxLength: 40 }).map((tokens) => tokens.join(''));

export const contentType = fc.oneof(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=fz',
    'multipart/form-data',
    'application/java-archive',
    'application/python-egg',
    'application/python-wheel',
    'application/octet-stream',
    '',
  ),
  fc.stringMatching(/^[ -~]{0,40}$/),
);

/** Header values Node lets a client send: visible ASCII, spaces and tabs. */
export const headerValue = fc.stringMatching(/^[!-~][ -~\t]{0,60}$/);
export const headerName = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,24}$/).filter((name) => !/^(content-length|transfer-encoding|host|connection|expect|upgrade|trailer|te)$/i.test(name));

// ---------------------------------------------------------------------------------------------
// Multipart bodies, broken in every way a client breaks them.

const boundaryText = fc.stringMatching(/^[A-Za-z0-9'()+_,.:=?-]{1,70}$/);

const part = fc.record({
  name: fc.constantFrom('file', 'file', 'other', '', 'fi"le', 'file\r\nX-Evil: 1'),
  filename: fc.option(
    fc.oneof(
      fc.constantFrom('dump.sql', '../../etc/passwd', '..', '.', '', 'a\u0000b', 'C:\\x\\y.txt', '/tmp/x', 'x'.repeat(300), 'é😀.txt', 'a"b', 'a\r\nb'),
      fc.string({ maxLength: 40 }),
    ),
    { freq: 4 },
  ),
  type: fc.option(fc.constantFrom('text/plain', 'application/octet-stream', '', 'x/y; charset=zz', 'multipart/mixed; boundary=inner')),
  /** A part header of this many bytes. */
  padding: fc.option(fc.integer({ min: 1000, max: 70_000 }), { freq: 8 }),
  content: fc.oneof(fc.uint8Array({ maxLength: 1024 }), fc.constant(new Uint8Array(40 * 1024))),
});

export interface MultipartCase {
  contentType: string;
  body: Buffer;
}

/** A multipart body: wrong or missing boundary, truncated, huge part headers, many parts. */
export const multipartBody: fc.Arbitrary<MultipartCase> = fc
  .record({
    boundary: boundaryText,
    headerBoundary: fc.option(fc.oneof(boundaryText, fc.constantFrom('', '"quoted"', 'a b')), { freq: 4 }),
    parts: fc.array(part, { maxLength: 4 }),
    many: fc.option(fc.integer({ min: 50, max: 2000 }), { freq: 8 }),
    closing: fc.boolean(),
    truncate: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { freq: 4 }),
    lineEnd: fc.constantFrom('\r\n', '\r\n', '\n'),
  })
  .map(({ boundary, headerBoundary, parts, many, closing, truncate, lineEnd: n }) => {
    const chunks: Buffer[] = [];
    const add = (p: { name: string; filename: string | null; type: string | null; padding: number | null; content: Uint8Array }) => {
      const disposition = `Content-Disposition: form-data; name="${p.name}"${p.filename === null ? '' : `; filename="${p.filename}"`}`;
      const head = [`--${boundary}`, disposition, ...(p.type === null ? [] : [`Content-Type: ${p.type}`]), ...(p.padding === null ? [] : [`X-Pad: ${'p'.repeat(p.padding)}`])];
      chunks.push(Buffer.from(`${head.join(n)}${n}${n}`), Buffer.from(p.content), Buffer.from(n));
    };
    for (const p of parts) add(p);
    for (let i = 0; i < (many ?? 0); i++) add({ name: `f${i}`, filename: null, type: null, padding: null, content: new Uint8Array([0x61]) });
    if (closing) chunks.push(Buffer.from(`--${boundary}--${n}`));
    let body = Buffer.concat(chunks);
    if (truncate !== null) body = body.subarray(0, Math.floor(body.length * truncate));
    const header = headerBoundary === '' ? 'multipart/form-data' : `multipart/form-data; boundary=${headerBoundary ?? boundary}`;
    return { contentType: header, body };
  });

// ---------------------------------------------------------------------------------------------
// Raw requests: what Node's parser must refuse without harm.

/** A whole request as bytes: request line, headers and body each possibly broken. */
export const rawRequest = fc
  .record({
    method: fc.oneof(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE', 'BREW', 'get', ''), fc.stringMatching(/^[A-Z]{1,10}$/)),
    target: fc.oneof(
      fc.constantFrom('/', '/healthz', '/jobs', '/v1/apps/my-app/run', '/attach/x/files', '/__jobfake/journal', '*', 'http://127.0.0.1/healthz', '/ns/fz/healthz', '', ' ', '/a b', '/\u0000', '/%00'),
      fc.string({ unit: 'binary-ascii', maxLength: 40 }),
    ),
    version: fc.constantFrom('HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', 'HTTP/1.1 extra', ''),
    headers: fc.array(
      fc.oneof(
        fc.constantFrom(
          'Host: x',
          'Content-Length: 5',
          'Content-Length: -1',
          'Content-Length: 99999999999999999999',
          'Content-Length: 5, 6',
          'Transfer-Encoding: chunked',
          'Transfer-Encoding: gzip, chunked',
          'Transfer-Encoding: identity',
          'Content-Type: application/json',
          'Content-Type: multipart/form-data; boundary=b',
          'Authorization: Bearer x',
          'Expect: 100-continue',
          'Connection: upgrade',
          'Upgrade: websocket',
          ' folded: header',
          'NoColon',
          ': empty name',
          `X-Big: ${'b'.repeat(20_000)}`,
        ),
        fc.string({ unit: 'binary-ascii', maxLength: 40 }),
      ),
      { maxLength: 6 },
    ),
    body: fc.oneof(fc.constantFrom('', 'hello', '5\r\nhello\r\n0\r\n\r\n', 'zz\r\nhello\r\n', '{"command":"bash"}', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'), fc.uint8Array({ maxLength: 256 }).map((b) => Buffer.from(b).toString('latin1'))),
    lineEnd: fc.constantFrom('\r\n', '\n', '\r'),
  })
  .map(({ method, target, version, headers, body, lineEnd }) => Buffer.from(`${method} ${target} ${version}${lineEnd}${headers.join(lineEnd)}${lineEnd}${lineEnd}${body}`, 'latin1'));

/** The status codes of every response in a raw reply (pipelined requests get one each). */
export const statusesIn = (reply: string) => [...reply.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));


