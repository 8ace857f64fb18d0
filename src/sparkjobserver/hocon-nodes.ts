/** The tree a HOCON document parses to, before its substitutions are resolved. */
export type ConfigValue = string | number | boolean | null | ConfigValue[] | ConfigObject;
export interface ConfigObject {
  [key: string]: ConfigValue;
}

export class HoconError extends Error {
  constructor(line: number, message: string) {
    super(`String: ${line}: ${message}`);
  }
}

/** A `${path}` (or `${?path}`) waiting for resolution. */
export class Subst {
  constructor(
    readonly path: string[],
    readonly optional: boolean,
    readonly line: number,
  ) {}
}
/** Parts of a value that holds a substitution, joined once resolved. */
export class Concat {
  constructor(
    readonly parts: Node[],
    readonly line: number,
  ) {}
}
export type Node = string | number | boolean | null | Node[] | NodeObject | Subst | Concat;
export interface NodeObject {
  [key: string]: Node;
}

// Bounds so a hostile body cannot overflow the stack or blow up through substitutions.
export const MAX_DEPTH = 200;
export const MAX_NODES = 1_000_000;
export const MAX_STRING = 1_000_000;

export const isObject = (v: unknown): v is NodeObject => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Subst) && !(v instanceof Concat);

/** Objects without a prototype, so a key such as "__proto__" is only a key. */
export const newObject = (): NodeObject => Object.create(null) as NodeObject;

export function mergeInto(target: NodeObject, source: NodeObject): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (isObject(existing) && isObject(value)) mergeInto(existing, value);
    else if (isObject(value)) mergeInto((target[key] = newObject()) as NodeObject, value);
    else target[key] = value;
  }
}

export function joinStructured(nodes: Node[], line: number): Node {
  if (nodes.every(Array.isArray)) return (nodes as Node[][]).flat();
  if (nodes.every(isObject)) {
    const out = newObject();
    for (const n of nodes as NodeObject[]) mergeInto(out, n);
    return out;
  }
  throw new HoconError(line, 'Cannot concatenate a list with an object');
}
