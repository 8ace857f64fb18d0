import { randomUUID } from 'node:crypto';

export interface SparkContext {
  /** Its UUID (AkkaClusterSupervisorActor.startContext), reported as a job's `contextId` with a JVM per context. */
  id: string;
  name: string;
  /** Made for one job (no `context` on POST /jobs) and gone when the job ends. */
  adHoc: boolean;
  /** Runs Python jobs (its context-factory names a Python factory). */
  python: boolean;
  /** Jobs it may run at once. */
  maxJobs: number;
  startTime: number;
  /** Set while a DELETE is in progress (schedule.contextStop > 0). */
  stopping: boolean;
  applicationId: string;
  url: string;
  /** The query parameters and config it was created with. */
  settings: Record<string, unknown>;
}

/**
 * An ad-hoc context's name, as the real server makes it: a UUID, '-', the class with a JVM per
 * context (AkkaClusterSupervisorActor), the UUID's first 8 characters otherwise
 * (LocalContextSupervisorActor, the seed's `b7ea0eb5-spark.jobserver.WordCountExample`).
 */
export function adHocName(classPath: string, perJvm = false): string {
  const uuid = randomUUID();
  return `${perJvm ? uuid : uuid.slice(0, 8)}-${classPath}`;
}

export const isPythonFactory = (factory: string | undefined) => /python/i.test(factory ?? '');

/** Contexts of one namespace, bounded by limits.sparkContexts. */
export class ContextStore {
  readonly byName = new Map<string, SparkContext>();
  private uiPort = 4040;

  constructor(
    private readonly max: () => number,
    /** Told the name of a context created, stopping or deleted (for live views). */
    readonly changed: (name: string) => void = () => {},
  ) {}

  get full(): boolean {
    return this.byName.size >= this.max();
  }

  create(init: Pick<SparkContext, 'name' | 'adHoc' | 'python' | 'maxJobs' | 'settings'> & { id?: string }, now: number): SparkContext {
    // Spark numbers each context's UI port from 4040 up, as on one driver host.
    const port = this.uiPort;
    this.uiPort = this.uiPort >= 4999 ? 4040 : this.uiPort + 1;
    const context: SparkContext = { ...init, id: init.id ?? randomUUID(), startTime: now, stopping: false, applicationId: `local-${now}`, url: `http://127.0.0.1:${port}` };
    this.byName.set(init.name, context);
    this.changed(init.name);
    return context;
  }

  get(name: string): SparkContext | undefined {
    return this.byName.get(name);
  }

  delete(name: string): boolean {
    if (!this.byName.delete(name)) return false;
    this.changed(name);
    return true;
  }
}
