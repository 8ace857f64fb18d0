/**
 * The values a HOCON document parses to, with the merge and concatenation rules of Typesafe Config
 * 1.3.x (the library Spark Jobserver 0.9 to 0.11 parses job configs with): a later duplicate key
 * merges into an earlier object, `${…}` and concatenations wait for resolution, and error messages
 * name values the way the library prints them (`Quoted("x")`, `SimpleConfigList([1])`).
 */

/** The resolved config, as plain JSON values. */
export type ConfigValue = string | number | boolean | null | ConfigValue[] | ConfigObject;
export interface ConfigObject {
  [key: string]: ConfigValue;
}

/** A refusal, its message worded as Typesafe Config's ConfigException (the server echoes it). */
export class HoconError extends Error {
  /** Set where the real library fails with this Java exception instead (a bug of the library). */
  javaException?: string;

  /** `message` is the whole text; use `at()` for the usual "String: <line>: " prefix. */
  constructor(message: string) {
    super(message);
  }

  static at(origin: Origin, message: string): HoconError {
    return new HoconError(`${describe(origin)}: ${message}`);
  }
}

/** Lines a value comes from (first and last, 1-based); -1 when it has none. */
export interface Origin {
  readonly start: number;
  readonly end: number;
}

const LINES: Origin[] = [];
/** The origin of one line (shared: origins are never changed). */
export const line = (n: number): Origin => (LINES[n] ??= Object.freeze({ start: n, end: n }));

export function describe(origin: Origin): string {
  if (origin.start < 0) return 'String';
  return origin.start === origin.end ? `String: ${origin.start}` : `String: ${origin.start}-${origin.end}`;
}

export function mergeOrigins(...values: { origin: Origin }[]): Origin {
  let start = -1;
  let end = -1;
  for (const { origin } of values) {
    if (origin.start >= 0) start = start < 0 ? origin.start : Math.min(start, origin.start);
    end = Math.max(end, origin.end);
  }
  return { start, end };
}

// Bounds so a hostile body cannot overflow the stack or blow up through substitutions. The
// library itself overflows its stack (StackOverflowError) past about 1000 to 2000 levels of nesting
// and 2000 to 5000 chained substitutions; jobfake refuses with a message instead.
/** Nesting of objects and lists, parts of a path, `${` inside `${`. */
export const MAX_DEPTH = 1000;
/** Values being resolved at once (about three per chained substitution). */
export const MAX_TRACE = 6000;
export const MAX_NODES = 1_000_000;
export const MAX_STRING = 1_000_000;

export type Value = Str | Num | Bool | Null | List | Obj | Ref | Concat | DelayedMerge;

export class Str {
  constructor(
    readonly origin: Origin,
    readonly value: string,
    readonly quoted: boolean,
  ) {}
}

/** A number keeps the text it was written as: concatenation uses it, rendering uses the value. */
export class Num {
  constructor(
    readonly origin: Origin,
    readonly kind: 'int' | 'long' | 'double',
    readonly value: number,
    readonly text: string,
    readonly big?: bigint,
  ) {}
}

export class Bool {
  constructor(
    readonly origin: Origin,
    readonly value: boolean,
  ) {}
}

export class Null {
  constructor(readonly origin: Origin) {}
}

export class List {
  readonly resolved: boolean;
  constructor(
    readonly origin: Origin,
    readonly items: Value[],
  ) {
    this.resolved = items.every(isResolved);
  }
}

/** An object; its keys keep insertion order, iteration in Java's HashMap order is `javaOrder`. */
export class Obj {
  readonly resolved: boolean;
  constructor(
    readonly origin: Origin,
    readonly map: Map<string, Value>,
    readonly ignoresFallbacks = false,
    resolved?: boolean,
  ) {
    this.resolved = resolved ?? [...map.values()].every(isResolved);
  }
}

/** `${path}` or `${?path}`. */
export class Ref {
  constructor(
    readonly origin: Origin,
    readonly path: string[],
    readonly optional: boolean,
  ) {}
}

