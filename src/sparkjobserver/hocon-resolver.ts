/**
 * Resolves `${…}` substitutions as Typesafe Config 1.3.x's resolve() does (ResolveContext,
 * ResolveSource, ConfigReference, ConfigConcatenation, ConfigDelayedMerge): a substitution looks its
 * path up in the document, resolving only what lies on the way; a value that refers to its own key
 * sees the layers written before it; a cycle names the substitutions involved. The environment is
 * empty here: a real server would also look variables up in its own environment.
 */
import {
  Concat,
  DelayedMerge,
  HoconError,
  List,
  MAX_TRACE,
  MAX_NODES,
  Obj,
  Ref,
  TOO_LARGE,
  consolidate,
  isContainer,
  isObjectLike,
  ignoresFallbacks,
  isResolved,
  javaOrder,
  javaString,
  refText,
  render,
  renderPath,
  withFallback,
  type Value,
} from './hocon-nodes.js';

/** A cycle: the substitutions being resolved when it was met. */
class NotPossible {
  constructor(readonly trace: string) {}
}

/** Where substitutions are looked up: the root, and the containers above the value in hand. */
class Source {
  constructor(
    readonly root: Obj,
    /** Innermost first, the root last; undefined when unknown. */
    readonly parents?: Value[],
  ) {}

  pushParent(parent: Value): Source {
    if (!this.parents) return parent === this.root ? new Source(this.root, [parent]) : this;
    return new Source(this.root, [parent, ...this.parents]);
  }

  resetParents(): Source {
    return this.parents ? new Source(this.root) : this;
  }

  /** This source with `old`, a child of the current parent, replaced (or removed). */
  replaceWithinCurrentParent(old: Value, replacement: Value | undefined): Source {
    if (old === replacement) return this;
    if (this.parents) {
      const parent = this.parents[0]!;
      const newParent = replaceChild(parent, old, replacement);
      return this.replaceCurrentParent(parent, newParent !== undefined && isContainer(newParent) ? newParent : undefined);
    }
    if (old === this.root && replacement !== undefined && isContainer(replacement)) return new Source(rootObject(replacement));
    // A bug of the library, met by some self-references inside merged objects: its message.
    throw new HoconError(`replace in parent not possible ${javaString(old)} with ${replacement ? javaString(replacement) : 'null'} in ${this.toString()}`);
  }

  toString(): string {
    const parents = this.parents ? `[${[...this.parents].reverse().map(javaString).join(' <= ')}]` : 'null';
    return `ResolveSource(root=${javaString(this.root)}, pathFromRoot=${parents})`;
  }

  private replaceCurrentParent(old: Value, replacement: Value | undefined): Source {
    if (old === replacement) return this;
    if (this.parents) {
      const path = replacePath(this.parents, old, replacement);
      return path ? new Source(rootObject(path[path.length - 1]!), path) : new Source(new Obj({ start: -1, end: -1 }, new Map()));
    }
    if (old === this.root) return new Source(rootObject(replacement));
    throw new HoconError(`bug or broken: attempt to replace root with ${replacement ? javaString(replacement) : 'null'}`);
  }
}

function rootObject(v: Value | undefined): Obj {
  return v instanceof Obj ? v : new Obj({ start: -1, end: -1 }, new Map());
}

function replacePath(list: Value[], old: Value, replacement: Value | undefined): Value[] | undefined {
  const parent = list[1];
  if (replacement === undefined || !isContainer(replacement)) {
    if (parent === undefined) return undefined;
    return replacePath(list.slice(1), parent, replaceChild(parent, old, undefined));
  }
  if (parent === undefined) return [replacement];
  const tail = replacePath(list.slice(1), parent, replaceChild(parent, old, replacement));
  return tail ? [replacement, ...tail] : [replacement];
}

function replaceInList(items: Value[], child: Value, replacement: Value | undefined): Value[] | undefined {
  const i = items.indexOf(child);
  if (i < 0) throw new HoconError(`tried to replace ${javaString(child)} which is not in [${items.map(javaString).join(', ')}]`);
  const out = [...items];
  if (replacement === undefined) out.splice(i, 1);
  else out[i] = replacement;
  return out.length === 0 ? undefined : out;
}

function replaceChild(container: Value, child: Value, replacement: Value | undefined): Value | undefined {
  if (container instanceof Obj) {
    const map = new Map(container.map);
    let found = false;
    for (const [k, v] of map) {
      if (v !== child) continue;
      found = true;
      if (replacement === undefined) map.delete(k);
      else map.set(k, replacement);
    }
    // A bug of the library (a merged object stands where its parts were looked for): its message.
    if (!found) throw new HoconError(`SimpleConfigObject.replaceChild did not find ${javaString(child)} in ${javaString(container)}`);
    return new Obj(container.origin, map, container.ignoresFallbacks);
  }
  if (container instanceof List) {
    const items = replaceInList(container.items, child, replacement);
    return items && new List(container.origin, items);
  }
  if (container instanceof Concat) {
    const pieces = replaceInList(container.pieces, child, replacement);
    return pieces && new Concat(container.origin, pieces);
  }
  if (container instanceof DelayedMerge) {
    const stack = replaceInList(container.stack, child, replacement);
    return stack && new DelayedMerge(container.origin, stack, container.isObject);
  }
  return undefined;
}

