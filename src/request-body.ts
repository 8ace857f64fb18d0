/**
 * Reading a request's body in a route, so that the journal keeps what was read without reading it
 * again (see journal.ts): every route that reads a body reads it through here.
 */
import type { Context } from 'hono';
import type { AppEnv } from './context.js';

/** The body as text (UTF-8, as Hono's `c.req.text()`), noted for the journal. */
export async function readText(c: Context<AppEnv>): Promise<string> {
  const text = await c.req.text();
  c.set('journalBody', { contentType: c.req.header('content-type') ?? null, text });
  return text;
}

/** The body as bytes (Hono's `c.req.arrayBuffer()`), noted for the journal. */
export async function readBytes(c: Context<AppEnv>): Promise<Uint8Array> {
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  c.set('journalBody', { contentType: c.req.header('content-type') ?? null, bytes });
  return bytes;
}