/** Values written side by side, joined once their substitutions are resolved. */
export class Concat {
  constructor(
    readonly origin: Origin,
    readonly pieces: Value[],
  ) {}
}

/** Values for one key that can only be merged once resolved (highest priority first). */
export class DelayedMerge {
  constructor(
    readonly origin: Origin,
    readonly stack: Value[],
    readonly isObject: boolean,
  ) {}
}

export const isUnmergeable = (v: Value): v is Ref | Concat | DelayedMerge => v instanceof Ref || v instanceof Concat || v instanceof DelayedMerge;
export const isObjectLike = (v: Value): v is Obj | DelayedMerge => v instanceof Obj || (v instanceof DelayedMerge && v.isObject);
export const isContainer = (v: Value): v is Obj | List | DelayedMerge | Concat => v instanceof Obj || v instanceof List || v instanceof DelayedMerge || v instanceof Concat;

export function isResolved(v: Value): boolean {
  if (v instanceof Obj || v instanceof List) return v.resolved;
  return !isUnmergeable(v);
}

export function ignoresFallbacks(v: Value): boolean {
  if (v instanceof Obj) return v.ignoresFallbacks;
  // A merge stack ignores fallbacks when its lowest layer does (a plain value, say).
  if (v instanceof DelayedMerge) return ignoresFallbacks(v.stack[v.stack.length - 1]!);
  if (isUnmergeable(v)) return false;
  return isResolved(v);
}

function unmergedValues(v: Ref | Concat | DelayedMerge): Value[] {
  return v instanceof DelayedMerge ? v.stack : [v];
}

/** Origins of merged values, leaving out resolved empty objects (AbstractConfigObject.mergeOrigins). */
function stackOrigin(stack: Value[]): Origin {
  const counted = stack.filter((v) => !(v instanceof Obj && v.resolved && v.map.size === 0));
  return mergeOrigins(...(counted.length > 0 ? counted : stack.slice(0, 1)));
}

function delayed(stack: Value[], isObject: boolean): DelayedMerge {
  return new DelayedMerge(stackOrigin(stack), stack, isObject);
}

/** `value` with `fallback` merged under it: Typesafe Config's `withFallback`. */
export function withFallback(value: Value, fallback: Value): Value {
  if (ignoresFallbacks(value)) return value;
  if (value instanceof DelayedMerge) {
    if (isUnmergeable(fallback)) return delayed([...value.stack, ...unmergedValues(fallback)], value.isObject);
    // A merge stack only grows; resolving decides which layers count.
    return delayed([...value.stack, fallback], value.isObject);
  }
  if (value instanceof Obj) {
    if (isUnmergeable(fallback)) return delayed([value, ...unmergedValues(fallback)], true);
    if (fallback instanceof Obj) return mergeObjects(value, fallback);
    return value.resolved ? new Obj(value.origin, value.map, true, value.resolved) : delayed([value, fallback], true);
  }
  // Lists with substitutions, references and concatenations.
  if (isUnmergeable(fallback)) return delayed([value, ...unmergedValues(fallback)], false);
  return isResolved(value) ? value : delayed([value, fallback], false);
}

function mergeObjects(value: Obj, fallback: Obj): Obj {
  const merged = new Map<string, Value>();
  let changed = false;
  for (const key of new Set([...value.map.keys(), ...fallback.map.keys()])) {
    const first = value.map.get(key);
    const second = fallback.map.get(key);
    const kept = first === undefined ? second! : second === undefined ? first : withFallback(first, second);
    merged.set(key, kept);
    if (kept !== first) changed = true;
  }
  const resolved = [...merged.values()].every(isResolved);
  if (changed) return new Obj(stackOrigin([value, fallback]), merged, fallback.ignoresFallbacks, resolved);
  if (resolved !== value.resolved || fallback.ignoresFallbacks !== value.ignoresFallbacks) return new Obj(value.origin, value.map, fallback.ignoresFallbacks, resolved);
  return value;
}

