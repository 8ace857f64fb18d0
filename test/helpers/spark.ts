import { makeZip } from '../../src/sparkjobserver/zip.js';
import type { Fake } from '../../src/index.js';
import { call, freshNamespace } from './fake.js';
import { worldOf } from './internals.js';

/** A small valid jar (a zip), holding these class files. */
export const jar = (...entries: string[]) => makeZip(entries.length > 0 ? entries : ['META-INF/MANIFEST.MF']);

export { freshNamespace } from './fake.js';

export function upload(base: string, name: string, body: Uint8Array | string, contentType: string | null = 'application/java-archive') {
  return call(`${base}/binaries/${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: contentType === null ? {} : { 'Content-Type': contentType },
    body,
  });
}

/** POST /jobs as curl -d sends it (a form content type, the HOCON as the body). */
export function postJob(base: string, query: string, body = '') {
  return call(`${base}/jobs?${query}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body,
  });
}

/**
 * A fresh namespace with its clock paused and a jar uploaded as `test`: `ns` drives it (the
 * public API), `world` is its internal state for tests of the state itself.
 */
export async function worldWithJar(fake: Fake) {
  const name = freshNamespace();
  const ns = fake.namespace(name);
  ns.clock.pause();
  await upload(ns.url, 'test', jar());
  return { base: ns.url, ns, world: worldOf(fake, name) };
}
