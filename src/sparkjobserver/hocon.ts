/**
 * A small HOCON (Typesafe config) parser for job and context configs posted to Spark Jobserver.
 * npm has no well-kept HOCON parser (the two there have one maintainer, one release or network
 * `include`s), so this covers what users post: dotted keys, `=`/`:`/`{`, `+=`, quoted and
 * triple-quoted strings, unquoted strings with spaces, numbers, booleans, null, lists, objects,
 * comments and `${…}` substitutions within the document. `include` is refused.
 * Errors read like Typesafe's ("String: 2: …") since the server echoes them.
 */
import { HoconError, MAX_NODES, type ConfigObject, type ConfigValue } from './hocon-nodes.js';
import { Parser } from './hocon-parser.js';
import { Resolver } from './hocon-resolver.js';

export { HoconError, type ConfigObject, type ConfigValue };

/** Parses a HOCON document into plain JSON values; throws HoconError. */
export function parseHocon(text: string): ConfigObject {
  const root = new Parser(text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n')).document();
  const resolver = new Resolver(root);
  const config = resolver.resolve(root) as ConfigObject;
  if (resolver.weigh(config) > MAX_NODES) throw new HoconError(1, 'The config grows too large once its substitutions are resolved');
  return config;
}

/** The value at a dotted path ("input.string"), if any. */
export function getPath(config: ConfigObject, path: string): ConfigValue | undefined {
  let cur: ConfigValue | undefined = config;
  for (const key of path.split('.')) {
    cur = cur !== null && typeof cur === 'object' && !Array.isArray(cur) && Object.hasOwn(cur, key) ? cur[key] : undefined;
  }
  return cur;
}
