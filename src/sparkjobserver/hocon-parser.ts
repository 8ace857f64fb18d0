/**
 * Reads a HOCON document the way Typesafe Config 1.3.x's Tokenizer, ConfigDocumentParser and
 * ConfigParser do, so that every refusal carries the library's message, token names and hints.
 * Tokenizing problems become tokens that the parser meets as unexpected ones (as in the library).
 */
import { Bool, HoconError, List, MAX_DEPTH, Null, Num, Obj, Ref, Str, concatenate, javaDouble, line, withFallback, type Origin, type Value } from './hocon-nodes.js';

// ---- Tokens

type Tok =
  | { t: 'start' | 'end' | ',' | ':' | '=' | '{' | '}' | '[' | ']' | '+=' }
  | { t: 'newline'; line: number }
  | { t: 'ws'; text: string; line: number }
  | { t: 'unquoted'; text: string; line: number }
  | { t: 'value'; value: Str | Num | Bool | Null; line: number; raw: string }
  | { t: 'comment'; text: string; line: number }
  | { t: 'subst'; optional: boolean; expr: Tok[]; line: number }
  | { t: 'problem'; what: string; message: string; suggestQuotes: boolean; line: number };

const PUNCT = new Map(['start', 'end', ',', ':', '=', '{', '}', '[', ']', '+='].map((t) => [t, { t } as Tok]));
const punct = (t: string) => PUNCT.get(t)!;
const START = punct('start');
const END = punct('end');

/** A token as the library's Token.toString() names it in messages. */
function tokName(tok: Tok): string {
  switch (tok.t) {
    case 'start':
      return 'start of file';
    case 'end':
      return 'end of file';
    case 'newline':
      return `'\\n'@${tok.line}`;
    case 'ws':
      return `'${tok.text}' (WHITESPACE)`;
    case 'unquoted':
      return `'${tok.text}'`;
    case 'value':
      return `'${valueText(tok.value)}' (${tok.value instanceof Str ? 'STRING' : tok.value instanceof Num ? 'NUMBER' : tok.value instanceof Bool ? 'BOOLEAN' : 'NULL'})`;
    case 'comment':
      return `'#${tok.text}' (COMMENT)`;
    case 'subst':
      return `'\${${tok.expr.map(tokName).join('')}}'`;
    case 'problem':
      return `'${tok.what}' (${tok.message})`;
    default:
      return `'${tok.t}'`;
  }
}

function valueText(v: Str | Num | Bool | Null): string {
  if (v instanceof Str) return v.value;
  if (v instanceof Num) return v.kind === 'double' ? javaDouble(v.value) : v.big !== undefined ? v.big.toString() : String(v.value);
  if (v instanceof Bool) return String(v.value);
  return 'null';
}

const tokLine = (tok: Tok): number => ('line' in tok ? tok.line : -1);

/** Whitespace as the library sees it: Java's isWhitespace plus the no-break spaces and the BOM. */
export function isWhitespace(c: string): boolean {
  return /^[\s\u001c-\u001f]$/.test(c);
}

