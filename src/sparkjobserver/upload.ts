/**
 * Reading a Spark Jobserver upload (binary, jar, data file) as it streams in, bounded by
 * limits.sparkUploadBytes, refused in the words of the release's HTTP server:
 * - spray-can 1.3.3 (up to 0.10), RequestParsing + HttpRequestPartParser: a Content-Length over
 *   `parsing.max-content-length` → 413 text `Request Content-Length <n> exceeds the configured
 *   limit of <max>`, and the connection closes; a chunked body is aggregated up to
 *   `request-chunk-aggregation-limit` (spray's default 1m, never set by Spark Jobserver) → 413
 *   `Aggregated request entity greater than configured limit of <n> bytes`, connection closed.
 * - akka-http 10.1.13 (0.11): the route's entity fails with EntityStreamSizeException, rejected as
 *   MalformedRequestContentRejection → 413 text `The request content was malformed:\n` + its message.
 */
import type { AppContext } from '../context.js';
import { discardRest } from '../body-limit.js';
import { ByteSink, readUnread, unreadBody } from '../request-body.js';
import type { VersionProfile } from './versions.js';

/** spray-can's `request-chunk-aggregation-limit` default (reference.conf of 1.3.3). */
export const SPRAY_CHUNK_AGGREGATION_LIMIT = 1024 * 1024;

const AKKA_SIZE_HINT =
  'This may have been a parser limit (set via `akka.http.[server|client].parsing.max-content-length`), ' +
  'a decoder limit (set via `akka.http.routing.decode-max-size`), or a custom limit set with `withSizeLimit`.';

/** The 413 a release answers for a body over `limit` (`length`: its Content-Length, if it had one). */
export function tooLarge(c: AppContext, profile: VersionProfile, limit: number, length: number | undefined): Response {
  if (profile.httpServer === 'akka-http') {
    const size = length === undefined ? 'while streaming' : String(length);
    return c.text(`The request content was malformed:\nEntityStreamSizeException: incoming entity size (${size}) exceeded size limit (${limit} bytes)! ${AKKA_SIZE_HINT}`, 413);
  }
  const message = length === undefined
    ? `Aggregated request entity greater than configured limit of ${limit} bytes`
    : `Request Content-Length ${length} exceeds the configured limit of ${limit}`;
  return c.text(message, 413, { Connection: 'close' });
}

/**
 * The request body, read chunk by chunk into one buffer (sized from Content-Length when there is
 * one, so an upload takes its own size in memory, not three times it), or the release's 413.
 */
export async function readUpload(c: AppContext, profile: VersionProfile, limit: number): Promise<Uint8Array | Response> {
  const header = c.req.header('content-length');
  const length = header !== undefined && c.req.header('transfer-encoding') === undefined ? Number.parseInt(header || '0', 10) : undefined;
  // spray bounds a chunked body by its aggregation limit instead of max-content-length.
  const max = length === undefined && profile.httpServer === 'spray' ? Math.min(limit, SPRAY_CHUNK_AGGREGATION_LIMIT) : limit;
  if (length !== undefined && length > max) return tooLarge(c, profile, max, length);
  // Known length and unread: from the socket into one buffer of that size (no web stream).
  const unread = unreadBody(c);
  if (unread && unread.length === length) {
    const read = await readUnread(unread);
    const bytes = new Uint8Array(read.buffer, read.byteOffset, read.length);
    c.set('journalBody', { contentType: c.req.header('content-type') ?? null, bytes });
    return bytes;
  }
  const body = c.req.raw.body;
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  // Sized from Content-Length when there is one; else growing as the body comes, up to `max`.
  const sink = new ByteSink(max, length ?? 64 * 1024);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!sink.write(value)) {
      discardRest(reader);
      return tooLarge(c, profile, max, length);
    }
  }
  const kept = sink.bytes();
  const bytes = new Uint8Array(kept.buffer, kept.byteOffset, kept.length);
  // Noted for the journal, as request-body.ts's readText does for text.
  c.set('journalBody', { contentType: c.req.header('content-type') ?? null, bytes });
  return bytes;
}
