import type { World } from '../store.js';

/** Spark Jobserver state of one namespace: binaries, contexts, jobs. */
export class SparkState {
  constructor(readonly world: World) {}

  dispose(): void {}
}
