import type { Hono } from 'hono';
import type { AppEnv, ServerContext } from '../context.js';
import { DataStore } from './data.js';
import { exceptionMap, malformedParam, sparkError, sparkException } from './errors.js';
import { stateOf } from './http.js';
import { parseBool } from './submit.js';
import { readUpload } from './upload.js';
import { isZip } from './zip.js';

/**
 * `/data` (routes/DataRoutes.scala, v0.9.0 to v0.11.1) and, where the release still serves them,
 * the legacy `/jars` (WebApi.jarRoutes of v0.9.0).
 */
export function dataRoutes(api: Hono<AppEnv>, server: ServerContext): void {
  api.get('/data', (c) => c.json([...stateOf(c).data.byName.keys()]));

  // POST /data/<prefix>: stored as <rootdir>/<prefix>-<time>.dat; the answer has no "status".
  api.post('/data/:prefix', async (c) => {
    const state = stateOf(c);
    const bytes = await readUpload(c, state.profile, server.limits.sparkUploadBytes);
    if (bytes instanceof Response) return bytes;
    const now = state.now();
    const name = DataStore.fileName(c.req.param('prefix'), state.time(now));
    if (!state.data.fits(name, bytes)) return sparkError(c, 413, `jobfake: data files in this namespace would exceed ${server.limits.sparkBinaryBytes} bytes`);
    const file = state.data.put(name, bytes, now);
    return c.json({ result: { filename: file.name } });
  });

  api.delete('/data/:filename', (c) => {
    const state = stateOf(c);
    const name = c.req.param('filename');
    if (state.data.delete(name)) return c.text('OK');
    // DataManagerActor answers Error(msg), which the route's `case Error =>` (the companion
    // object) does not match: the MatchError becomes a 500 with the exception.
    const message = `Error(Unknown file: ${name}) (of class spark.jobserver.DataManagerActor$Error)`;
    return sparkException(c, 500, 'ERROR', exceptionMap(message, 'scala.MatchError'));
  });

  // PUT /data?reset=reboot[&sync=false]: every data file deleted.
  api.put('/data', (c) => {
    const state = stateOf(c);
    const reset = c.req.query('reset');
    if (reset === undefined) return c.text("Request is missing required query parameter 'reset'", 404);
    const syncParam = c.req.query('sync');
    if (syncParam !== undefined && parseBool(syncParam) === undefined) return malformedParam(c, 'sync', `'${syncParam}' is not a valid Boolean value`);
    // Every release completes another value with the bare string.
    if (reset !== 'reboot') return c.text('ERROR');
    state.data.clear();
    return c.json({ status: 'SUCCESS', result: parseBool(syncParam ?? 'true') === false ? 'Data reset requested' : 'Data reset' });
  });

  // GET /jars: Jar binaries only, name → upload time (v0.9.0; gone from v0.10.0).
  api.get('/jars', async (c, next) => {
    const state = stateOf(c);
    if (!state.profile.jarRoutes) return next();
    return c.json(Object.fromEntries([...state.binaries.byName.values()].filter((b) => b.type === 'Jar').map((b) => [b.name, state.time(b.uploadTime)])));
  });

  // POST /jars/<name>: stored as a Jar whatever the Content-Type.
  api.post('/jars/:name', async (c, next) => {
    const state = stateOf(c);
    if (!state.profile.jarRoutes) return next();
    const bytes = await readUpload(c, state.profile, server.limits.sparkUploadBytes);
    if (bytes instanceof Response) return bytes;
    if (!isZip(bytes)) return sparkError(c, 400, 'Jar is not of the right format');
    const name = c.req.param('name');
    if (!state.binaries.fits(name, bytes)) return sparkError(c, 413, `jobfake: binaries in this namespace would exceed ${server.limits.sparkBinaryBytes} bytes`);
    state.binaries.put(name, 'Jar', bytes, state.now());
    return c.json({ status: 'SUCCESS', result: 'Jar uploaded' });
  });
}