/** The text a simple value joins a string concatenation with; undefined for objects and lists. */
export function asText(v: Value): string | undefined {
  if (v instanceof Str) return v.value;
  if (v instanceof Num) return v.text;
  if (v instanceof Bool) return String(v.value);
  if (v instanceof Null) return 'null';
  return undefined;
}

/** Joins adjacent pieces as Typesafe Config does: strings join, objects merge, lists append. */
export function consolidate(pieces: Value[]): Value[] {
  if (pieces.length < 2) return pieces;
  const flat: Value[] = [];
  for (const p of pieces) {
    if (p instanceof Concat) flat.push(...p.pieces);
    else flat.push(p);
  }
  const out: Value[] = [];
  // A run of simple values joins into one string: gathered here, built once.
  let run: { parts: string[]; start: number; end: number; length: number } | undefined;
  const flush = () => {
    if (!run) return;
    out[out.length - 1] = new Str({ start: run.start, end: run.end }, run.parts.join(''), true);
    run = undefined;
  };
  for (const piece of flat) {
    if (out.length === 0) {
      out.push(piece);
      continue;
    }
    const last = out[out.length - 1]!;
    if (isSimple(piece) && (run || isSimple(last))) {
      if (!run) {
        const text = asText(last)!;
        run = { parts: [text], start: last.origin.start, end: last.origin.end, length: text.length };
      }
      const text = asText(piece)!;
      run.length += text.length;
      if (run.length > MAX_STRING) throw HoconError.at(last.origin, TOO_LARGE);
      run.parts.push(text);
      if (piece.origin.start >= 0) run.start = run.start < 0 ? piece.origin.start : Math.min(run.start, piece.origin.start);
      run.end = Math.max(run.end, piece.origin.end);
      continue;
    }
    flush();
    let left = out[out.length - 1]!;
    let right = piece;
    if (left instanceof Obj && right instanceof List) left = objectAsList(left);
    else if (left instanceof List && right instanceof Obj) right = objectAsList(right);
    let joined: Value | undefined;
    if (isObjectLike(left) && isObjectLike(right)) joined = withFallback(right, left);
    else if (left instanceof List && right instanceof List) joined = new List(mergeOrigins(left, right), [...left.items, ...right.items]);
    else if ((left instanceof List || isObjectLike(left)) && right instanceof Str && !right.quoted) joined = left;
    else if (isUnmergeable(left) || isUnmergeable(right)) joined = undefined;
    else {
      // One side is an object or a list, the other a simple value.
      throw HoconError.at(left.origin, `Cannot concatenate object or list with a non-object-or-list, ${javaString(left)} and ${javaString(right)} are not compatible`);
    }
    if (joined === undefined) out.push(right);
    else out[out.length - 1] = joined;
  }
  flush();
  return out;
}

const isSimple = (v: Value): v is Str | Num | Bool | Null => v instanceof Str || v instanceof Num || v instanceof Bool || v instanceof Null;

export const TOO_LARGE = 'The config grows too large once its substitutions are resolved (jobfake refuses it)';

/** Concatenation of pieces: one value, a Concat, or undefined when nothing is left. */
export function concatenate(pieces: Value[]): Value | undefined {
  const joined = consolidate(pieces);
  if (joined.length === 0) return undefined;
  if (joined.length === 1) return joined[0];
  return new Concat(mergeOrigins(...joined), joined);
}

/** An object whose keys are all numbers reads as a list (DefaultTransformer); others stay. */
function objectAsList(obj: Obj): Value {
  const entries: [number, Value][] = [];
  for (const [key, value] of obj.map) {
    if (!/^\d+$/.test(key)) continue;
    const n = Number(key);
    if (n <= 2147483647) entries.push([n, value]);
  }
  if (entries.length === 0) return obj;
  entries.sort((a, b) => a[0] - b[0]);
  return new List(obj.origin, entries.map(([, v]) => v));
}

// ---- Java's HashMap iteration order, which decides which of several errors is reported first.

function javaHash(key: string): number {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (Math.imul(h, 31) + key.charCodeAt(i)) | 0;
  return h ^ (h >>> 16);
}

