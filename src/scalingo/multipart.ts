/**
 * multipart/form-data for attach uploads, without copying the file.
 *
 * Hono's `parseBody()` hands the body to fetch's `Response.formData()`, which holds it four times
 * over (the chunks read, their concatenation, a copy for the Response, the `File`) before
 * `file.arrayBuffer()` makes a fifth: a 50 MiB upload peaked near 6× its size. Here the body is
 * read once into a buffer of its declared length, and a file part is a view into it.
 *
 * The rules are those of `Response.formData()` in Node 24 (undici 7), so that what is accepted
 * and what is refused does not change with the Node version: the body is checked against the
 * platform's own parser by test/multipart.test.ts.
 */
import type { Context } from 'hono';

export class MultipartError extends Error {}

export interface FormPart {
  name: string;
  /** Set for a file part (a `File` for fetch), null for a plain field. */
  filename: string | null;
  /** The `File`'s type: the part's Content-Type as fetch normalises it ("text/plain" when absent). */
  type: string;
  body: Buffer;
}

const CR = 13;
const LF = 10;
const isSpaceOrTab = (byte: number) => byte === 32 || byte === 9;
const isHttpWhitespace = (code: number) => code === 32 || code === 9 || code === 10 || code === 13;
/** fetch's token code points (as undici writes them: without the backtick). */
const TOKEN = /^[!#$%&'*+\-.^_|~A-Za-z0-9]+$/;
const QUOTED_STRING_CODE_POINTS = /^[\t\x20-\x7E\x80-\xFF]+$/;
const TSPECIALS = new Set('()<>@,;:\\"/[]?='.split('').map((ch) => ch.charCodeAt(0)));
/** RFC 2045 token byte: ASCII, not a control, space or tspecial. */
const isTokenByte = (byte: number) => byte < 127 && byte > 32 && !TSPECIALS.has(byte);
const utf8 = new TextDecoder();

/** Trims HTTP whitespace from either end of a string. */
function trimHttp(text: string, leading: boolean, trailing: boolean): string {
  let start = 0;
  let end = text.length;
  if (leading) while (start < end && isHttpWhitespace(text.charCodeAt(start))) start++;
  if (trailing) while (end > start && isHttpWhitespace(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

/** An HTTP quoted-string starting at `text[at]` (a '"'): its value and where it ends. */
function quotedString(text: string, at: number): { value: string; end: number } {
  let value = '';
  let i = at + 1;
  while (i < text.length) {
    const ch = text[i]!;
    i++;
    if (ch === '"') return { value, end: i };
    if (ch === '\\') {
      if (i >= text.length) return { value: `${value}\\`, end: i };
      value += text[i];
      i++;
    } else value += ch;
  }
  return { value, end: i };
}

/** WHATWG "parse a MIME type": essence and parameters, or undefined for failure. */
function parseMimeType(input: string): { essence: string; parameters: Map<string, string> } | undefined {
  const text = trimHttp(input, true, true);
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const type = text.slice(0, slash);
  if (!TOKEN.test(type)) return undefined;
  let at = text.indexOf(';', slash + 1);
  if (at < 0) at = text.length;
  const subtype = trimHttp(text.slice(slash + 1, at), false, true);
  if (!TOKEN.test(subtype)) return undefined;
  const parameters = new Map<string, string>();
  while (at < text.length) {
    at++;
    while (at < text.length && isHttpWhitespace(text.charCodeAt(at))) at++;
    let end = at;
    while (end < text.length && text[end] !== ';' && text[end] !== '=') end++;
    const name = text.slice(at, end).toLowerCase();
    at = end;
    if (at < text.length) {
      if (text[at] === ';') continue;
      at++;
    }
    if (at > text.length) break;
    let value: string;
    if (text[at] === '"') {
      const quoted = quotedString(text, at);
      value = quoted.value;
      at = text.indexOf(';', quoted.end);
      if (at < 0) at = text.length;
    } else {
      end = text.indexOf(';', at);
      if (end < 0) end = text.length;
      value = trimHttp(text.slice(at, end), false, true);
      at = end;
      if (value === '') continue;
    }
    if (name !== '' && TOKEN.test(name) && (value === '' || QUOTED_STRING_CODE_POINTS.test(value)) && !parameters.has(name)) {
      parameters.set(name, value);
    }
  }
  return { essence: `${type.toLowerCase()}/${subtype.toLowerCase()}`, parameters };
}

/**
 * The boundary of a multipart/form-data Content-Type, as fetch extracts the MIME type (values
 * split on commas outside quotes, the last one that parses wins); undefined when there is none.
 */
export function multipartBoundary(contentType: string): string | undefined {
  const values: string[] = [];
  let current = '';
  let at = 0;
  while (at < contentType.length) {
    let end = at;
    while (end < contentType.length && contentType[end] !== '"' && contentType[end] !== ',') end++;
    current += contentType.slice(at, end);
    at = end;
    if (at < contentType.length) {
      if (contentType[at] === '"') {
        const quoted = quotedString(contentType, at);
        current += contentType.slice(at, quoted.end);
        at = quoted.end;
        if (at < contentType.length) continue;
      } else at++;
    }
    values.push(trimSpaceTab(current));
    current = '';
  }
  let found: ReturnType<typeof parseMimeType>;
  for (const value of values) {
    const parsed = parseMimeType(value);
    if (parsed && parsed.essence !== '*/*') found = parsed;
  }
  return found?.essence === 'multipart/form-data' ? found.parameters.get('boundary') : undefined;
}

function trimSpaceTab(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isSpaceOrTab(text.charCodeAt(start))) start++;
  while (end > start && isSpaceOrTab(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

/** A `File`'s type as fetch sets it from a part's Content-Type. */
function fileType(contentType: string | null): string {
  const type = contentType ?? 'text/plain';
  // Non-ASCII → ""; then Blob's own rule: anything outside U+0020–U+007E → "", else lower case.
  return /^[\x20-\x7E]*$/.test(type) ? type.toLowerCase() : '';
}

/** Parses a multipart/form-data body; throws MultipartError where Response.formData() would reject. */
export function parseMultipart(input: Buffer, boundary: string): FormPart[] {
  const delimiter = Buffer.from(`--${boundary}`, 'utf8');
  const fail = (why: string): never => {
    throw new MultipartError(why);
  };
  let at = input.indexOf(delimiter);
  if (at < 0) fail('no boundary found in multipart body');
  const isCrlf = (i: number) => input[i] === CR && input[i + 1] === LF;
  /** Moves `at` past bytes that satisfy `test`; returns them. */
  const take = (test: (byte: number) => boolean): Buffer => {
    const start = at;
    while (at < input.length && test(input[at]!)) at++;
    return input.subarray(start, at);
  };
  const parts: FormPart[] = [];
  for (;;) {
    if (!input.subarray(at, at + delimiter.length).equals(delimiter)) fail('expected the boundary');
    at += delimiter.length;
    if (input.length >= 2 && input[at] === 0x2d && input[at + 1] === 0x2d) return parts;
    if (!isCrlf(at)) fail('expected CRLF after the boundary');
    at += 2;

    let name: string | null = null;
    let filename: string | null = null;
    let contentType: string | null = null;
    let encoding: string | null = null;
    while (!isCrlf(at)) {
      const rawName = trimBytes(take((b) => b !== LF && b !== CR && b !== 0x3a));
      if (!TOKEN.test(rawName.toString())) fail('bad header name');
      if (input[at] !== 0x3a) fail('expected ":"');
      at++;
      take(isSpaceOrTab);
      const header = rawName.toString('latin1').toLowerCase();
      if (header === 'content-disposition') {
        name = filename = null;
        let extendedFilename = false;
        if (take(isTokenByte).toString('latin1').toLowerCase() !== 'form-data') fail('expected form-data');
        while (at < input.length && !isCrlf(at)) {
          if (input[at] === 0x3b) at++;
          take(isSpaceOrTab);
          const attribute = take((b) => isTokenByte(b) && b !== 0x2a).toString('latin1').toLowerCase();
          if (attribute === '') break;
          const extended = input[at] === 0x2a;
          if (extended) at++;
          if (input[at] !== 0x3d) break;
          at++;
          take(isSpaceOrTab);
          let value: string;
          if (extended) {
            const raw = take((b) => b !== 32 && b !== CR && b !== LF && b !== 0x3b);
            if (raw.subarray(0, 5).toString('latin1').toLowerCase() !== 'utf-8') fail("unknown encoding, expected utf-8''");
            value = decodeURIComponent(utf8.decode(raw.subarray(7)));
          } else if (input[at] === 0x22) {
            at++;
            const raw = take((b) => b !== LF && b !== CR && b !== 0x22);
            if (input[at] !== 0x22) fail('closing quote not found');
            at++;
            value = utf8.decode(raw).replace(/%0A/gi, '\n').replace(/%0D/gi, '\r').replace(/%22/g, '"');
          } else {
            value = utf8.decode(take((b) => isTokenByte(b) && b !== 0x3b));
          }
          if (attribute === 'name') name = value;
          else if (attribute === 'filename') {
            if (extended) {
              filename = value;
              extendedFilename = true;
            } else if (!extendedFilename) filename = value;
          }
        }
        if (name === null) fail('name attribute is required in content-disposition');
      } else if (header === 'content-type' || header === 'content-transfer-encoding') {
        const value = trimBytes(take((b) => b !== LF && b !== CR), false).toString('latin1');
        if (header === 'content-type') contentType = value;
        else encoding = value;
      } else {
        take((b) => b !== LF && b !== CR);
      }
      if (!isCrlf(at)) fail('expected CRLF after a header');
      at += 2;
    }
    if (name === null) fail('a part without content-disposition');
    at += 2;

    const next = input.indexOf(delimiter.subarray(2), at);
    if (next < 0) fail('expected the boundary after a body');
    let body = input.subarray(at, next - 4);
    at += body.length;
    if (encoding === 'base64') body = Buffer.from(body.toString(), 'base64');
    if (!isCrlf(at)) fail('expected CRLF after a body');
    at += 2;
    parts.push({ name: name!, filename, type: filename === null ? '' : fileType(contentType), body });
  }
}

/** Trims spaces and tabs as undici's removeChars does (the last byte of a run of one is kept). */
function trimBytes(bytes: Buffer, leading = true): Buffer {
  let lead = 0;
  let trail = bytes.length - 1;
  if (leading) while (lead < bytes.length && isSpaceOrTab(bytes[lead]!)) lead++;
  while (trail > 0 && isSpaceOrTab(bytes[trail]!)) trail--;
  return lead === 0 && trail === bytes.length - 1 ? bytes : bytes.subarray(lead, trail + 1);
}

/**
 * The request body in one buffer. With a Content-Length (already checked against the limit) the
 * bytes are copied straight into a buffer of that size as they arrive; otherwise (a chunked body
 * the body limit already read, or no Node request) through Hono.
 */
export async function readBody(c: Context): Promise<Buffer> {
  const incoming = (c.env as { incoming?: import('node:http').IncomingMessage } | undefined)?.incoming;
  const declared = c.req.header('content-length');
  const length = declared === undefined ? NaN : Number(declared);
  if (!incoming || !Number.isSafeInteger(length) || c.req.header('transfer-encoding') !== undefined || incoming.readableDidRead || c.req.raw.bodyUsed) {
    return Buffer.from(await c.req.arrayBuffer());
  }
  const body = Buffer.allocUnsafe(length);
  let filled = 0;
  for await (const chunk of incoming as AsyncIterable<Buffer>) {
    if (filled + chunk.length > length) throw new MultipartError('body longer than its Content-Length');
    chunk.copy(body, filled);
    filled += chunk.length;
  }
  if (filled !== length) throw new MultipartError('body shorter than its Content-Length');
  return body;
}
