import type { Context } from 'hono';
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { Readable, Writable, finished } from 'node:stream';
import { discardRest } from '../body-limit.js';
import { ByteSink, unreadBody } from '../request-body.js';

export class MultipartError extends Error {}

/** A form of unknown length (chunked) went past its bound as it streamed: answer 413. */
export class FormTooLarge extends Error {}

/** Bytes a whole upload form may take: the file's limit and room for the multipart framing. */
export const uploadFormBytes = (uploadBytes: number) => uploadBytes + 64 * 1024;

/** The 413's words for a form over uploadFormBytes. */
export const uploadTooLarge = (uploadBytes: number) => `upload too large (limit ${uploadBytes} bytes)`;

export interface FilePart {
  filename: string;
  type: string;
  body: Buffer;
  /** More bytes came than the limit: `body` holds only the first `limit` + 1. */
  truncated: boolean;
}

/** Bounds on what a form may hold beyond its one file. */
const FORM_LIMITS = { fields: 20, fieldSize: 64 * 1024, parts: 50, headerPairs: 50, fieldNameSize: 200 };

/**
 * Streams a multipart/form-data body through busboy and keeps the last part named `file` (as a
 * form does), at most `maxFileBytes` of it, in one buffer: with a Content-Length, one of the
 * announced size (memory about one copy of the file); chunked, one growing as the file comes.
 * A body of unknown length (the body limit passed it on unread) is counted as it streams; past
 * `maxFormBytes` the rest is dropped (bounded, as the body limit drops it) and FormTooLarge thrown.
 */
export async function readFilePart(c: Context, maxFileBytes: number, maxFormBytes: number): Promise<FilePart | undefined> {
  // busboy is loaded on the first upload, not at start.
  const { default: busboy } = await import('busboy');
  // With a Content-Length the Node request is still unread: stream it as is, the file written
  // into one buffer of at most that size.
  const unread = unreadBody(c);
  // The current file part's bytes, and how many parts named "file" began so far.
  let sink: ByteSink | undefined;
  let parts = 0;
  // Once answered (a file, or why not), a chunked body still coming is dropped, not parsed.
  let settled = false;
  return new Promise<FilePart | undefined>((resolve, reject) => {
    let parser: Writable;
    try {
      // busboy marks a file truncated once it reaches fileSize, a file of exactly the limit too:
      // one byte more is kept, and only a file past the limit counts as truncated.
      parser = busboy({ headers: { 'content-type': c.req.header('content-type') ?? '' }, limits: { ...FORM_LIMITS, files: 10, fileSize: maxFileBytes + 1 } });
    } catch (err) {
      return reject(new MultipartError((err as Error).message));
    }
    let file: FilePart | undefined;
    parser.on('file', (name: string, stream: Readable & { truncated?: boolean }, info: { filename: string; mimeType: string }) => {
      // When the body breaks off (the client left), busboy destroys the open part with that
      // error: unheard, it would be an uncaught exception, and jobfake would exit. The parser's
      // error listener below reports it.
      stream.on('error', () => {});
      if (name !== 'file') return void stream.resume();
      // A later part named "file" replaces this one: from then on this one's bytes are dropped
      // (its data may still be flowing: part events come before their data).
      const part = ++parts;
      sink = undefined;
      stream.on('data', (chunk: Buffer) => {
        if (part !== parts) return;
        sink ??= unread ? new ByteSink(Math.min(unread.length, maxFileBytes + 1)) : new ByteSink(maxFileBytes + 1, 64 * 1024);
        sink.write(chunk);
      });
      stream.on('end', () => {
        if (part !== parts) return;
        const body = sink?.bytes() ?? Buffer.alloc(0);
        file = { filename: info.filename ?? '', type: info.mimeType, body, truncated: body.length > maxFileBytes };
      });
    });
    // A client that leaves mid-upload, or a body busboy cannot read, ends here with an error.
    if (unread) return pipeKnownLength(unread.incoming, parser, reject, () => resolve(file));
    // on, not once: a write after the parser failed errs again, and an unheard error would exit.
    parser.on('error', (err: Error) => reject(new MultipartError(err.message)));
    parser.once('close', () => resolve(file));
    feedCounted(c.req.raw.body, parser, maxFormBytes, () => settled).catch((err: Error) => {
      parser.destroy();
      reject(err instanceof FormTooLarge ? err : new MultipartError(err.message));
    });
  }).finally(() => (settled = true));
}

/**
 * Pipes a body of known length into the parser; `done` once it closed, `reject` with a
 * MultipartError when it failed. Not pipeline(): on a form the parser refuses, it destroys the
 * request, and with it the socket, before the 400 is written (the client saw a reset). Here the
 * rest is read and dropped (at most the Content-Length the body limit allowed): the connection
 * serves the next request if the rest arrives within @hono/node-server's drain of an unread body
 * (500 ms), else it is closed as for any body left unread. A request that ended early (the client
 * left, even before this was called: busboy is imported on the first upload) fails the parser.
 */
export function pipeKnownLength(incoming: IncomingMessage, parser: Writable, reject: (err: Error) => void, done: () => void): void {
  finished(incoming, { writable: false }, (err) => {
    if (err) parser.destroy(new Error('request body incomplete: the client went away'));
  });
  // on, not once: a write after the parser failed errs again, and an unheard error would exit.
  parser.on('error', (err: Error) => {
    incoming.unpipe(parser);
    incoming.resume();
    reject(new MultipartError(err.message));
  });
  parser.once('close', done);
  incoming.pipe(parser);
}

/**
 * Writes a body of unknown length into the parser, counting; past `max` bytes, FormTooLarge. Once
 * the form is answered or refused, the rest is read and dropped (see discardRest): left unread,
 * it would stall the connection, and the client might never read its answer.
 */
async function feedCounted(body: ReadableStream<Uint8Array> | null, parser: Writable, max: number, answered: () => boolean): Promise<void> {
  if (!body) return void parser.end();
  const reader = body.getReader();
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return void parser.end();
      size += value.length;
      if (size > max) throw new FormTooLarge(`form over ${max} bytes`);
      if (answered() || parser.destroyed) return void discardRest(reader);
      // once() rejects when the parser errs while full: the rest is dropped below.
      if (!parser.write(value)) await once(parser, 'drain');
    }
  } catch (err) {
    discardRest(reader);
    throw err;
  }
}