/** Keys in the order a java.util.HashMap filled with them iterates. */
export function javaOrder(keys: string[]): string[] {
  let capacity = 16;
  while (keys.length > capacity * 0.75) capacity *= 2;
  const indexed = keys.map((key, i) => ({ key, i, bucket: javaHash(key) & (capacity - 1) }));
  indexed.sort((a, b) => a.bucket - b.bucket || a.i - b.i);
  return indexed.map((e) => e.key);
}

// ---- Rendering, as ConfigValue.render(): concise JSON, or formatted JSON (4-space indent).

export interface RenderOptions {
  formatted: boolean;
}

const ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\b': '\\b', '\f': '\\f', '\r': '\\r', '\t': '\\t' };

/** A JSON string as ConfigImplUtil.renderJsonString writes it (other controls as \\u00xx). */
export function jsonString(s: string): string {
  return `"${s.replace(/["\\\u0000-\u001f]/g, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}

/** Java's Double.toString (shortest digits; scientific below 1e-3 and from 1e7). */
export function javaDouble(d: number): string {
  if (Number.isNaN(d)) return 'NaN';
  if (!Number.isFinite(d)) return d > 0 ? 'Infinity' : '-Infinity';
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(d);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = abs < 1e-6 ? abs.toFixed(20).replace(/0+$/, '') : String(abs);
    return (d < 0 ? '-' : '') + (s.includes('.') ? s : `${s}.0`);
  }
  const [mantissa, exp] = d.toExponential().split('e') as [string, string];
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${exp.replace('+', '')}`;
}

function numberText(n: Num): string {
  if (n.kind === 'double') return javaDouble(n.value);
  return n.big !== undefined ? n.big.toString() : String(n.value);
}

function pathText(path: string[]): string {
  return path.map((k) => (k === '' || /[^\p{L}\p{Nd}_-]/u.test(k) ? jsonString(k) : k)).join('.');
}

export const refText = (r: Ref) => `\${${r.optional ? '?' : ''}${pathText(r.path)}}`;
export const renderPath = pathText;

const isAllDigits = (s: string) => /^\p{Nd}+$/u.test(s);

/** Integer.parseInt of an all-digit key; the library's sort fails on one out of int range. */
function javaInt(s: string): number {
  const n = /^[0-9]+$/.test(s) ? Number(s) : Number(s.replace(/\p{Nd}/gu, (d) => String(javaDigit(d))));
  if (!(n <= 2147483647)) {
    const err = new HoconError(`For input string: "${s}"`);
    err.javaException = 'java.lang.NumberFormatException';
    throw err;
  }
  return n;
}

/** The value of a Unicode decimal digit (digits come in runs of ten from a zero). */
function javaDigit(d: string): number {
  let code = d.codePointAt(0)!;
  let value = 0;
  while (value < 9 && /\p{Nd}/u.test(String.fromCodePoint(code - 1))) {
    code--;
    value++;
  }
  return value;
}

