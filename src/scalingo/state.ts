import type { World } from '../store.js';

/** Scalingo state of one namespace: apps, operations, containers, attach sessions. */
export class ScalingoState {
  readonly apps = new Set<string>();

  constructor(readonly world: World) {
    for (const app of world.fixtures.scalingo?.apps ?? []) this.apps.add(app.name);
  }

  liveSessions(): number {
    return 0;
  }

  dispose(): void {}
}
