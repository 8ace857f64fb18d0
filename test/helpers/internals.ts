import type { Fake } from '../../src/index.js';
import { worldsOf } from '../../src/server.js';
import type { World } from '../../src/store.js';

/**
 * The internal world of a namespace. Tests drive state through `fake.namespace()`, the public
 * API; this is only for assertions on what no control view shows (the raw attach session, the
 * world's listeners and timers, the Spark state's own methods). Not part of the package.
 */
export function worldOf(fake: Fake, namespace?: string): World {
  return worldsOf(fake).get(namespace);
}
