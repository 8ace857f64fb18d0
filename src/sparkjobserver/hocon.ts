/**
 * HOCON job and context configs, parsed as Spark Jobserver parses them: Typesafe Config 1.3.x's
 * `ConfigFactory.parseString(body).resolve()`, with the library's messages word for word (the
 * server answers `Cannot parse config: <message>`). The parser is jobfake's own (npm has no
 * well-kept HOCON package) and is checked against the real library by
 * test/sparkjobserver/hocon-oracle.test.ts. Includes read nothing (jobfake has no classpath or
 * files of the server's); substitutions never read the environment.
 */
import { HoconError, MAX_NODES, TOO_LARGE, render, unwrap, type ConfigObject, type ConfigValue, type Obj } from './hocon-nodes.js';
import { Parser } from './hocon-parser.js';
import { Resolver } from './hocon-resolver.js';

export { HoconError, type ConfigObject, type ConfigValue };

/** The posted config, unresolved, kept on each parsed config for `GET /jobs/{id}/config`. */
const SHOWN = Symbol('jobConfigText');

function parseDocument(text: string): { root: Obj; resolved: Obj } {
  return guardStack(() => {
    const root = new Parser(text).document();
    const resolver = new Resolver();
    const resolved = resolver.resolveRoot(root);
    if (resolver.weigh(resolved) > MAX_NODES) throw HoconError.at(resolved.origin, TOO_LARGE);
    return { root, resolved };
  });
}

/** The bounds keep well within Node's stack; should one not, the body is refused all the same. */
function guardStack<T>(work: () => T): T {
  try {
    return work();
  } catch (err) {
    if (err instanceof RangeError) throw new HoconError('String: 1: The config nests or chains substitutions too deeply (jobfake refuses it)');
    throw err;
  }
}

/**
 * What Spark Jobserver stores and shows for a posted config: the config as posted (unresolved),
 * rendered concise (SqlCommon.saveJobConfig), read back, and rendered formatted as JSON without
 * comments (WebApi, `GET /jobs/{id}/config`). Substitutions therefore show as `${path}`.
 */
function shownText(root: Obj): string | undefined {
  try {
    return guardStack(() => shownRendering(root));
  } catch (err) {
    // The library fails here too (an all-digit key beyond int range): jobfake still answers.
    if (err instanceof HoconError) return undefined;
    throw err;
  }
}

function shownRendering(root: Obj): string {
  {
    const stored = render(root, { formatted: false });
    return render(new Parser(stored).document(), { formatted: true });
  }
}

/** Parses and resolves a HOCON document into plain JSON values; throws HoconError. */
export function parseHocon(text: string): ConfigObject {
  const { root, resolved } = parseDocument(text);
  const config = unwrap(resolved) as ConfigObject;
  // Rendered when asked for (rarely): the config as posted, kept unresolved.
  Object.defineProperty(config, SHOWN, { value: root, enumerable: false });
  return config;
}

/** The body `GET /jobs/{id}/config` answers for a config from parseHocon (formatted JSON text). */
export function jobConfigText(config: ConfigObject): string {
  const root = (config as { [SHOWN]?: Obj })[SHOWN];
  const shown = root && shownText(root);
  return shown ?? `${JSON.stringify(config, null, 4).replace(/^( *"(?:[^"\\]|\\.)*"):/gm, '$1 :')}\n`;
}

/**
 * The outcome the differential test compares with the real library: the message, or the resolved
 * config rendered concise and the shown text (both as Typesafe Config writes them).
 */
export function hoconOutcome(text: string): { error: string; javaException?: string } | { resolved: string; shown: string } {
  try {
    const { root, resolved } = parseDocument(text);
    return { resolved: attempt(() => render(resolved, { formatted: false })), shown: attempt(() => guardStack(() => shownRendering(root))) };
  } catch (err) {
    if (err instanceof HoconError) return err.javaException ? { error: err.message, javaException: err.javaException } : { error: err.message };
    throw err;
  }
}

/** A rendering, or "!" and why it failed, as test/sparkjobserver/oracle/ParseConfig.java writes it. */
function attempt(render: () => string): string {
  try {
    return render();
  } catch (err) {
    if (!(err instanceof HoconError)) throw err;
    return `!${err.javaException ? `${err.javaException}: ` : ''}${err.message}`;
  }
}

/** The value at a dotted path ("input.string"), if any. */
export function getPath(config: ConfigObject, path: string): ConfigValue | undefined {
  let cur: ConfigValue | undefined = config;
  for (const key of path.split('.')) {
    cur = cur !== null && typeof cur === 'object' && !Array.isArray(cur) && Object.hasOwn(cur, key) ? cur[key] : undefined;
  }
  return cur;
}
