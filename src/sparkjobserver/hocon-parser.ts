import { Concat, HoconError, MAX_DEPTH, Subst, isObject, joinStructured, mergeInto, newObject, type Node, type NodeObject } from './hocon-nodes.js';

const FORBIDDEN = new Set('$"{}[]:=,+#`^?!@*&\\');
const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;
const isInlineSpace = (ch: string) => ch !== '\n' && /\s/.test(ch);

/** A piece of a value as written: whitespace between pieces counts in string concatenation. */
type Piece = { kind: 'space' | 'unquoted' | 'quoted'; text: string } | { kind: 'node'; node: Node };

/** Reads the text into a tree of nodes; substitutions stay unresolved. */
export class Parser {
  private pos = 0;
  private line = 1;
  private depth = 0;

  constructor(private readonly text: string) {}

  document(): NodeObject {
    this.skipBlank();
    let root: NodeObject;
    if (this.peek() === '{') {
      this.pos++;
      root = this.objectBody('}');
      this.skipBlank();
    } else if (this.peek() === '[') {
      throw this.error('A config must have an object at root, not a list');
    } else {
      root = this.objectBody(undefined);
    }
    if (this.pos < this.text.length) throw this.error(`Document has trailing tokens after first object: ${this.describe()}`);
    return root;
  }

  private peek(offset = 0): string {
    return this.text[this.pos + offset] ?? '';
  }

  private error(message: string): HoconError {
    return new HoconError(this.line, message);
  }

  private describe(): string {
    const ch = this.peek();
    return ch === '' ? 'end of file' : ch === '\n' ? 'newline' : `'${ch}'`;
  }

  private atComment(): boolean {
    return this.peek() === '#' || (this.peek() === '/' && this.peek(1) === '/');
  }

  private skipComment(): void {
    while (this.pos < this.text.length && this.peek() !== '\n') this.pos++;
  }

  private skipInline(): void {
    for (;;) {
      if (isInlineSpace(this.peek())) this.pos++;
      else if (this.atComment()) this.skipComment();
      else return;
    }
  }

  /** Whitespace, newlines and comments. */
  private skipBlank(): void {
    for (;;) {
      this.skipInline();
      if (this.peek() !== '\n') return;
      this.pos++;
      this.line++;
    }
  }

  private objectBody(closer: '}' | undefined): NodeObject {
    const obj = newObject();
    for (;;) {
      this.skipBlank();
      if (closer && this.peek() === closer) {
        this.pos++;
        return obj;
      }
      if (this.pos >= this.text.length) {
        if (closer) throw this.error(`Expecting close brace } or a comma, got end of file`);
        return obj;
      }
      this.field(obj);
      this.skipInline();
      const next = this.peek();
      if (next === ',') this.pos++;
      else if (next === '\n' || next === '' || next === closer) continue;
      else throw this.error(`Expecting close brace } or a comma, got ${this.describe()}`);
    }
  }

