import { Concat, HoconError, MAX_DEPTH, MAX_NODES, MAX_STRING, Subst, isObject, joinStructured, newObject, type ConfigObject, type ConfigValue, type Node, type NodeObject } from './hocon-nodes.js';

/** Resolves substitutions against the document itself (never the environment). */
export class Resolver {
  private readonly done = new Map<Node, ConfigValue | undefined>();
  private readonly active = new Set<Node>();
  private readonly weights = new WeakMap<object, number>();

  constructor(private readonly root: NodeObject) {}

  resolve(node: Node): ConfigValue | undefined {
    if (node === null || typeof node !== 'object') return node;
    if (this.done.has(node)) return this.done.get(node);
    if (this.active.has(node)) {
      const line = node instanceof Subst || node instanceof Concat ? node.line : 1;
      throw new HoconError(line, 'Cycle in substitutions (a value refers to itself)');
    }
    if (this.active.size > MAX_DEPTH * 2) throw new HoconError(1, `Substitutions and nesting go deeper than ${MAX_DEPTH * 2} levels`);
    this.active.add(node);
    let out: ConfigValue | undefined;
    if (node instanceof Subst) out = this.lookup(node);
    else if (node instanceof Concat) out = this.concat(node);
    else if (Array.isArray(node)) out = node.map((n) => this.resolve(n)).filter((v): v is ConfigValue => v !== undefined);
    else {
      const obj = newObject() as ConfigObject;
      for (const [key, value] of Object.entries(node)) {
        const resolved = this.resolve(value);
        if (resolved !== undefined) obj[key] = resolved;
      }
      out = obj;
    }
    this.active.delete(node);
    this.done.set(node, out);
    return out;
  }

  private lookup(subst: Subst): ConfigValue | undefined {
    // Walk the raw tree, resolving only what lies on the path, so a cycle is caught as one.
    let cur: Node | undefined = this.root;
    for (const key of subst.path) {
      if (cur instanceof Subst || cur instanceof Concat) cur = this.resolve(cur);
      cur = isObject(cur) && Object.hasOwn(cur, key) ? cur[key] : undefined;
    }
    const value = cur === undefined ? undefined : this.resolve(cur);
    if (value === undefined && !subst.optional) {
      throw new HoconError(subst.line, `Could not resolve substitution to a value: \${${subst.path.join('.')}}`);
    }
    return value;
  }

  /** How many values a resolved value holds once written out (shared parts count each time). */
  weigh(value: ConfigValue): number {
    if (value === null || typeof value !== 'object') return 1;
    const known = this.weights.get(value);
    if (known !== undefined) return known;
    let total = 1;
    for (const child of Array.isArray(value) ? value : Object.values(value)) {
      total += this.weigh(child);
      if (total > MAX_NODES) break;
    }
    this.weights.set(value, total);
    return total;
  }

  private concat(node: Concat): ConfigValue | undefined {
    const values = node.parts.map((p) => (typeof p === 'string' ? p : this.resolve(p)));
    const present = values.filter((v) => v !== undefined) as ConfigValue[];
    const structured = present.filter((v) => typeof v === 'object' && v !== null);
    const tooBig = () => new HoconError(node.line, 'The config grows too large once its substitutions are resolved');
    if (structured.length === 0) {
      const texts = present.map((v) => String(v));
      if (texts.reduce((sum, t) => sum + t.length, 0) > MAX_STRING) throw tooBig();
      return texts.join('');
    }
    if (structured.reduce((sum, v) => sum + this.weigh(v), 0) > MAX_NODES) throw tooBig();
    const nonSpace = present.filter((v) => !(typeof v === 'string' && v.trim() === ''));
    if (structured.length !== nonSpace.length) throw new HoconError(node.line, 'Cannot concatenate object or list with a non-object-or-list');
    return joinStructured(structured as Node[], node.line) as ConfigValue;
  }
}
