/**
 * Reading a request's body in a route, so that the journal keeps what was read without reading it
 * again (see journal.ts): every route that reads a body reads it through here.
 */
import type { Context } from 'hono';
import type { IncomingMessage } from 'node:http';
import { finished } from 'node:stream';
import type { AppEnv } from './context.js';

/** The body as text (UTF-8, as Hono's `c.req.text()`), noted for the journal. */
export async function readText(c: Context<AppEnv>): Promise<string> {
  const text = await c.req.text();
  c.set('journalBody', { contentType: c.req.header('content-type') ?? null, text });
  return text;
}

/**
 * The Node request under a Hono context while its body is still unread: it has a Content-Length
 * and no Transfer-Encoding, so the body limit decided from the headers and nothing read it
 * (a chunked body was read and counted by the body limit, and is c.req.raw's body now, unless
 * the route's body limit passed it on unread: `unknownLength: 'route'`).
 * Returns the request and its announced length in bytes.
 */
export function unreadBody(c: Context): { incoming: IncomingMessage; length: number } | undefined {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  const header = c.req.header('content-length');
  if (!incoming || header === undefined || c.req.header('transfer-encoding') !== undefined) return undefined;
  const length = Number(header);
  return Number.isSafeInteger(length) && length >= 0 ? { incoming, length } : undefined;
}

/**
 * Bytes written into one buffer, so that the data is copied into its final place as it comes: no
 * list of chunks joined at the end (two copies, and an object per chunk however small). The
 * buffer is reserved up front (`initial` = `capacity`: the size a request announced) or, for a
 * body of unknown length, grows by doubling from `initial` up to `capacity`. Writes past
 * `capacity` (bytes) are refused (false).
 */
export class ByteSink {
  private buffer: Buffer;
  private written = 0;

  constructor(
    private readonly capacity: number,
    initial = capacity,
  ) {
    this.buffer = Buffer.allocUnsafe(Math.min(initial, capacity));
  }

  write(chunk: Uint8Array): boolean {
    const need = this.written + chunk.length;
    if (need > this.capacity) return false;
    if (need > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.min(this.capacity, Math.max(need, this.buffer.length * 2)));
      grown.set(this.buffer.subarray(0, this.written));
      this.buffer = grown;
    }
    this.buffer.set(chunk, this.written);
    this.written = need;
    return true;
  }

  /**
   * What was written: a view on the buffer, or, when growing left more than 64 KiB unused, a copy
   * of just the bytes (a view would keep the whole buffer for as long as the bytes are kept).
   */
  bytes(): Buffer {
    const view = this.buffer.subarray(0, this.written);
    return this.buffer.length - this.written > 64 * 1024 ? Buffer.from(view) : view;
  }
}

/**
 * An unread body of known length (see unreadBody), streamed from the socket straight into one
 * buffer of that size: one copy kept. Rejects when the client leaves before the end, even before
 * this was called (stream.finished() sees a request already gone; a 'close' listener would not).
 */
export function readUnread({ incoming, length }: { incoming: IncomingMessage; length: number }): Promise<Buffer> {
  const sink = new ByteSink(length);
  return new Promise((resolve, reject) => {
    incoming.on('data', (chunk: Buffer) => {
      // Node's parser stops at Content-Length: more cannot come.
      if (!sink.write(chunk)) incoming.destroy(new Error('request body longer than its Content-Length'));
    });
    finished(incoming, { writable: false }, (err) => {
      if (!err) return resolve(sink.bytes());
      reject((err as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE' ? new Error('request body incomplete: the client went away') : err);
    });
  });
}
