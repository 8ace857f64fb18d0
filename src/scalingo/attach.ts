import type { Context, Hono } from 'hono';
import type { AppEnv, ServerContext } from '../context.js';
import type { World } from '../store.js';
import { basicPassword, bearerToken, tokenProblem } from './auth.js';
import { readJsonObject } from './body.js';
import { scalingoError, scalingoNotFound } from './errors.js';
import { FormTooLarge, readFilePart, uploadFormBytes, uploadTooLarge, type FilePart } from './multipart.js';
import type { AttachSession } from './model.js';

/**
 * Why credentials sent to an attach URL are refused, or undefined. The URL is the capability:
 * no credentials is fine (the seeds' curl and the Go hijack client send none); the CLI sends
 * Basic auth with the exchanged token as password, and what is sent must be valid.
 */
export function attachCredentialsProblem(world: World, header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const bearer = bearerToken(header);
  const secret = bearer ?? basicPassword(header);
  if (secret === undefined) return 'unsupported Authorization header: use Basic auth with the token as password, or none';
  if (!bearer && world.scalingo.acceptsToken(secret) && world.scalingo.tokens.size > 0) return undefined;
  return tokenProblem(world, secret);
}

type Found = { session: AttachSession } | { response: Response };

/** The live session behind an attach URL, or the error to answer. */
function findSession(c: Context<AppEnv>, { endedToo = false } = {}): Found {
  const world = c.get('world');
  const session = world.scalingo.sessions.get(c.req.param('token')!);
  if (!session || (session.phase === 'ended' && !endedToo)) return { response: scalingoNotFound(c, 'attach') };
  const problem = attachCredentialsProblem(world, c.req.header('authorization'));
  if (problem) return { response: scalingoError(c, 401, problem) };
  return { session };
}

/**
 * A terminal dimension: a whole number, as a number or a numeric string (the CLI sends strings).
 * 0 is accepted: the CLI sends "0" × "0" when its terminal's size is unknown (CI, docker -t).
 */
function dimension(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 65535 ? n : undefined;
}

/** Reduces a client's file name to a safe base name, or undefined when nothing safe is left. */
export function safeUploadName(name: string): string | undefined {
  if (name.includes('\0')) return undefined;
  const base = name.split(/[\\/]/).pop()!.trim();
  if (base === '' || base === '.' || base === '..' || base.length > 255) return undefined;
  return base;
}

export function attachRoutes(api: Hono<AppEnv>, server: ServerContext): void {
  const { limits } = server;
  api.put('/attach/:token', async (c) => {
    const found = findSession(c);
    if ('response' in found) return found.response;
    const body = await readJsonObject(c);
    if ('error' in body) return scalingoError(c, 400, body.error);
    const width = dimension(body.value['width']);
    const height = dimension(body.value['height']);
    if (width === undefined || height === undefined) {
      const bad = width === undefined ? 'width' : 'height';
      return scalingoError(c, 400, `${bad} must be a whole number from 0 to 65535 (a number or a numeric string), got ${JSON.stringify(body.value[bad]) ?? 'nothing'}`);
    }
    c.get('world').scalingo.sessions.recordResize(found.session, width, height);
    return c.body(null, 200);
  });

  api.post('/attach/:token/files', async (c) => {
    const found = findSession(c);
    if ('response' in found) return found.response;
    const { session } = found;
    if (session.phase === 'attached') return scalingoError(c, 409, 'uploads must come before the attach: this container is already attached');
    if (!/^multipart\/form-data\s*;.*boundary=/i.test(c.req.header('content-type') ?? '')) {
      return scalingoError(c, 415, 'uploads must be multipart/form-data with a "file" part');
    }
    if (session.uploads.size >= limits.uploadsPerContainer) {
      return scalingoError(c, 413, `too many files for this container (limit ${limits.uploadsPerContainer})`);
    }
    let file: FilePart | undefined;
    try {
      file = await readFilePart(c, limits.uploadBytes, uploadFormBytes(limits.uploadBytes));
    } catch (err) {
      if (err instanceof FormTooLarge) return scalingoError(c, 413, uploadTooLarge(limits.uploadBytes));
      return scalingoError(c, 400, 'malformed multipart body');
    }
    if (!file) return scalingoError(c, 400, 'missing "file" part in the multipart body (send it with: curl --form file=@path)');
    const name = safeUploadName(file.filename);
    if (!name) return scalingoError(c, 400, `unusable file name ${JSON.stringify(file.filename)}`);
    if (file.truncated) return scalingoError(c, 413, `file too large: over ${limits.uploadBytes} bytes, the limit`);
    const size = file.body.length;
    const previous = session.uploads.get(name)?.size ?? 0;
    if (session.uploadBytes - previous + size > limits.containerUploadBytes) {
      return scalingoError(c, 413, `uploads for this container would exceed ${limits.containerUploadBytes} bytes`);
    }
    if (session.phase !== 'waiting') return scalingoNotFound(c, 'attach');
    const upload = c.get('world').scalingo.sessions.recordUpload(session, name, file.body, file.type);
    // The journal keeps the file's name, size and digest, never its bytes.
    const files = [{ name: upload.name, size: upload.size, sha256: upload.sha256 }];
    c.set('journalBody', { contentType: c.req.header('content-type') ?? null, size: upload.size, files });
    return c.body(null, 200);
  });

  api.get('/attach/:token/wait', async (c) => {
    const found = findSession(c, { endedToo: true });
    if ('response' in found) return found.response;
    const { session } = found;
    const sessions = c.get('world').scalingo.sessions;
    if (session.phase !== 'ended') {
      const signal = c.req.raw.signal;
      await new Promise<void>((resolve) => {
        const stop = sessions.whenEnded(session, resolve);
        signal.addEventListener('abort', () => {
          stop();
          resolve();
        }, { once: true });
      });
    }
    const outcome = session.outcome;
    if (!outcome) return scalingoNotFound(c, 'attach');
    if ('timeout' in outcome) return scalingoError(c, 408, `one-off container aborted: no input or output for ${limits.attachIdleMs} ms`);
    return c.json({ exit_code: outcome.exitCode });
  });
}
