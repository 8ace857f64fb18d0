import type { Hono } from 'hono';
import type { AppContext, AppEnv, ServerContext } from '../context.js';
import { sparkError } from './errors.js';
import { okAnswer, stateOf } from './http.js';
import type { SparkState } from './state.js';
import { readUpload } from './upload.js';
import { isZip } from './zip.js';

function binaryList(state: SparkState) {
  return Object.fromEntries(
    [...state.binaries.byName.values()].map((b) => [b.name, { 'binary-type': b.type, 'upload-time': state.time(b.uploadTime) }]),
  );
}

async function upload(c: AppContext, limits: ServerContext['limits']) {
  const state = stateOf(c);
  const profile = state.profile;
  const name = c.req.param('name')!;
  const bytes = await readUpload(c, profile, limits.sparkUploadBytes);
  if (bytes instanceof Response) return bytes;
  const header = c.req.header('content-type')?.trim();
  if (!header && !profile.missingTypeIsOctetStream) return c.text('Content-Type header must be set to indicate binary type', 415);
  const contentType = header || 'application/octet-stream';
  const type = profile.mediaTypes[contentType.split(';')[0]!.trim().toLowerCase()];
  if (!type) {
    const message = `Unsupported binary type ${contentType}`;
    return profile.unsupportedAnswer === 'text' ? c.text(message, 415) : sparkError(c, 415, message);
  }
  if (!isZip(bytes)) return sparkError(c, 400, 'Binary is not of the right format');
  if (!state.binaries.fits(name, bytes)) {
    return sparkError(c, 413, `jobfake: binaries in this namespace would exceed ${limits.sparkBinaryBytes} bytes`);
  }
  state.binaries.put(name, type, bytes, state.now());
  return profile.uploadAnswer === 'text' ? okAnswer(c, 'text') : okAnswer(c, 'json', 201);
}

/** POST, GET and DELETE /binaries. */
export function binaryRoutes(api: Hono<AppEnv>, server: ServerContext): void {
  api.get('/binaries', (c) => c.json(binaryList(stateOf(c))));

  api.get('/binaries/:name', (c) => {
    const state = stateOf(c);
    // Before 0.10 this path fell through to the list route.
    if (!state.profile.binaryInfo) return c.json(binaryList(state));
    const name = c.req.param('name');
    const binary = state.binaries.get(name);
    if (!binary) return sparkError(c, 404, `Can't find binary with name ${name}`);
    return c.json({ 'app-name': binary.name, 'binary-type': binary.type, 'upload-time': state.time(binary.uploadTime) });
  });

  api.post('/binaries/:name', (c) => upload(c, server.limits));

  api.delete('/binaries/:name', (c) => {
    const state = stateOf(c);
    const name = c.req.param('name');
    const users = state.profile.refuseDeleteInUse ? state.usersOf(name) : [];
    if (users.length > 0) return sparkError(c, 403, `Binary is in use by job(s): ${users.map((j) => j.jobId).join(', ')}`);
    if (!state.binaries.delete(name)) return sparkError(c, 404, `can't find binary with name ${name}`);
    return okAnswer(c, state.profile.okAnswer);
  });
}
