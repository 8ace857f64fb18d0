/**
 * What differs between Spark Jobserver releases, as data. `seed` (the default) answers as the
 * seed page shows: an upload answers 200 text `OK`, the rest is the 0.10 API.
 */
export type BinaryType = 'Jar' | 'Egg' | 'Wheel';
export type SparkVersion = 'seed' | '0.9' | '0.10' | '0.11';
export const SPARK_VERSIONS: readonly SparkVersion[] = ['seed', '0.9', '0.10', '0.11'];

export interface VersionProfile {
  /** Successful upload: 200 text "OK" (≤0.9, seed) or 201 {"status":"SUCCESS"}. */
  uploadAnswer: 'text' | 'json';
  /** Successful binary delete and /healthz: text "OK" (≤0.9) or {"status":"SUCCESS"}. */
  okAnswer: 'text' | 'json';
  /** 415 body for a type it does not take: a bare string (≤0.9) or the JSON error. */
  unsupportedAnswer: 'text' | 'json';
  /** No Content-Type at all: a text 415, or (0.11) the body counts as application/octet-stream. */
  missingTypeIsOctetStream: boolean;
  /** Upload content types the server takes. */
  mediaTypes: Record<string, BinaryType>;
  /** `cp` + `mainClass` (0.10+); before, `appName` and `classPath` are required query parameters. */
  cpApi: boolean;
  /** GET /binaries/{name} answers the binary (0.10+); 0.9's route answers the whole list. */
  binaryInfo: boolean;
  /** DELETE /binaries/{name} refuses while a running job uses it (0.10+). */
  refuseDeleteInUse: boolean;
  /** `callbackUrl` on POST /jobs (0.11). */
  callbackUrl: boolean;
  /**
   * Job reports carry `contextId` (WebApi.getJobReport from v0.9.0 on); the seed's 2016 example
   * predates the field, so the `seed` profile leaves it out.
   */
  reportsContextId: boolean;
  /**
   * A JVM per context unless the fixtures say otherwise: contexts get a UUID reported as
   * `contextId`, ad-hoc contexts are named `<UUID>-<class>` (AkkaClusterSupervisorActor) and
   * GET /contexts/{name} answers the per-JVM shape. Without it (LocalContextSupervisorActor, the
   * seed's example) names are `<8 hex>-<class>` and `contextId` is "".
   */
  contextPerJvm: boolean;
  /**
   * The HTTP server under WebApi: spray-can 1.3.3 up to 0.10, akka-http 10.1.13 in 0.11
   * (project/Versions.scala). It words the 413 of a body over `parsing.max-content-length`.
   */
  httpServer: 'spray' | 'akka-http';
  /** The legacy `GET /jars` and `POST /jars/{name}` (WebApi.jarRoutes, gone in v0.10.0). */
  jarRoutes: boolean;
}

const JAR_AND_EGG = { 'application/java-archive': 'Jar', 'application/python-archive': 'Egg' } as const;

const v010: VersionProfile = {
  uploadAnswer: 'json',
  okAnswer: 'json',
  unsupportedAnswer: 'json',
  missingTypeIsOctetStream: false,
  mediaTypes: JAR_AND_EGG,
  cpApi: true,
  binaryInfo: true,
  refuseDeleteInUse: true,
  callbackUrl: false,
  reportsContextId: true,
  contextPerJvm: true,
  httpServer: 'spray',
  jarRoutes: false,
};

export const PROFILES: Record<SparkVersion, VersionProfile> = {
  seed: { ...v010, uploadAnswer: 'text', reportsContextId: false, contextPerJvm: false },
  '0.9': {
    ...v010,
    uploadAnswer: 'text',
    okAnswer: 'text',
    unsupportedAnswer: 'text',
    cpApi: false,
    binaryInfo: false,
    refuseDeleteInUse: false,
    jarRoutes: true,
  },
  '0.10': v010,
  '0.11': {
    ...v010,
    missingTypeIsOctetStream: true,
    mediaTypes: {
      ...JAR_AND_EGG,
      'application/python-egg': 'Egg',
      'application/python-wheel': 'Wheel',
    },
    callbackUrl: true,
    httpServer: 'akka-http',
  },
};
