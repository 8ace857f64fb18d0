import { describe, expect, it } from 'vitest';
import { getPath, HoconError, jobConfigText, parseHocon } from '../../src/sparkjobserver/hocon.js';

const parse = (text: string) => JSON.parse(JSON.stringify(parseHocon(text)));

describe('the HOCON parser', () => {
  describe('the forms people post', () => {
    it('reads the seed body: a dotted key and an unquoted string with spaces', () => {
      expect(parse('input.string = a b c a b see')).toEqual({ input: { string: 'a b c a b see' } });
    });

    it('keeps the spaces between words as written and trims the ends', () => {
      expect(parse('s =   a  b\t c   ')).toEqual({ s: 'a  b\t c' });
    });

    it('reads colon separators, quoted strings and escapes', () => {
      expect(parse('a.b: "quoted # not a comment"\nc = "tab\\there \\u00e9"')).toEqual({ a: { b: 'quoted # not a comment' }, c: 'tab\there é' });
    });

    it('reads blocks with and without a separator, and merges them with dotted keys', () => {
      expect(parse('a { b = 1 }\na.c = 2\nd = { e: true }')).toEqual({ a: { b: 1, c: 2 }, d: { e: true } });
    });

    it('types numbers, booleans and null, and leaves look-alikes as strings', () => {
      expect(parse('i = 42\nf = -1.5e3\nt = true\nn = null\nv = 1.2.3\ny = yes')).toEqual({ i: 42, f: -1500, t: true, n: null, v: '1.2.3', y: 'yes' });
    });

    it('reads lists over several lines, with or without commas', () => {
      expect(parse('l = [1, "two", three]\nm = [\n  a\n  b,\n]')).toEqual({ l: [1, 'two', 'three'], m: ['a', 'b'] });
    });

    it('skips # and // comments', () => {
      expect(parse('# heading\na = 1 // trailing\n// alone\nb = x # too')).toEqual({ a: 1, b: 'x' });
    });

    it('accepts a JSON body and commas between fields', () => {
      expect(parse('{"input": {"string": "x y"}, "n": 3}')).toEqual({ input: { string: 'x y' }, n: 3 });
      expect(parse('a = 1, b = 2')).toEqual({ a: 1, b: 2 });
    });

    it('keeps a quoted key with dots whole', () => {
      expect(parse('"spark.proxy.user" = bob\nx."y.z" = 1')).toEqual({ 'spark.proxy.user': 'bob', x: { 'y.z': 1 } });
    });

    it('reads triple-quoted strings across lines', () => {
      expect(parse('sql = """SELECT "a"\nFROM t"""\nn = 1')).toEqual({ sql: 'SELECT "a"\nFROM t', n: 1 });
    });

    it('joins quoted and unquoted pieces on one line', () => {
      expect(parse('s = foo "bar baz" 1')).toEqual({ s: 'foo bar baz 1' });
    });

    it('lets a later value replace an earlier one, and += append', () => {
      expect(parse('a = 1\na = 2\nl += x\nl += y')).toEqual({ a: 2, l: ['x', 'y'] });
    });

    it('resolves substitutions within the document, optional ones included', () => {
      expect(parse('base = /data\npath = ${base}/in\nopt = ${?missing}\nobj = ${o} { b = 2 }\no { a = 1 }')).toEqual({
        base: '/data',
        path: '/data/in',
        obj: { a: 1, b: 2 },
        o: { a: 1 },
      });
    });

    it('accepts an empty body', () => {
      expect(parse('')).toEqual({});
      expect(parse('  \n # nothing\n')).toEqual({});
    });

    it('treats __proto__ as a plain key', () => {
      const config = parseHocon('__proto__.polluted = 1');
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      expect(getPath(config, '__proto__.polluted')).toBe(1);
    });
  });

  describe("refusals, in Typesafe Config's words (the server echoes them)", () => {
    const hint = (token: string, properties = true) =>
      ` (if you intended ${token} to be part of a key or string value, try enclosing the key or value in double quotes${properties ? ', or you may be able to rename the file .properties rather than .conf' : ''})`;
    const cases: [string, string][] = [
      ['a = {', "String: 1: expecting a close parentheses ')' here, not: end of file"],
      ['a = 1\nb = }', `String: 2: Expecting a value but got wrong token: '}'${hint("'}'")}`],
      ['a = [1, 2', 'String: 1: List should have ended with ] or had a comma, instead had token: end of file (if you want end of file to be part of a string value, then double-quote it)'],
      ['a = "open', "String: 1: Expecting a value but got wrong token: '' (End of input but string quote was still open)" + hint("'' (End of input but string quote was still open)")],
      ['input.string = Tue May 05 22:29:35 CEST 2015', `String: 1: Expecting end of input or a comma, got ':'${hint("':'")}`],
      ['a = b^c', `String: 1: Expecting end of input or a comma, got '^' (Reserved character '^' is not allowed outside quotes)${hint("'^' (Reserved character '^' is not allowed outside quotes)")}`],
      ['just a key', `String: 1: Key 'just a key' may not be followed by token: end of file`],
      ['x = ${nowhere}', 'String: 1: Could not resolve substitution to a value: ${nowhere}'],
      ['a = ${b}\nb = ${a}', 'String: 2: Could not resolve substitution to a value: ${a} was part of a cycle of substitutions involving ${b}, ${a}, ${b}'],
      ['include required("other.conf")', 'other.conf: java.io.IOException: resource not found on classpath: other.conf'],
      ['[1, 2]', 'String: 1:  has type LIST rather than object at file root'],
      ['a = x [1]', 'String: 1: Cannot concatenate object or list with a non-object-or-list, Unquoted("x") and SimpleConfigList([1]) are not compatible'],
      ['a = "\\q"', `String: 1: Expecting a value but got wrong token: 'q' (backslash followed by 'q', this is not a valid escape sequence (quoted strings use JSON escaping, so use double-backslash \\\\ for literal backslash))${hint("'q' (backslash followed by 'q', this is not a valid escape sequence (quoted strings use JSON escaping, so use double-backslash \\\\ for literal backslash))")}`],
      ['{ a = 1 } b', "String: 1: Document has trailing tokens after first object or array: 'b'"],
    ];
    for (const [text, message] of cases) {
      it(`refuses ${JSON.stringify(text)}`, () => {
        expect(() => parseHocon(text)).toThrow(HoconError);
        expect(() => parseHocon(text)).toThrow(new HoconError(message));
      });
    }

    it('takes what the library takes although it looks wrong: a missing include, words after an object', () => {
      expect(parse('include "other.conf"\na = 1')).toEqual({ a: 1 });
      expect(parse('a = { b = 1 } x')).toEqual({ a: { b: 1 } });
    });
  });

  describe('hostile input, refused rather than crashing', () => {
    it('refuses nesting deeper than 1000 levels (the library overflows its stack soon after)', () => {
      expect(getPath(parseHocon(`a = ${'['.repeat(1000)}${']'.repeat(1000)}`), 'a')).toHaveLength(1);
      expect(() => parseHocon(`a = ${'['.repeat(100_000)}`)).toThrow(/nest deeper than 1000 levels \(jobfake refuses it\)/);
      expect(() => parseHocon(`${'k.'.repeat(50_000)}k = 1`)).toThrow(/more than 1000 parts \(jobfake refuses it\)/);
      expect(() => parseHocon(`a = ${'${'.repeat(50_000)}`)).toThrow(/Substitutions nest deeper than 1000 levels \(jobfake refuses it\)/);
    });

    it('resolves a chain of 1000 substitutions in either order, and refuses 20000', () => {
      const chain = (n: number) => Array.from({ length: n }, (_, i) => `a${i + 1} = \${a${i}}`);
      expect(getPath(parseHocon(`a0 = 1\n${chain(1000).join('\n')}`), 'a1000')).toBe(1);
      expect(getPath(parseHocon(`${chain(1000).reverse().join('\n')}\na0 = 1`), 'a1000')).toBe(1);
      expect(() => parseHocon(`${chain(20_000).reverse().join('\n')}\na0 = 1`)).toThrow(/\(jobfake refuses it\)/);
    });

    it('refuses substitutions that double at every step (strings, lists, objects)', () => {
      const doubling = (seed: string, join: (prev: string) => string) =>
        [`v0 = ${seed}`, ...Array.from({ length: 40 }, (_, i) => `v${i + 1} = ${join(`v${i}`)}`)].join('\n');
      expect(() => parseHocon(doubling('xxxxxxxx', (p) => `\${${p}}\${${p}}`))).toThrow(/too large/);
      expect(() => parseHocon(doubling('[1, 2]', (p) => `\${${p}} \${${p}}`))).toThrow(/too large/);
      expect(() => parseHocon(doubling('{ a = 1 }', (p) => `[\${${p}}, \${${p}}]`))).toThrow(/too large/);
    });
  });

  it('keeps, for GET /jobs/{id}/config, the config as posted in the library\'s formatted JSON', () => {
    expect(jobConfigText(parseHocon('input.string = a b c\nn = 1e3'))).toBe('{\n    "input" : {\n        "string" : "a b c"\n    },\n    "n" : 1000\n}\n');
    expect(jobConfigText(parseHocon('base = /data\npath = ${base}/in'))).toBe('{\n    "base" : "/data",\n    "path" : ${base}"/in"\n}\n');
  });

  it('finds a value by dotted path', () => {
    const config = parseHocon('input { string = "a b" }');
    expect(getPath(config, 'input.string')).toBe('a b');
    expect(getPath(config, 'input.missing')).toBeUndefined();
    expect(getPath(config, 'input.string.deeper')).toBeUndefined();
  });
});