const NOT_IN_UNQUOTED = '$"{}[]:=,+#`^?!@*&\\';
const FIRST_NUMBER = '0123456789-';
// Java's Character.isWhitespace, with the no-break spaces and the BOM the library adds, is JS's
// \s plus U+001C to U+001F.
const WHITESPACE_RUN = /(?:(?!\n)[\s\u001c-\u001f])*/y;
const UNQUOTED_RUN = /(?:[^$"{}[\]:=,+#`^?!@*&\\/\s\u001c-\u001f]|\/(?!\/))*/y;
const NUMBER_RUN = /[0-9eE+.-]*/y;
const PLAIN_RUN = /[^"\\\u0000-\u001f]*/y;
const KEYWORDS: [string, boolean | null][] = [
  ['true', true],
  ['null', null],
  ['false', false],
];

function charName(c: string | undefined): string {
  if (c === undefined) return 'end of file';
  if (c === '\n') return 'newline';
  if (c === '\t') return 'tab';
  const code = c.charCodeAt(0);
  if (code <= 0x1f) return `control character 0x${code.toString(16)}`;
  return c;
}

class Problem {
  constructor(
    readonly what: string,
    readonly message: string,
    readonly suggestQuotes = false,
    readonly line?: number,
  ) {}
}

const LONG_MAX = 9223372036854775807n;
const LONG_MIN = -9223372036854775808n;
const INT_MAX = 2147483647;
const INT_MIN = -2147483648;

/** A number token, as Tokenizer.pullNumber then ConfigNumber.newNumber make it. */
function numberToken(text: string, at: Origin): Num | undefined {
  const hasDecimal = /[.eE]/.test(text);
  if (!hasDecimal) {
    if (!/^-?\d+$/.test(text)) return undefined;
    if (text.length <= 10) {
      const n = Number(text);
      return new Num(at, n >= INT_MIN && n <= INT_MAX ? 'int' : 'long', n, text, n >= INT_MIN && n <= INT_MAX ? undefined : BigInt(n));
    }
    return integer(BigInt(text), text, at);
  }
  // What Double.parseDouble accepts from these characters.
  if (!/^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  const d = Number(text);
  if (Number.isFinite(d) && Number.isInteger(d) && Math.abs(d) < 2 ** 63) return integer(BigInt(d), text, at);
  return new Num(at, 'double', d, text);
}

function integer(n: bigint, text: string, at: Origin): Num | undefined {
  if (n > LONG_MAX || n < LONG_MIN) return undefined;
  if (n >= INT_MIN && n <= INT_MAX) return new Num(at, 'int', Number(n), text);
  return new Num(at, 'long', Number(n), text, n);
}

/** Splits the text into tokens, problems included; see Tokenizer.TokenIterator. */
function tokenize(text: string): Tok[] {
  let pos = 0;
  let lineNo = 1;
  let depth = 0;
  const out: Tok[] = [START];

  const startOfComment = (c: string | undefined) => c === '#' || (c === '/' && text[pos] === '/');

  function pullComment(first: string): Tok {
    if (first === '/') pos++;
    const end = text.indexOf('\n', pos);
    const body = text.slice(pos, end < 0 ? text.length : end);
    pos += body.length;
    return { t: 'comment', text: body, line: lineNo };
  }

  function pullUnquoted(): Tok {
    const at = lineNo;
    // true, null and false are taken as such whatever follows them (Tokenizer.pullUnquotedText).
    const first = text[pos];
    if (first === 't' || first === 'n' || first === 'f') {
      for (const [word, value] of KEYWORDS) {
        if (!text.startsWith(word, pos)) continue;
        pos += word.length;
        return { t: 'value', value: value === null ? new Null(line(at)) : new Bool(line(at), value), line: at, raw: word };
      }
    }
    UNQUOTED_RUN.lastIndex = pos;
    const s = UNQUOTED_RUN.exec(text)![0];
    pos += s.length;
    return { t: 'unquoted', text: s, line: at };
  }

  function pullNumber(first: string): Tok {
    NUMBER_RUN.lastIndex = pos;
    const rest = NUMBER_RUN.exec(text)![0];
    pos += rest.length;
    const s = first + rest;
    const n = numberToken(s, line(lineNo));
    if (n) return { t: 'value', value: n, line: lineNo, raw: s };
    for (const u of s) {
      if (NOT_IN_UNQUOTED.includes(u)) throw new Problem(charName(u), `Reserved character '${charName(u)}' is not allowed outside quotes`, true);
    }
    return { t: 'unquoted', text: s, line: lineNo };
  }

  function pullEscape(): string {
    const e = text[pos++];
    if (e === undefined) throw new Problem('', 'End of input but backslash in string had nothing after it');
    const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
    if (Object.hasOwn(simple, e)) return simple[e]!;
    if (e === 'u') {
      const digits = text.slice(pos, pos + 4);
      if (digits.length < 4) {
        pos = text.length;
        throw new Problem('', 'End of input but expecting 4 hex digits for \\uXXXX escape');
      }
      pos += 4;
      // Integer.parseInt(…, 16) takes a sign too.
      if (!/^[+-]?[0-9a-fA-F]+$/.test(digits) || /^[+-]$/.test(digits)) throw new Problem(digits, `Malformed hex digits after \\u escape in string: '${digits}'`);
      const n = parseInt(digits, 16);
      if (n < 0) throw new Problem(digits, `Malformed hex digits after \\u escape in string: '${digits}'`);
      return String.fromCharCode(n);
    }
    throw new Problem(
      charName(e),
      `backslash followed by '${charName(e)}', this is not a valid escape sequence (quoted strings use JSON escaping, so use double-backslash \\\\ for literal backslash)`,
    );
  }

  function pullQuoted(): Tok {
    const from = pos - 1;
    let s = '';
    for (;;) {
      PLAIN_RUN.lastIndex = pos;
      const plain = PLAIN_RUN.exec(text)![0];
      s += plain;
      pos += plain.length;
      const c = text[pos++];
      if (c === undefined) throw new Problem('', 'End of input but string quote was still open');
      if (c === '\\') s += pullEscape();
      else if (c === '"') break;
      else if (c.charCodeAt(0) <= 0x1f) throw new Problem(charName(c), `JSON does not allow unescaped ${charName(c)} in quoted strings, use a backslash escape`);
      else s += c;
    }
    if (s.length === 0 && text[pos] === '"') {
      pos++;
      // Triple-quoted: the last three of a run of quotes close it, the others are kept.
      let quotes = 0;
      for (;;) {
        const c = text[pos++];
        if (c === '"') quotes++;
        else if (quotes >= 3) {
          s = s.slice(0, -3);
          pos--;
          break;
        } else {
          quotes = 0;
          if (c === undefined) throw new Problem('', 'End of input but triple-quoted string was still open');
          if (c === '\n') lineNo++;
        }
        s += c;
      }
    }
    return { t: 'value', value: new Str(line(lineNo), s, true), line: lineNo, raw: text.slice(from, pos) };
  }

  function pullSubstitution(): Tok {
    const at = lineNo;
    const c = text[pos++];
    if (c !== '{') throw new Problem(charName(c), `'$' not followed by {, '${charName(c)}' not allowed after '$'`, true);
    let optional = false;
    if (text[pos] === '?') {
      optional = true;
      pos++;
    }
    if (++depth > MAX_DEPTH) throw new HoconError(`String: ${at}: Substitutions nest deeper than ${MAX_DEPTH} levels (jobfake refuses it)`);
    const saver = new Saver();
    const expr: Tok[] = [];
    for (;;) {
      const t = pullNext(saver);
      if (t.t === '}') break;
      if (t.t === 'end') throw new Problem('', 'Substitution ${ was not closed with a }', false, at);
      const ws = saver.check(t, lineNo);
      if (ws) expr.push(ws);
      expr.push(t);
    }
    depth--;
    return { t: 'subst', optional, expr, line: at };
  }

  function pullNext(saver: Saver): Tok {
    let c: string | undefined;
    let end = pos;
    while (text[end] === ' ' || text[end] === '\t') end++;
    if (end < text.length && text.charCodeAt(end) > 0x7e) {
      WHITESPACE_RUN.lastIndex = end;
      end += WHITESPACE_RUN.exec(text)![0].length;
    } else if (end < text.length && text.charCodeAt(end) < 0x20 && text[end] !== '\n') {
      WHITESPACE_RUN.lastIndex = end;
      end += WHITESPACE_RUN.exec(text)![0].length;
    }
    if (end > pos) saver.add(text.slice(pos, end));
    pos = end;
    c = text[pos++];
    if (c === undefined) {
      pos = text.length;
      return END;
    }
    if (c === '\n') {
      const tok: Tok = { t: 'newline', line: lineNo };
      lineNo++;
      return tok;
    }
    if (startOfComment(c)) return pullComment(c);
    switch (c) {
      case '"':
        return pullQuoted();
      case '$':
        return pullSubstitution();
      case ':':
      case ',':
      case '=':
      case '{':
      case '}':
      case '[':
      case ']':
        return punct(c);
      case '+': {
        const n = text[pos++];
        if (n !== '=') {
          if (n === undefined) pos = text.length;
          throw new Problem(charName(n), `'+' not followed by =, '${charName(n)}' not allowed after '+'`, true);
        }
        return punct('+=');
      }
    }
    if (FIRST_NUMBER.includes(c)) return pullNumber(c);
    if (NOT_IN_UNQUOTED.includes(c)) throw new Problem(charName(c), `Reserved character '${charName(c)}' is not allowed outside quotes`, true);
    pos--;
    return pullUnquoted();
  }

  const saver = new Saver();
  for (;;) {
    let tok: Tok;
    try {
      tok = pullNext(saver);
    } catch (err) {
      if (!(err instanceof Problem)) throw err;
      tok = { t: 'problem', what: err.what, message: err.message, suggestQuotes: err.suggestQuotes, line: err.line ?? lineNo };
    }
    const ws = saver.check(tok, lineNo);
    // Ignored whitespace changes nothing the parser does out here (it skips it everywhere), so
    // only whitespace inside a value ("a b") is kept; inside ${…} it is kept for messages.
    if (ws && ws.t !== 'ws') out.push(ws);
    out.push(tok);
    if (tok.t === 'end') return out;
  }
}

const isSimple = (t: Tok) => t.t === 'subst' || t.t === 'unquoted' || t.t === 'value';

/** Whitespace between two simple values is part of the value ("a b"); elsewhere it is ignored. */
class Saver {
  private ws = '';
  private lastSimple = false;

  add(c: string): void {
    this.ws += c;
  }

  check(t: Tok, lineNo: number): Tok | undefined {
    const simple = isSimple(t);
    if (!simple) this.lastSimple = false;
    let out: Tok | undefined;
    if (this.ws.length > 0) {
      out = this.lastSimple ? { t: 'unquoted', text: this.ws, line: lineNo } : { t: 'ws', text: this.ws, line: lineNo };
      this.ws = '';
    }
    if (simple) this.lastSimple = true;
    return out;
  }
}

// ---- Paths

function badPath(message: string, at?: number): HoconError {
  if (at !== undefined) return new HoconError(`String: ${at}: ${message}`);
  // The library parses keys without an origin, and building this error then fails with a
  // NullPointerException (the server answers 500); jobfake keeps the intended message.
  const err = new HoconError(message);
  err.javaException = 'java.lang.NullPointerException';
  return err;
}

/** A key or substitution path from its tokens (PathParser.parsePathExpression). */
function parsePath(expr: Tok[], at?: number): string[] {
  const elements: { text: string; canBeEmpty: boolean }[] = [{ text: '', canBeEmpty: false }];
  if (expr.length === 0) throw badPath('Expecting a field name or path here, but got nothing', at);
  const add = (quoted: boolean, s: string): void => {
    // Quoted text joins the current element whole; unquoted text starts a new one at each '.'.
    const parts = quoted ? [s] : s.split('.');
    parts.forEach((part, i) => {
      if (i > 0) elements.push({ text: '', canBeEmpty: false });
      const cur = elements[elements.length - 1]!;
      cur.text += part;
      if (quoted && cur.text.length === 0) cur.canBeEmpty = true;
    });
    if (elements.length > MAX_DEPTH) throw new HoconError(`String: ${at ?? 1}: A path has more than ${MAX_DEPTH} parts (jobfake refuses it)`);
  };
  for (const t of expr) {
    if (t.t === 'ws' || t.t === 'end') continue;
    if (t.t === 'value' && t.value instanceof Str) add(true, t.value.value);
    else if (t.t === 'value') add(false, t.raw);
    else if (t.t === 'unquoted') add(false, t.text);
    else throw badPath(`Token not allowed in path expression: ${tokName(t)} (you can double-quote this token if you really want it here)`, at);
  }
  for (const e of elements) {
    if (e.text.length === 0 && !e.canBeEmpty) {
      throw badPath(`path has a leading, trailing, or two adjacent period '.' (use quoted "" empty string if you want an empty element)`, at);
    }
  }
  return elements.map((e) => e.text);
}

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

