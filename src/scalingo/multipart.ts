import type { Context } from 'hono';
import { Readable, Writable, pipeline } from 'node:stream';
import { ByteSink, unreadBody } from '../request-body.js';

export class MultipartError extends Error {}

export interface FilePart {
  filename: string;
  type: string;
  body: Buffer;
  /** More bytes came than the limit: `body` holds only the first `limit`. */
  truncated: boolean;
}

/** Bounds on what a form may hold beyond its one file. */
const FORM_LIMITS = { fields: 20, fieldSize: 64 * 1024, parts: 50, headerPairs: 50, fieldNameSize: 200 };

/**
 * Streams a multipart/form-data body through busboy and keeps the last part named `file` (as a
 * form does), at most `maxFileBytes` of it: memory stays about one copy of the file.
 */
export async function readFilePart(c: Context, maxFileBytes: number): Promise<FilePart | undefined> {
  // busboy is loaded on the first upload, not at start.
  const { default: busboy } = await import('busboy');
  // With a Content-Length the Node request is still unread: stream it as is, the file written
  // into one buffer of at most that size. A chunked body went through the body limit's counting
  // reader, which is c.req.raw's body now.
  const unread = unreadBody(c);
  const source: Readable = unread ? unread.incoming : c.req.raw.body ? Readable.fromWeb(c.req.raw.body as never) : Readable.from([]);
  // The current file part's bytes, and how many parts named "file" began so far.
  let sink: ByteSink | undefined;
  let parts = 0;
  return new Promise((resolve, reject) => {
    let parser: Writable;
    try {
      parser = busboy({ headers: { 'content-type': c.req.header('content-type') ?? '' }, limits: { ...FORM_LIMITS, files: 10, fileSize: maxFileBytes } });
    } catch (err) {
      return reject(new MultipartError((err as Error).message));
    }
    let file: FilePart | undefined;
    parser.on('file', (name: string, stream: Readable & { truncated?: boolean }, info: { filename: string; mimeType: string }) => {
      // When the body breaks off (the client left), busboy destroys the open part with that
      // error: unheard, it would be an uncaught exception, and jobfake would exit. The pipeline's
      // callback below reports it.
      stream.on('error', () => {});
      if (name !== 'file') return void stream.resume();
      // A later part named "file" replaces this one: from then on this one's bytes are dropped
      // (its data may still be flowing: part events come before their data).
      const part = ++parts;
      sink = undefined;
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => {
        if (part !== parts) return;
        if (unread) (sink ??= new ByteSink(Math.min(unread.length, maxFileBytes))).write(chunk);
        else chunks.push(chunk);
      });
      stream.on('end', () => {
        if (part !== parts) return;
        const body = unread ? (sink?.bytes() ?? Buffer.alloc(0)) : Buffer.concat(chunks);
        file = { filename: info.filename ?? '', type: info.mimeType, body, truncated: stream.truncated === true };
      });
    });
    // A client that leaves mid-upload, or a body busboy cannot read, ends here with an error.
    pipeline(source, parser, (err) => (err ? reject(new MultipartError(err.message)) : resolve(file)));
  });
}
