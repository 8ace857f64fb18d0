import { describe, expect, it } from 'vitest';
import { getPath, HoconError, parseHocon } from '../../src/sparkjobserver/hocon.js';

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

  describe('refusals, with the line', () => {
    const cases: [string, RegExp][] = [
      ['a = {', /^String: 1: Expecting close brace \} or a comma, got end of file/],
      ['a = 1\nb = }', /^String: 2: Expecting a value/],
      ['a = [1, 2', /List should have ended with \]/],
      ['a = "open', /Quoted string is not closed/],
      ['a = b:c', /Reserved character ':'/],
      ['just a key', /Key 'just a key' may not be followed by token: end of file/],
      ['x = ${nowhere}', /Could not resolve substitution to a value: \$\{nowhere\}/],
      ['a = ${b}\nb = ${a}', /Cycle in substitutions/],
      ['include "other.conf"', /include is not supported/],
      ['[1, 2]', /object at root/],
      ['a = {} x', /Cannot concatenate/],
      ['a = "\\q"', /not a valid escape/],
      ['{ a = 1 } b', /trailing tokens/],
    ];
    for (const [text, message] of cases) {
      it(`refuses ${JSON.stringify(text)}`, () => {
        expect(() => parseHocon(text)).toThrow(HoconError);
        expect(() => parseHocon(text)).toThrow(message);
      });
    }
  });

  describe('hostile input, refused rather than crashing', () => {
    it('refuses nesting deeper than 200 levels', () => {
      expect(() => parseHocon(`a = ${'['.repeat(100_000)}`)).toThrow(/nest deeper than 200 levels/);
      expect(() => parseHocon(`${'k.'.repeat(50_000)}k = 1`)).toThrow(/more than 200 parts/);
    });

    it('resolves a long chain written in order, and refuses one that would recurse deeply', () => {
      const links = Array.from({ length: 5000 }, (_, i) => `a${i + 1} = \${a${i}}`);
      expect(getPath(parseHocon(`a0 = 1\n${links.join('\n')}`), 'a5000')).toBe(1);
      expect(() => parseHocon(`${[...links].reverse().join('\n')}\na0 = 1`)).toThrow(/deeper than 400 levels/);
    });

    it('refuses substitutions that double at every step (strings, lists, objects)', () => {
      const doubling = (seed: string, join: (prev: string) => string) =>
        [`v0 = ${seed}`, ...Array.from({ length: 40 }, (_, i) => `v${i + 1} = ${join(`v${i}`)}`)].join('\n');
      expect(() => parseHocon(doubling('xxxxxxxx', (p) => `\${${p}}\${${p}}`))).toThrow(/too large/);
      expect(() => parseHocon(doubling('[1, 2]', (p) => `\${${p}} \${${p}}`))).toThrow(/too large/);
      expect(() => parseHocon(doubling('{ a = 1 }', (p) => `[\${${p}}, \${${p}}]`))).toThrow(/too large/);
    });
  });

  it('finds a value by dotted path', () => {
    const config = parseHocon('input { string = "a b" }');
    expect(getPath(config, 'input.string')).toBe('a b');
    expect(getPath(config, 'input.missing')).toBeUndefined();
    expect(getPath(config, 'input.string.deeper')).toBeUndefined();
  });
});