const restrictKey = (restrict: string[] | undefined) => (restrict ? JSON.stringify(restrict) : '');

/** One resolution of a document; not reusable. */
export class Resolver {
  private readonly memos = new Map<Value, Map<string, Value>>();
  private readonly memoLog: [Value, string][] = [];
  private readonly trace: Value[] = [];
  private readonly markers = new Set<Value>();
  private readonly orders = new WeakMap<Obj, string[]>();
  private readonly weights = new WeakMap<object, number>();

  /** The resolved root; throws HoconError. */
  resolveRoot(root: Obj): Obj {
    try {
      const out = this.resolve(root, new Source(root), undefined);
      return out as Obj;
    } catch (err) {
      if (err instanceof NotPossible) throw new HoconError('bug or broken: NotPossibleToResolve was thrown from an outermost resolve');
      throw err;
    }
  }

  private resolve(original: Value, source: Source, restrict: string[] | undefined): Value | undefined {
    if (this.trace.length > MAX_TRACE) {
      throw HoconError.at(original.origin, `Substitutions chain deeper than ${MAX_TRACE} steps (jobfake refuses it)`);
    }
    this.trace.push(original);
    try {
      const memo = this.memos.get(original);
      const cached = memo?.get('') ?? (restrict ? memo?.get(restrictKey(restrict)) : undefined);
      if (cached !== undefined) return cached;
      if (this.markers.has(original)) throw new NotPossible(this.traceString());
      const resolved = this.substitute(original, source, restrict);
      if (resolved !== undefined) {
        const key = isResolved(resolved) ? '' : restrict ? restrictKey(restrict) : undefined;
        if (key === undefined) throw new HoconError('bug or broken: resolveSubstitutions() did not give us a resolved object');
        let m = this.memos.get(original);
        if (!m) this.memos.set(original, (m = new Map()));
        m.set(key, resolved);
        this.memoLog.push([original, key]);
      }
      return resolved;
    } finally {
      this.trace.pop();
    }
  }

  private traceString(): string {
    return this.trace
      .filter((v): v is Ref => v instanceof Ref)
      .map(refText)
      .join(', ');
  }

  private order(obj: Obj): string[] {
    let keys = this.orders.get(obj);
    if (!keys) this.orders.set(obj, (keys = javaOrder([...obj.map.keys()])));
    return keys;
  }

  private substitute(v: Value, source: Source, restrict: string[] | undefined): Value | undefined {
    if (v instanceof Obj) return this.object(v, source, restrict);
    if (v instanceof List) {
      if (v.resolved || restrict) return v;
      const parent = source.pushParent(v);
      const items: Value[] = [];
      for (const item of v.items) {
        const r = this.resolve(item, parent, undefined);
        if (r !== undefined) items.push(r);
      }
      return new List(v.origin, items);
    }
    if (v instanceof Ref) return this.reference(v, source, restrict);
    if (v instanceof Concat) return this.concatenation(v, source);
    if (v instanceof DelayedMerge) return this.merge(v, source, restrict);
    return v;
  }

  private object(obj: Obj, source: Source, restrict: string[] | undefined): Value {
    if (obj.resolved) return obj;
    const parent = source.pushParent(obj);
    const changes = new Map<string, Value | undefined>();
    if (restrict) {
      const [first, ...rest] = restrict as [string, ...string[]];
      const child = obj.map.get(first);
      if (child !== undefined && rest.length > 0) {
        const r = this.resolve(child, parent, rest);
        if (r !== child) changes.set(first, r);
      }
    } else {
      for (const key of this.order(obj)) {
        const child = obj.map.get(key)!;
        const r = this.resolve(child, parent, undefined);
        if (r !== child) changes.set(key, r);
      }
    }
    if (changes.size === 0) return obj;
    const map = new Map<string, Value>();
    for (const [k, child] of obj.map) {
      const r = changes.has(k) ? changes.get(k) : child;
      if (r !== undefined) map.set(k, r);
    }
    return new Obj(obj.origin, map, obj.ignoresFallbacks);
  }

