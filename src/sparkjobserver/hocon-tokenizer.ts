/**
 * The tokens of a HOCON document and the paths made of them, as Typesafe Config 1.3.x's Tokenizer
 * and PathParser make them (token names and messages included): the first half of hocon-parser.ts.
 */
import { Bool, HoconError, MAX_DEPTH, Null, Num, Str, javaDouble, line, type Origin } from './hocon-nodes.js';

// ---- Tokens

export type Tok =
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
export const END = punct('end');

/** A token as the library's Token.toString() names it in messages. */
export function tokName(tok: Tok): string {
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

export const tokLine = (tok: Tok): number => ('line' in tok ? tok.line : -1);

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
export function tokenize(text: string): Tok[] {
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
export function parsePath(expr: Tok[], at?: number): string[] {
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
