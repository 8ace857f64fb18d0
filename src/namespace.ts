/**
 * Namespaces in paths: `/ns/<name>/…` reaches namespace <name>; any other path the default one.
 * The one place that spells the prefix (routing, the response checker, CONNECT, error shapes).
 */

/** A namespace name as routed: 1 to 64 of A-Z a-z 0-9 . _ - */
export const NAMESPACE_NAME = '[A-Za-z0-9._-]{1,64}';
export const DEFAULT_NAMESPACE = 'default';
/** The Hono route prefix of a namespace; its name is the `ns` parameter. */
export const NAMESPACE_ROUTE = `/ns/:ns{${NAMESPACE_NAME}}`;

/** A routed namespace prefix: the whole path, or followed by the rest of it. */
const PREFIX = new RegExp(`^/ns/(${NAMESPACE_NAME})(?=/|$)`);

/** The namespace a path names (undefined: the default) and the path inside it. */
export function splitNamespace(path: string): { namespace: string | undefined; local: string } {
  const match = PREFIX.exec(path);
  return match ? { namespace: match[1]!, local: path.slice(match[0].length) } : { namespace: undefined, local: path };
}

/** The path inside its namespace, without the query. */
export function stripNamespace(path: string): string {
  return splitNamespace(path.split('?')[0]!).local;
}

/** The path as sent (percent-encoding kept) inside its namespace, for a request routed to one. */
export function rawLocalPath(rawPath: string, namespaced: boolean): string {
  return namespaced ? rawPath.slice(rawPath.indexOf('/', '/ns/'.length)) : rawPath;
}

/** The base URL of a namespace: the origin itself for the default one. */
export function namespaceUrl(origin: string, namespace: string | undefined): string {
  return namespace ? `${origin}/ns/${namespace}` : origin;
}

/** Where the control API lives, in every namespace. */
export const CONTROL_PREFIX = '/__jobfake';

/** Which API answers a path, for answers given before any route (faults, limits, refused requests). */
export type ApiName = 'scalingo' | 'control' | 'spark';

/**
 * The API whose error shape a path gets when no route of its own answers it: the Scalingo API
 * owns /v1, /attach and the logs and deployments streams it hands out (/logs, /deployments-stream), the control API /__jobfake, Spark Jobserver the rest. Any /ns/<x>
 * prefix counts, routed or not: /ns/<bad name>/v1/… is still a Scalingo path to its client.
 */
export function apiOfPath(path: string): ApiName {
  const local = path.replace(/^\/ns\/[^/]+/, '');
  const under = (prefix: string) => local === prefix || local.startsWith(`${prefix}/`);
  if (under('/v1') || under('/attach') || under('/logs') || under('/deployments-stream')) return 'scalingo';
  if (under(CONTROL_PREFIX)) return 'control';
  return 'spark';
}