  private reference(ref: Ref, source: Source, restrict: string[] | undefined): Value | undefined {
    this.markers.add(ref);
    const mark = this.memoLog.length;
    try {
      let v: Value | undefined;
      try {
        const found = this.lookup(source.root, ref.path);
        // Not found: the library looks in the environment next, starting again from the context it
        // had before, so whatever the failed look-up resolved on the way is forgotten.
        if (found.value === undefined) this.rollback(mark);
        v = found.value === undefined ? undefined : this.resolve(found.value, new Source(found.parents[found.parents.length - 1] as Obj, found.parents), restrict);
      } catch (err) {
        if (!(err instanceof NotPossible)) throw err;
        this.rollback(mark);
        if (!ref.optional) throw HoconError.at(ref.origin, `Could not resolve substitution to a value: ${refText(ref)} was part of a cycle of substitutions involving ${err.trace}`);
        v = undefined;
      }
      if (v === undefined && !ref.optional) throw HoconError.at(ref.origin, `Could not resolve substitution to a value: ${refText(ref)}`);
      return v;
    } finally {
      this.markers.delete(ref);
    }
  }

  private rollback(mark: number): void {
    while (this.memoLog.length > mark) {
      const [value, key] = this.memoLog.pop()!;
      this.memos.get(value)?.delete(key);
    }
  }

  /** Resolves the root only along `path`, then reads the value there (ResolveSource.findInObject). */
  private lookup(root: Obj, path: string[]): { value: Value | undefined; parents: Value[] } {
    const partial = this.resolve(root, new Source(root), path);
    if (partial === undefined || !isObjectLike(partial)) throw new HoconError(`bug or broken: resolved object to non-object`);
    let obj: Value = partial;
    const parents: Value[] = [];
    for (let i = 0; ; i++) {
      parents.unshift(obj);
      const v: Value | undefined = obj instanceof Obj ? obj.map.get(path[i]!) : this.peekMerged(obj as DelayedMerge, path[i]!, path);
      if (i === path.length - 1) return { value: v, parents };
      if (v === undefined || !isObjectLike(v)) return { value: undefined, parents };
      obj = v;
    }
  }

  /**
   * A key of an object still waiting on a merge (ConfigDelayedMergeObject's peek): found in a layer
   * above every unresolved one, or known to be absent; otherwise the library gives up.
   */
  private peekMerged(merge: DelayedMerge, key: string, path: string[]): Value | undefined {
    for (const layer of merge.stack) {
      if (isObjectLike(layer)) {
        const v = layer instanceof Obj ? layer.map.get(key) : this.peekMerged(layer, key, path);
        if (v === undefined) {
          if (layer instanceof DelayedMerge) throw new HoconError('should not be reached: unmergeable object returned null value');
          continue;
        }
        if (ignoresFallbacks(v)) return v;
        continue;
      }
      if (layer instanceof Ref || layer instanceof Concat || layer instanceof DelayedMerge) {
        throw new HoconError(`${renderPath(path)} has not been resolved, you need to call Config#resolve(), see API docs for Config#resolve()`);
      }
      return undefined;
    }
    throw new HoconError('Delayed merge stack does not contain any unmergeable values');
  }

  private concatenation(concat: Concat, source: Source): Value | undefined {
    const resolved: Value[] = [];
    for (const piece of concat.pieces) {
      const r = this.resolve(piece, source, undefined);
      if (r !== undefined) resolved.push(r);
    }
    const joined = consolidate(resolved);
    if (joined.length === 0) return undefined;
    if (joined.length > 1) throw new HoconError(`bug or broken: resolved list was joined to too many values: ${joined.map((v) => render(v, { formatted: false })).join(', ')}`);
    const out = joined[0]!;
    if (this.weigh(out) > MAX_NODES) throw HoconError.at(concat.origin, TOO_LARGE);
    return out;
  }

  private merge(merge: DelayedMerge, source: Source, restrict: string[] | undefined): Value | undefined {
    let merged: Value | undefined;
    merge.stack.forEach((end, count) => {
      let sourceForEnd: Source;
      if (end instanceof Ref || end instanceof Concat || end instanceof DelayedMerge) {
        // While resolving this layer, its own key stands for the layers below it only.
        const rest = merge.stack.slice(count + 1);
        const remainder = rest.length === 0 ? undefined : rest.reduce((acc, layer) => withFallback(acc, layer));
        sourceForEnd = source.replaceWithinCurrentParent(merge, remainder).resetParents();
      } else {
        sourceForEnd = source.pushParent(merge);
      }
      const r = this.resolve(end, sourceForEnd, restrict);
      if (r !== undefined) merged = merged === undefined ? r : withFallback(merged, r);
    });
    return merged;
  }

  /** How many values a value holds once written out (shared parts count each time). */
  weigh(value: Value): number {
    if (value instanceof Obj || value instanceof List) {
      const known = this.weights.get(value);
      if (known !== undefined) return known;
      let total = 1;
      for (const child of value instanceof List ? value.items : value.map.values()) {
        total += this.weigh(child);
        if (total > MAX_NODES) break;
      }
      this.weights.set(value, total);
      return total;
    }
    return 1;
  }
}