/** Key order of rendering (RenderComparator): all-digit keys first, numerically, then by UTF-16 code units. */
function renderCompare(a: string, b: string): number {
  const ad = isAllDigits(a);
  const bd = isAllDigits(b);
  if (ad && bd) return Math.sign(javaInt(a) - javaInt(b));
  if (ad) return -1;
  if (bd) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Keys sorted as java.util.Arrays.sort does it: under 32 keys a binary insertion sort after the
 * first run (TimSort), so that the comparisons made, and a key that fails one, are the library's.
 */
export function renderOrder(keys: string[]): string[] {
  const a = [...keys];
  if (a.length < 2) return a;
  if (a.length >= 32) return a.sort(renderCompare);
  let run = 1;
  if (renderCompare(a[run++]!, a[0]!) < 0) {
    while (run < a.length && renderCompare(a[run]!, a[run - 1]!) < 0) run++;
    a.splice(0, run, ...a.slice(0, run).reverse());
  } else {
    while (run < a.length && renderCompare(a[run]!, a[run - 1]!) >= 0) run++;
  }
  for (let start = run; start < a.length; start++) {
    const pivot = a[start]!;
    let left = 0;
    let right = start;
    while (left < right) {
      const mid = (left + right) >>> 1;
      if (renderCompare(pivot, a[mid]!) < 0) right = mid;
      else left = mid + 1;
    }
    a.splice(start, 1);
    a.splice(left, 0, pivot);
  }
  return a;
}

const indent = (n: number, o: RenderOptions) => (o.formatted ? '    '.repeat(n) : '');

export function render(v: Value, o: RenderOptions, level = 0, atRoot = true, atKey?: string): string {
  let out = '';
  if (atKey !== undefined && !(v instanceof DelayedMerge)) out += jsonString(atKey) + (o.formatted ? ' : ' : ':');
  if (v instanceof Obj) {
    if (v.map.size === 0) out += '{}';
    else {
      out += `{${o.formatted ? '\n' : ''}`;
      const parts = renderOrder([...v.map.keys()]).map((k) => indent(level + 1, o) + render(v.map.get(k)!, o, level + 1, false, k));
      out += parts.join(o.formatted ? ',\n' : ',');
      out += o.formatted ? `\n${indent(level, o)}}` : '}';
    }
    if (atRoot && o.formatted) out += '\n';
    return out;
  }
  if (v instanceof List) {
    if (v.items.length === 0) return `${out}[]`;
    const parts = v.items.map((item) => indent(level + 1, o) + render(item, o, level + 1, atRoot));
    return `${out}[${o.formatted ? '\n' : ''}${parts.join(o.formatted ? ',\n' : ',')}${o.formatted ? `\n${indent(level, o)}` : ''}]`;
  }
  if (v instanceof DelayedMerge) {
    // Each layer, lowest priority first, as `"key" : value` under a key; the library writes the
    // indent again although its caller already did, and ends with a newline when formatted.
    let text = '';
    for (const layer of [...v.stack].reverse()) {
      text += indent(level, o) + (atKey !== undefined ? jsonString(atKey) + (o.formatted ? ' : ' : ':') : '') + render(layer, o, level, atRoot) + ',' + (o.formatted ? '\n' : '');
    }
    text = text.slice(0, -1);
    if (o.formatted) text = `${text.slice(0, -1)}\n`;
    return out + text;
  }
  if (v instanceof Concat) return out + v.pieces.map((p) => render(p, o, level, atRoot)).join('');
  if (v instanceof Ref) return out + refText(v);
  if (v instanceof Str) return out + jsonString(v.value);
  if (v instanceof Num) return out + numberText(v);
  if (v instanceof Bool) return out + String(v.value);
  return `${out}null`;
}

/** The value as AbstractConfigValue.toString() prints it in messages: `Quoted("x")`. */
export function javaString(v: Value): string {
  let name: string;
  if (v instanceof Str) name = v.quoted ? 'Quoted' : 'Unquoted';
  else if (v instanceof Num) name = v.kind === 'int' ? 'ConfigInt' : v.kind === 'long' ? 'ConfigLong' : 'ConfigDouble';
  else if (v instanceof Bool) name = 'ConfigBoolean';
  else if (v instanceof Null) name = 'ConfigNull';
  else if (v instanceof List) name = 'SimpleConfigList';
  else if (v instanceof Obj) name = 'SimpleConfigObject';
  else if (v instanceof Ref) name = 'ConfigReference';
  else if (v instanceof Concat) name = 'ConfigConcatenation';
  else name = v.isObject ? 'ConfigDelayedMergeObject' : 'ConfigDelayedMerge';
  return `${name}(${render(v, { formatted: false })})`;
}

/** The plain JSON value of a resolved value. */
export function unwrap(v: Value): ConfigValue {
  if (v instanceof Obj) {
    const out = Object.create(null) as ConfigObject;
    for (const [k, child] of v.map) out[k] = unwrap(child);
    return out;
  }
  if (v instanceof List) return v.items.map(unwrap);
  if (v instanceof Str) return v.value;
  if (v instanceof Num) return v.value;
  if (v instanceof Bool) return v.value;
  return null;
}
