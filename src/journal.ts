/**
 * What the journal keeps of the bodies a client sent and of the answers it got: text as text (the
 * first `journalBodyBytes` bytes, secrets masked), a binary as its size and SHA-256, an upload
 * form as its files. Requests are captured cheaply (a reference to what the route already read,
 * or to the answer's string) and turned into these views only when the journal is read.
 */
import { createHash } from 'node:crypto';

/** A file of an upload form, as the journal keeps it. */
export interface JournalFile {
  /** The file name the client gave. */
  name: string;
  /** Bytes received. */
  size: number;
  /** SHA-256 of those bytes, hex. */
  sha256: string;
}

/**
 * A request's body, or an answer's, as the journal shows it. `text` is set for a body that is
 * valid UTF-8 and not of a binary type; `sha256` for any other; `files` for an upload form.
 */
export interface JournalBody {
  /** Bytes of the whole body (for an upload form, of its files). */
  size: number;
  contentType: string | null;
  /** The body as text, at most `journalBodyBytes` bytes of it; JWTs and attach secrets masked. */
  text?: string;
  /** `text` holds only the start of the body. */
  truncated?: true;
  /** The text parsed, when the content type is JSON and the whole body parses. */
  json?: unknown;
  /** A binary body's SHA-256, hex. */
  sha256?: string;
  files?: JournalFile[];
}

/**
 * A body as captured while the request ran, before it is shown: the text or bytes themselves
 * (the reference the route or the answer already held), or what a streaming route noted of it.
 */
export type CapturedBody =
  | { contentType: string | null; text: string }
  | { contentType: string | null; bytes: Uint8Array }
  | { contentType: string | null; size: number; sha256?: string; files?: JournalFile[] };

/** Content types that are bytes, whatever they decode to. */
const BINARY_TYPE = /^(application\/(java-archive|octet-stream|zip|x-zip-compressed|python-(egg|wheel|archive))|image\/|audio\/|video\/)/i;
const JSON_TYPE = /^application\/([\w.+-]+\+)?json\b/i;
/** A JWT (header.payload.signature, base64url, the header starting `{"`). */
const JWT = /\beyJ[\w-]*\.[\w-]+\.[\w-]*/g;
/** An attach URL's secret: the segment after /attach/. */
const ATTACH_SECRET = /(\/attach\/)[\w-]{16,}/g;

/** Text as the journal may show it: JWTs and attach URL secrets replaced by `***`. */
export function maskSecrets(text: string): string {
  return text.replace(JWT, '***').replace(ATTACH_SECRET, '$1***');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The first `max` bytes of `text` in UTF-8, never cutting a character in two. */
function headOf(text: string, max: number): { text: string; truncated: boolean } {
  // A character is at most 3 UTF-8 bytes per UTF-16 unit: short texts need no encoding.
  if (text.length * 3 <= max) return { text, truncated: false };
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= max) return { text, truncated: false };
  let end = max;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return { text: bytes.subarray(0, end).toString('utf8'), truncated: true };
}

/** Bytes the journal holds for a captured body: what counts against `journalBytes`. */
export function heldBytes(body: CapturedBody | undefined, max: number): number {
  if (!body) return 0;
  if ('text' in body) return Math.min(body.text.length * 3, max);
  if ('bytes' in body) return Math.min(body.bytes.length, max);
  return 64 * ((body.files?.length ?? 0) + 1);
}

/** A captured body as the journal shows it, at most `max` bytes of text. */
export function viewBody(body: CapturedBody, max: number): JournalBody {
  const { contentType } = body;
  if ('size' in body) {
    const view: JournalBody = { size: body.size, contentType };
    if (body.sha256) view.sha256 = body.sha256;
    if (body.files) view.files = body.files;
    return view;
  }
  let text: string | undefined;
  let size: number;
  if ('text' in body) {
    text = body.text;
    size = Buffer.byteLength(text, 'utf8');
  } else {
    size = body.bytes.length;
    if (!BINARY_TYPE.test(contentType ?? '')) {
      try {
        text = utf8.decode(body.bytes);
      } catch {
        text = undefined;
      }
    }
  }
  if (text === undefined || text.includes('\0')) {
    const bytes = 'bytes' in body ? body.bytes : Buffer.from(body.text, 'utf8');
    return { size, contentType, sha256: createHash('sha256').update(bytes).digest('hex') };
  }
  const head = headOf(text, max);
  const view: JournalBody = { size, contentType, text: maskSecrets(head.text) };
  if (head.truncated) view.truncated = true;
  else if (JSON_TYPE.test(contentType ?? '')) {
    try {
      view.json = JSON.parse(view.text!);
    } catch {
      // Not JSON after all: the text says what came.
    }
  }
  return view;
}

/**
 * The string an answer was made from, when it was made from one (Hono's `c.json()`, `c.text()`):
 * @hono/node-server keeps it beside the response so it can write it without a stream. Read
 * without cloning or consuming the response, so the journal costs a poll nothing; undefined for
 * a streamed answer or where the adapter keeps no such string.
 */
export function answerStringOf(res: Response): string | undefined {
  cacheKey ??= Object.getOwnPropertySymbols(res).find((symbol) => symbol.description === 'cache');
  if (!cacheKey) return undefined;
  const cached = (res as unknown as Record<symbol, unknown[] | undefined>)[cacheKey];
  const body = cached?.[1];
  return typeof body === 'string' ? body : undefined;
}
let cacheKey: symbol | undefined;
