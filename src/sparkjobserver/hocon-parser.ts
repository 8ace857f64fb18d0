/**
 * Reads a HOCON document the way Typesafe Config 1.3.x's Tokenizer, ConfigDocumentParser and
 * ConfigParser do, so that every refusal carries the library's message, token names and hints.
 * Tokenizing problems become tokens that the parser meets as unexpected ones (as in the library);
 * the tokens and paths are hocon-tokenizer.ts's.
 */
import { HoconError, List, MAX_DEPTH, Obj, Ref, Str, concatenate, line, withFallback, type Value } from './hocon-nodes.js';
import { END, isWhitespace, parsePath, tokLine, tokName, tokenize, type Tok } from './hocon-tokenizer.js';

// ---- The parser

const isValueStart = (t: Tok) => t.t === 'value' || t.t === 'unquoted' || t.t === 'subst' || t.t === '{' || t.t === '[';
const isUnquotedWhitespace = (t: Tok) => t.t === 'unquoted' && [...t.text].every(isWhitespace);

/** Parses a document into its root value; substitutions stay unresolved. Throws HoconError. */
export class Parser {
  private readonly tokens: Tok[];
  private next = 0;
  private readonly back: Tok[] = [];
  private lineNumber = 1;
  private equalsCount = 0;
  private depth = 0;
  /** The value builder's own line count (ConfigParser): newlines directly inside objects and lists. */
  private valueLine = 1;
  /** ConfigParser's errors come after the whole document has parsed. */
  private buildError: HoconError | undefined;
  private arrayCount = 0;
  private readonly pathStack: string[][] = [];

  constructor(text: string) {
    this.tokens = tokenize(text);
  }

  private pop(): Tok {
    return this.back.pop() ?? this.tokens[this.next++] ?? END;
  }

  private putBack(t: Tok): void {
    this.back.push(t);
  }

  /** Skips whitespace, newlines and comments; `direct` when they belong to an object or list. */
  private nextCollecting(direct: boolean): Tok {
    for (;;) {
      const t = this.pop();
      if (t.t === 'ws' || t.t === 'newline' || isUnquotedWhitespace(t)) {
        if (t.t === 'newline') {
          this.lineNumber = t.line + 1;
          if (direct) this.valueLine++;
        }
      } else if (t.t !== 'comment') {
        const n = tokLine(t);
        if (n >= 0) this.lineNumber = n;
        return t;
      }
    }
  }

  private error(message: string): HoconError {
    return new HoconError(`String: ${this.lineNumber}: ${message}`);
  }

  private deferred(message: string): void {
    this.buildError ??= new HoconError(`String: ${this.valueLine}: ${message}`);
  }

  private quoteHint(bad: string, message: string, insideEquals = this.equalsCount > 0): string {
    if (bad === 'end of file') return message;
    const part = `${message} (if you intended ${bad} to be part of a key or string value, try enclosing the key or value in double quotes`;
    return insideEquals ? `${part}, or you may be able to rename the file .properties rather than .conf)` : `${part})`;
  }