  private field(obj: NodeObject): void {
    const keyLine = this.line;
    if (/^include\s+("|(required|file|url|classpath)\()/.test(this.text.slice(this.pos, this.pos + 40))) {
      throw this.error('include is not supported by jobfake (post the whole config)');
    }
    const path = this.keyPath(['=', ':', '{', '+']);
    this.skipInline();
    const ch = this.peek();
    let value: Node;
    let append = false;
    if (ch === '{') {
      value = this.value();
    } else if (ch === '=' || ch === ':') {
      this.pos++;
      this.skipBlank();
      value = this.value();
    } else if (ch === '+' && this.peek(1) === '=') {
      this.pos += 2;
      this.skipBlank();
      value = this.value();
      append = true;
    } else {
      throw new HoconError(keyLine, `Key '${path.join('.')}' may not be followed by token: ${this.describe()}`);
    }
    setPath(obj, path, value, append);
  }

  /** A key or substitution path: unquoted parts split on '.', quoted parts kept whole. */
  private keyPath(stops: string[]): string[] {
    this.skipInline();
    const segments: string[] = [];
    // One segment's parts; spaces are trimmed only at the unquoted ends of a segment.
    let parts: { text: string; quoted: boolean }[] = [];
    const close = () => {
      const first = parts[0];
      const last = parts.at(-1);
      if (first && !first.quoted) first.text = first.text.trimStart();
      if (last && !last.quoted) last.text = last.text.trimEnd();
      const segment = parts.map((p) => p.text).join('');
      if (segment === '' && !parts.some((p) => p.quoted)) throw this.error(`Expecting a key, got ${this.describe()}`);
      segments.push(segment);
      parts = [];
    };
    for (;;) {
      const ch = this.peek();
      if (ch === '"') {
        parts.push({ text: this.quoted(), quoted: true });
      } else if (ch === '.') {
        close();
        if (segments.length >= MAX_DEPTH) throw this.error(`A key path has more than ${MAX_DEPTH} parts`);
        this.pos++;
      } else if (ch === '' || ch === '\n' || stops.includes(ch) || this.atComment()) {
        break;
      } else if (FORBIDDEN.has(ch)) {
        throw this.error(`Reserved character '${ch}' is not allowed outside quotes`);
      } else {
        const last = parts.at(-1);
        if (last && !last.quoted) last.text += ch;
        else parts.push({ text: ch, quoted: false });
        this.pos++;
      }
    }
    close();
    return segments;
  }


  /** One value, which may be several pieces joined on one line ("a b c", "x ${y}"). */
  private value(): Node {
    const line = this.line;
    const pieces: Piece[] = [];
    for (;;) {
      const ch = this.peek();
      if (ch === '' || ch === '\n' || ch === ',' || ch === '}' || ch === ']' || this.atComment()) break;
      if (isInlineSpace(ch)) {
        let text = '';
        while (isInlineSpace(this.peek())) text += this.text[this.pos++];
        pieces.push({ kind: 'space', text });
      } else if (ch === '"') {
        pieces.push({ kind: 'quoted', text: this.quoted() });
      } else if (ch === '{' || ch === '[') {
        this.pos++;
        if (++this.depth > MAX_DEPTH) throw this.error(`Objects and lists nest deeper than ${MAX_DEPTH} levels`);
        pieces.push({ kind: 'node', node: ch === '{' ? this.objectBody('}') : this.list() });
        this.depth--;
      } else if (ch === '$' && this.peek(1) === '{') {
        pieces.push({ kind: 'node', node: this.substitution() });
      } else if (FORBIDDEN.has(ch)) {
        throw this.error(`Reserved character '${ch}' is not allowed outside quotes`);
      } else {
        let text = '';
        while (this.peek() !== '' && !/\s/.test(this.peek()) && !FORBIDDEN.has(this.peek()) && !this.atComment()) text += this.text[this.pos++];
        pieces.push({ kind: 'unquoted', text });
      }
    }
    while (pieces[0]?.kind === 'space') pieces.shift();
    while (pieces.at(-1)?.kind === 'space') pieces.pop();
    if (pieces.length === 0) throw new HoconError(line, `Expecting a value but got wrong token: ${this.describe()}`);
    return combine(pieces, line);
  }

  private list(): Node[] {
    const items: Node[] = [];
    for (;;) {
      this.skipBlank();
      if (this.peek() === ']') {
        this.pos++;
        return items;
      }
      if (this.pos >= this.text.length) throw this.error('List should have ended with ] or had a comma, got end of file');
      items.push(this.value());
      this.skipInline();
      const next = this.peek();
      if (next === ',') this.pos++;
      else if (next !== '\n' && next !== ']') throw this.error(`List should have ended with ] or had a comma, got ${this.describe()}`);
    }
  }

  private substitution(): Subst {
    const line = this.line;
    this.pos += 2;
    const optional = this.peek() === '?';
    if (optional) this.pos++;
    const path = this.keyPath(['}']);
    if (this.peek() !== '}') throw this.error(`Substitution \${ has no closing }`);
    this.pos++;
    return new Subst(path, optional, line);
  }

  private quoted(): string {
    if (this.text.startsWith('"""', this.pos)) {
      const end = this.text.indexOf('"""', this.pos + 3);
      if (end < 0) throw this.error('End of input but triple-quoted string was still open');
      // Extra quotes just before the closing triple belong to the string.
      let close = end;
      while (this.text[close + 3] === '"') close++;
      const body = this.text.slice(this.pos + 3, close);
      this.line += body.split('\n').length - 1;
      this.pos = close + 3;
      return body;
    }
    this.pos++;
    let out = '';
    for (;;) {
      const ch = this.peek();
      if (ch === '' || ch === '\n') throw this.error('Quoted string is not closed (a newline or end of input came first)');
      this.pos++;
      if (ch === '"') return out;
      if (ch !== '\\') {
        out += ch;
        continue;
      }
      const esc = this.peek();
      this.pos++;
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      if (esc in simple) out += simple[esc];
      else if (esc === 'u' && /^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos, this.pos + 4))) {
        out += String.fromCharCode(parseInt(this.text.slice(this.pos, this.pos + 4), 16));
        this.pos += 4;
      } else throw this.error(`'\\${esc}' is not a valid escape sequence`);
    }
  }
}

function combine(pieces: Piece[], line: number): Node {
  if (pieces.length === 1) {
    const only = pieces[0]!;
    if (only.kind === 'node') return only.node;
    if (only.kind === 'quoted') return only.text;
    return typed(only.text);
  }
  const nodes = pieces.filter((p): p is { kind: 'node'; node: Node } => p.kind === 'node').map((p) => p.node);
  if (nodes.some((n) => n instanceof Subst)) {
    return new Concat(pieces.map((p) => (p.kind === 'node' ? p.node : p.text)), line);
  }
  const structured = nodes.filter((n) => typeof n === 'object' && n !== null);
  if (structured.length > 0) {
    if (structured.length !== nodes.length || pieces.some((p) => p.kind === 'unquoted' || p.kind === 'quoted')) {
      throw new HoconError(line, 'Cannot concatenate object or list with a non-object-or-list');
    }
    return joinStructured(structured, line);
  }
  return pieces.map((p) => (p.kind === 'node' ? String(p.node) : p.text)).join('');
}

function typed(text: string): Node {
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text === 'null') return null;
  if (NUMBER.test(text)) return Number(text);
  return text;
}

function setPath(obj: NodeObject, path: string[], value: Node, append: boolean): void {
  let cur = obj;
  for (const key of path.slice(0, -1)) {
    const next = cur[key];
    if (isObject(next)) cur = next;
    else cur = cur[key] = newObject();
  }
  const last = path.at(-1)!;
  const existing = cur[last];
  if (append) {
    cur[last] = Array.isArray(existing) ? [...existing, value] : [value];
  } else if (isObject(existing) && isObject(value)) {
    mergeInto(existing, value);
  } else {
    cur[last] = value;
  }
}