  /** Reads the root; the root must be an object. */
  document(): Obj {
    this.pop(); // START
    let t = this.nextCollecting(true);
    let root: Value;
    if (t.t === '{' || t.t === '[') {
      root = this.value(t);
    } else {
      this.putBack(t);
      root = this.object(false);
    }
    t = this.nextCollecting(true);
    if (t.t !== 'end') throw this.error(`Document has trailing tokens after first object or array: ${tokName(t)}`);
    if (this.buildError) throw this.buildError;
    if (!(root instanceof Obj)) {
      throw HoconError.at(root.origin, ` has type ${root instanceof List ? 'LIST' : 'OBJECT'} rather than object at file root`);
    }
    return root;
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) throw this.error(`Objects and lists nest deeper than ${MAX_DEPTH} levels (jobfake refuses it)`);
  }

  private value(t: Tok): Value {
    if (t.t === 'value') return t.value;
    if (t.t === 'unquoted') return new Str(line(t.line), t.text, false);
    if (t.t === 'subst') {
      const ref = new Ref(line(t.line), [], t.optional);
      // The path is read by the value builder, after the whole document (ConfigParser).
      return this.build(() => new Ref(ref.origin, parsePath(t.expr, t.line), t.optional), ref);
    }
    if (t.t === '{') {
      this.enter();
      const v = this.object(true);
      this.depth--;
      return v;
    }
    if (t.t === '[') {
      this.enter();
      const v = this.list();
      this.depth--;
      return v;
    }
    throw this.error(this.quoteHint(tokName(t), `Expecting a value but got wrong token: ${tokName(t)}`));
  }

  /** Values side by side on one line ("a b", `${x}/in`), or the single value there is. */
  private consolidate(direct: boolean): Value | undefined {
    const values: (Value | Tok)[] = [];
    let count = 0;
    let t = this.nextCollecting(direct);
    for (;;) {
      if (t.t === 'ws') {
        values.push(t);
        t = this.pop();
        continue;
      }
      if (!isValueStart(t)) break;
      values.push(this.value(t));
      count++;
      t = this.pop();
    }
    this.putBack(t);
    if (count < 2) {
      let value: Value | undefined;
      for (const v of values) {
        if (!isTok(v)) value = v;
        else if (value !== undefined) this.putBack(v);
      }
      return value;
    }
    while (values.length > 0 && isTok(values[values.length - 1]!)) this.putBack(values.pop() as Tok);
    const pieces = values.filter((v): v is Value => !isTok(v));
    return this.build(() => concatenate(pieces)!, pieces[0]!);
  }

  /** Runs a step of the value builder; its error waits until the whole document has parsed. */
  private build(step: () => Value, fallback: Value): Value {
    try {
      return step();
    } catch (err) {
      if (!(err instanceof HoconError)) throw err;
      this.buildError ??= err;
      return fallback;
    }
  }

  private separator(direct: boolean): boolean {
    let saw = false;
    for (;;) {
      const t = this.pop();
      if (t.t === 'ws' || isUnquotedWhitespace(t) || t.t === 'comment') continue;
      if (t.t === 'newline') {
        saw = true;
        this.lineNumber++;
        if (direct) this.valueLine++;
        continue;
      }
      if (t.t === ',') return true;
      this.putBack(t);
      return saw;
    }
  }

  private key(first: Tok): { path: string[]; text: string } {
    const expr: Tok[] = [];
    let t = first;
    while (t.t === 'value' || t.t === 'unquoted') {
      expr.push(t);
      t = this.pop();
    }
    if (expr.length === 0) throw this.error(`expecting a close parentheses ')' here, not: ${tokName(t)}`);
    this.putBack(t);
    return { path: parsePath(expr), text: expr.map((k) => (k.t === 'value' ? k.raw : (k as { text: string }).text)).join('') };
  }

  private object(braced: boolean): Obj {
    const origin = line(this.valueLine);
    const values = new Map<string, Value>();
    let lastInsideEquals = false;
    for (;;) {
      let t = this.nextCollecting(true);
      if (t.t === '}') {
        if (!braced) throw this.error(this.quoteHint(tokName(t), "unbalanced close brace '}' with no open brace"));
        break;
      }
      if (t.t === 'end' && !braced) {
        this.putBack(t);
        break;
      }
      if (t.t === 'unquoted' && t.text === 'include') {
        this.include();
      } else {
        const { path, text: keyText } = this.key(t);
        const afterKey = this.nextCollecting(false);
        let insideEquals = false;
        let value: Value;
        const append = afterKey.t === '+=';
        if (append) this.appendCheck();
        this.pathStack.push(path);
        if (afterKey.t === '{') {
          value = this.value(afterKey);
        } else {
          if (afterKey.t !== ':' && afterKey.t !== '=' && afterKey.t !== '+=') {
            throw this.error(this.quoteHint(tokName(afterKey), `Key '${keyText}' may not be followed by token: ${tokName(afterKey)}`));
          }
          if (afterKey.t === '=') {
            insideEquals = true;
            this.equalsCount++;
          }
          value = this.consolidate(false) ?? this.value(this.nextCollecting(false));
        }
        if (insideEquals) this.equalsCount--;
        lastInsideEquals = insideEquals;
        if (append) {
          this.arrayCount--;
          const full = this.pathStack.flat();
          const v = value;
          value = this.build(() => concatenate([new Ref(v.origin, full, true), new List(v.origin, [v])])!, v);
        }
        this.pathStack.pop();
        this.set(values, path, value);
      }
      if (this.separator(true)) continue;
      t = this.nextCollecting(true);
      if (t.t === '}') {
        if (!braced) throw this.error(this.quoteHint(tokName(t), "unbalanced close brace '}' with no open brace", lastInsideEquals));
        break;
      }
      if (braced) throw this.error(this.quoteHint(tokName(t), `Expecting close brace } or a comma, got ${tokName(t)}`, lastInsideEquals));
      if (t.t === 'end') {
        this.putBack(t);
        break;
      }
      throw this.error(this.quoteHint(tokName(t), `Expecting end of input or a comma, got ${tokName(t)}`, lastInsideEquals));
    }
    return new Obj(origin, values);
  }

  /** `+=` in a list is refused by ConfigParser (it expands to a substitution). */
  private appendCheck(): void {
    if (this.arrayCount > 0) {
      this.deferred(
        'Due to current limitations of the config parser, += does not work nested inside a list. += expands to a ${} substitution and the path in ${} cannot currently refer to list elements. You might be able to move the += outside of the list and then refer to it from inside the list with ${}.',
      );
    }
    this.arrayCount++;
  }

  private set(values: Map<string, Value>, path: string[], value: Value): void {
    const [key, ...rest] = path as [string, ...string[]];
    let v = value;
    for (let i = rest.length - 1; i >= 0; i--) v = new Obj(value.origin, new Map([[rest[i]!, v]]));
    const existing = values.get(key);
    values.set(key, existing === undefined ? v : withFallback(v, existing));
  }

  /**
   * `include`: jobfake has none of the server's classpath, files or network, so every include is
   * a missing resource: ignored, or refused as the library refuses a missing one when
   * `required(…)`; a URL other than file: is refused even when not required (the library cannot
   * load it either when it is missing). The refusal comes after the document has parsed.
   */
  private include(): void {
    let t = this.nextCollecting(false);
    if (t.t === 'unquoted' && t.text.startsWith('required(')) {
      const rest = t.text.slice('required('.length);
      if (rest.length > 0) this.putBack({ t: 'unquoted', text: rest, line: t.line });
      const inc = this.includeResource();
      t = this.nextCollecting(false);
      if (!(t.t === 'unquoted' && t.text === ')')) throw this.error(`expecting a close parentheses ')' here, not: ${tokName(t)}`);
      this.included(inc, true);
      return;
    }
    this.putBack(t);
    this.included(this.includeResource(), false);
  }

  private included(inc: { kind: string; name: string }, required: boolean): void {
    const url = inc.kind === 'url' || inc.kind === 'heuristic' ? javaUrl(inc.name) : undefined;
    if (inc.kind === 'url' && !url) {
      this.buildError ??= new HoconError(`String: ${this.valueLine}: include url() specifies an invalid URL: ${inc.name}`);
      return;
    }
    let message: string | undefined;
    if (url && url.scheme !== 'file') message = `Cannot load config from URL: ${inc.name}`;
    else if (url) message = required ? missingFile(url.path, false) : undefined;
    else if (required) message = inc.kind === 'file' ? missingFile(inc.name, true) : missingResource(inc.kind === 'heuristic' ? inc.name.replace(/^\//, '') : inc.name);
    if (message !== undefined) this.buildError ??= new HoconError(message);
  }

  private includeResource(): { kind: string; name: string } {
    let t = this.nextCollecting(false);
    if (t.t === 'unquoted') {
      const kinds = ['url(', 'file(', 'classpath('];
      const prefix = kinds.find((k) => (t as { text: string }).text.startsWith(k));
      if (!prefix) {
        throw this.error(`expecting include parameter to be quoted filename, file(), classpath(), or url(). No spaces are allowed before the open paren. Not expecting: ${tokName(t)}`);
      }
      const rest = t.text.replace(/^[^(]*\(/, '');
      if (rest.length > 0) this.putBack({ t: 'unquoted', text: rest, line: t.line });
      t = this.nextCollecting(false);
      if (!(t.t === 'value' && t.value instanceof Str)) throw this.error(`expecting include ${prefix}) parameter to be a quoted string, rather than: ${tokName(t)}`);
      const name = t.value.value;
      t = this.nextCollecting(false);
      if (t.t === 'unquoted' && t.text.startsWith(')')) {
        const after = t.text.slice(1);
        if (after.length > 0) this.putBack({ t: 'unquoted', text: after, line: t.line });
      } else {
        throw this.error(`expecting a close parentheses ')' here, not: ${tokName(t)}`);
      }
      return { kind: prefix.slice(0, -1), name };
    }
    if (t.t === 'value' && t.value instanceof Str) return { kind: 'heuristic', name: t.value.value };
    throw this.error(`include keyword is not followed by a quoted string, but by: ${tokName(t)}`);
  }

  private list(): List {
    this.arrayCount++;
    const origin = line(this.valueLine);
    const items: Value[] = [];
    let v = this.consolidate(true);
    if (v !== undefined) items.push(v);
    else {
      const t = this.nextCollecting(true);
      if (t.t === ']') {
        this.arrayCount--;
        return new List(origin, items);
      }
      if (!isValueStart(t)) {
        throw this.error(`List should have ] or a first element after the open [, instead had token: ${tokName(t)} (if you want ${tokName(t)} to be part of a string value, then double-quote it)`);
      }
      items.push(this.value(t));
    }
    for (;;) {
      if (!this.separator(true)) {
        const t = this.nextCollecting(true);
        if (t.t === ']') break;
        throw this.error(`List should have ended with ] or had a comma, instead had token: ${tokName(t)} (if you want ${tokName(t)} to be part of a string value, then double-quote it)`);
      }
      v = this.consolidate(true);
      if (v !== undefined) items.push(v);
      else {
        const t = this.nextCollecting(true);
        if (isValueStart(t)) items.push(this.value(t));
        else if (t.t === ']') this.putBack(t);
        else {
          throw this.error(`List should have had new element after a comma, instead had token: ${tokName(t)} (if you want the comma or ${tokName(t)} to be part of a string value, then double-quote it)`);
        }
      }
    }
    this.arrayCount--;
    return new List(origin, items);
  }
}

const EXTENSIONS = ['.conf', '.json', '.properties'];

/** A missing include by basename: one file, or all three extensions tried (SimpleIncluder). */
function missingByBasename(name: string, one: (n: string) => string): string {
  if (EXTENSIONS.some((ext) => name.endsWith(ext))) return `${name}: ${one(name)}`;
  return `${name}: ${EXTENSIONS.map((ext) => `${name}${ext}: ${one(name + ext)}`).join(', ')}`;
}

const missingResource = (name: string) => missingByBasename(name, (n) => `java.io.IOException: resource not found on classpath: ${n}`);
const notFound = (n: string) => `java.io.FileNotFoundException: ${n} (No such file or directory)`;
const missingFile = (name: string, byBasename: boolean) => (byBasename ? missingByBasename(name, notFound) : `${name}: ${notFound(name)}`);

/** What java.net.URL accepts: a scheme it has a handler for. */
function javaUrl(name: string): { scheme: string; path: string } | undefined {
  const m = /^\s*(?:url:)?([a-zA-Z][a-zA-Z0-9+.-]*):(.*)$/s.exec(name);
  if (!m) return undefined;
  const scheme = m[1]!.toLowerCase();
  if (!['http', 'https', 'ftp', 'file', 'jar', 'mailto'].includes(scheme)) return undefined;
  return { scheme, path: m[2]!.replace(/^\/\/[^/]*/, '').replace(/[?#].*$/s, '') };
}

function isTok(v: Value | Tok): v is Tok {
  return typeof v === 'object' && v !== null && 't' in v;
}

