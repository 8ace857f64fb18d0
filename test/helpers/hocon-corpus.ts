// Bodies for the differential HOCON test: what clients really post to Spark Jobserver, and a
// generator that mutates valid HOCON token by token (fast-check, fixed seed: the same bodies on
// every run). A body that once showed a difference stays here.
import fc from 'fast-check';

/** A multi-line file as `curl -d @file` posts it: newlines removed, lines run together. */
const curlFile = (text: string) => text.replace(/\r?\n/g, '');
/** A dict as Python `requests.post(url, data={…})` form-encodes it. */
const formEncoded = (fields: Record<string, string>) =>
  Object.entries(fields)
    .map(([k, v]) => `${encodeURIComponent(k).replace(/%20/g, '+')}=${encodeURIComponent(v).replace(/%20/g, '+')}`)
    .join('&');

const jobFile = `input.string = "a b c a b see"
spark.context-settings {
  num-cpu-cores = 2
  memory-per-node = 512m
}
`;

export const CORPUS: string[] = [
  // The seed and the documentation's forms.
  'input.string = a b c a b see',
  'input.string = "a b c a b see"',
  '',
  '   ',
  'input.string = Tue May 05 22:29:35 CEST 2015',
  'input.string = "Tue May 05 22:29:35 CEST 2015"',
  'input { string = "a b" }',
  '{"input": {"string": "a b c"}}',
  '{"input.string": "dotted key stays whole"}',
  '{ "input" : { "string" : "x" }, "n" : 3, "f" : 1.50, "b" : true, "z" : null, "l" : [1, 2.0, "3"] }',
  '[1, 2]',
  '"just a string"',
  '42',
  // curl -d @file: the newlines are gone.
  curlFile(jobFile),
  curlFile('input.string = a b c\nnum = 3\n'),
  curlFile('# a comment\ninput.string = words\n'),
  curlFile('a {\n  b = 1,\n  c = 2\n}\n'),
  jobFile,
  // Python requests' data= form encoding.
  formEncoded({ 'input.string': 'a b c' }),
  formEncoded({ 'input.string': 'a b c', 'spark.executor.memory': '1g' }),
  formEncoded({ input: 'hdfs://namenode:8020/data/in.csv' }),
  'input.string=a+b+c',
  'input.string=a%20b',
  // SQL, URIs, paths and other values with reserved characters.
  'sql = SELECT * FROM t WHERE a = 1',
  'sql = "SELECT * FROM t WHERE a = \'x\'"',
  'sql = """SELECT "a", \'b\'\nFROM t\nWHERE c = "d" """',
  'input.path = hdfs://namenode:8020/data/in.csv',
  'input.path = "hdfs://namenode:8020/data/in.csv"',
  'input.path = /data/in/part-*.csv',
  'input.path = s3a://bucket/key?x=1&y=2',
  'url = "jdbc:postgresql://db:5432/app?user=me&password=s3cret"',
  'url = http://example.com/a#frag',
  'email = user@example.com',
  'price = $5',
  'expr = a+b',
  'expr = a + b',
  'ratio = 3/4',
  'version = 1.2.3',
  'neg = -5',
  'ip = 10.0.0.1',
  'time = 12:30',
  'windows = C:\\data\\in',
  'windows = "C:\\\\data\\\\in"',
  'windows = "C:\\data"',
  'caret = a^b',
  'tick = `x`',
  'bang = hello!',
  'question = why?',
  'star = *',
  'amp = a&b',
  'backslash = \\',
  // Quoting, escapes, control characters and raw newlines.
  'a = "tab\\there \\u00e9 \\" \\\\ \\/ \\b \\f \\n \\r"',
  'a = "raw\ttab"',
  'a = "raw\nnewline"',
  'a = "bell\u0007"',
  'a = "cr\rlf"',
  'a = "\\u00"',
  'a = "\\uZZZZ"',
  'a = "\\x"',
  'a = "open',
  'a = "trailing backslash\\',
  'a = """triple\nquoted"""',
  'a = """"quoted" inside"""""',
  'a = """open',
  'a = """"""',
  'a = ""',
  'a = "" b',
  '"" = empty key',
  '"a.b" = 1',
  'a."b.c".d = 1',
  'a = x"y"z',
  'a = "x" "y"',
  'a = 1 2 3',
  'a = true false',
  'a = truex',
  'a = nullable',
  'a = 0123',
  'a = 1e3',
  'a = 1.5e300',
  'a = 1e400',
  'a = 0.0001',
  'a = 12345678901234567890',
  'a = 9223372036854775807',
  'a = 2147483648',
  'a = -0',
  'a = 1.',
  'a = .5',
  'a = -.5',
  'a = 1-2',
  'a = 1e',
  'a = --1',
  'a = \u00a0x\u00a0',
  '\ufeffa = 1',
  'a = 1\r\nb = 2\r\n',
  // Comments.
  '# comment\na = 1 // trailing\n// alone\nb = x # too',
  'a = 1 #',
  'a = "# not a comment"',
  'a = http://x//y',
  'a = b // c',
  // Objects, duplicate keys that merge, separators.
  'a { b = 1 }\na.c = 2\na { d = 3 }',
  'a = { b = 1 }\na = 2',
  'a = 2\na = { b = 1 }',
  'a = 1, b = 2',
  'a = 1,, b = 2',
  'a = 1 b = 2',
  'a : 1\nb : 2',
  'a 1',
  'a\n= 1',
  'a =\n1',
  'a = {',
  'a = }',
  '}',
  '{ a = 1 } b',
  '{ a = 1 }\n',
  '{ a = 1 },',
  'a = {} x',
  'a = { b = 1 } { c = 2 }',
  'a = [1] [2]',
  'a = [1] x',
  'a = x [1]',
  'a = { b = 1 } [2]',
  'a = [1] { b = 1 }',
  'a = { "0" : x, "1" : y } [z]',
  'a = 1 { b = 1 }',
  '"a" "b" = 1',
  'a b c = 1',
  'a.b.c = 1\na.b.d = 2',
  'a..b = 1',
  '.a = 1',
  'a. = 1',
  'true = 1',
  '1.5 = x',
  'a = 1\n\n\nb = }',
  'key = value ]',
  // Lists.
  'l = [1, "two", three]',
  'l = [\n  a\n  b,\n]',
  'l = [1,,2]',
  'l = [,1]',
  'l = [1 2]',
  'l = [1, 2',
  'l = []',
  'l = [[1], [2, [3]]]',
  'l = [{a = 1}, {b = 2}]',
  'l = [a b, c]',
  'l = [:]',
  // += and substitutions: self-referential, optional, concatenated.
  'l += 1\nl += 2',
  'l = [0]\nl += 1',
  'l = 0\nl += 1',
  'l = [ { a += 1 } ]',
  'base = /data\npath = ${base}/in',
  'path = ${base}/in\nbase = /data',
  'x = ${nowhere}',
  'x = ${?nowhere}',
  'x = ${?nowhere} suffix',
  'x = prefix ${?nowhere}',
  'x = [${?nowhere}, 1]',
  'a = ${b}\nb = ${a}',
  'a = ${a}',
  'a = ${?a}',
  'a = 1\na = ${a} 2',
  'a = [1]\na = ${a} [2]',
  'a = { x = 1 }\na = ${a} { y = 2 }',
  'path = /bin\npath = ${path}":/usr/bin"',
  'a = ${b.c}\nb { c = 5 }',
  'a = ${b}\nb { c = ${d} }\nd = 1',
  'a = ${"b.c"}\n"b.c" = 1',
  'a = ${b}\nb = [1, 2]',
  'a = ${b} x\nb = { c = 1 }',
  'a = x ${b}\nb = { c = 1 }',
  'a = ${b} ${c}\nb = [1]\nc = [2]',
  'a = ${b}${c}\nb = 1\nc = 2',
  'a = ${b}\nb = ${c}\nc = ${a}',
  'a = ${?b}\nb = ${?a}',
  'a = ${b} { x = 1 }\nb = { y = 2 }',
  'a = ${b} ${b}\nb = ab',
  'a = ${HOME}',
  'a = ${?HOME}',
  'a = ${}',
  'a = ${ b }\nb = 1',
  'a = ${b c}\n"b c" = 1',
  'a = ${b.}\n',
  'a = ${[}',
  'a = ${b',
  'a = $b',
  'a = ${${b}}',
  'a = { b = ${c} }\nc = 1\nd = ${a.b}',
  'a.b = ${a.c}\na.c = 3',
  'a { b = 1 }\nc = ${a} { d = 2 }',
  'obj = ${o} { b = 2 }\no { a = 1 }',
  'a = 1\nb = ${a}\na = 2',
  'a = ${b}\nb = 1\nb = ${?x}',
  // Includes: jobfake has nothing to include.
  'include "other.conf"',
  'include "other.conf"\na = 1',
  'include required("other.conf")',
  'include file("/nonexistent/x.conf")',
  'include classpath("nonexistent.conf")',
  'include required(file("/nonexistent/x.conf"))',
  'include bad',
  'include',
  'include = 1',
  'a { include "x.conf" }',
  'l = [ { include "x.conf" } ]',
  'include required("x")',
  'include required(classpath("/x.conf"))',
  'include required("/nonexistent/x.conf")',
  'include required(file("x"))',
  'include required(url("file:///nonexistent/x.conf"))',
  'include "file:///nonexistent/x.conf"',
  'include "http://127.0.0.1:1/x.conf"',
  'include required("mailto:x")',
  'include required("foo:bar")',
  'include url("x.conf")',
  'a = 1\ninclude required(url("x y"))\n}',
  'include required(classpath("x"))',
  'include required(',
  'include required("x"',
  'include file(x)',
  'include file ("x")',
  // Shapes the parser must refuse with the right token name.
  'just a key',
  'a = b:c',
  'a = b=c',
  'a = ,',
  'a =',
  'a = +',
  'a += ',
  'a +x',
  '?',
  'a = 1 ?',
  '= 1',
  ', a = 1',
  ':',
  'a = [1] ]',
  // Bodies the generator found differing once (kept so the kind stays fixed).
  'b =null \nb.c += ${c}',
  'c : { b : [null], b = ${?x} ${?x} } {  } ${b}',
  'a : "y"\na.c += []',
  'b.c : true\n"a" : ${?x} { a += ${?b}, a.c : 1, "a" { x = ${?c.a} } }\na.b : ${?x}${b}',
  'a += 1\n"a" = ${a}\nc = [{ b { x = ${a}${x} } }] []\nb += []\nc.a += ${?a} null',
  'a.b : {  } ${?c.a}\nc += ${?a}\n/"a" = ${c}',
  'a.b : {} ${?c.a}\nc += ${?a}',
  'b.c = 1e2 ${a.b} ${x}\n"b.c" += ${?x}${a.b}\nc = ${x}\n"a" : ${?c.a}${?x}\n"a" : "two words"\na.b += ${?a}',
  'a.b.c = ${1\na.b.d= [{ e = f }]\n"q.k" = ${a.b.c}\n',
  'a { b = 1, c = "two" ${}\nl = [1, 2.5, x]\n',
  '.${= ab  c a b see',
  'b.c += { "b.c" { x = [] } }\nb = {  }\n"a" += 1\nb += ${b.c}${?x}',
  'l =[ 1, 2]\n9223372036854775808 += 3\nm = ${l} [4]\nx y"10" = a\n"2" = b\n"0" = c\n',
  '"0" = a\n"99999999999" = b',
  '"0" = a\nb = 1\n"99999999999" = b',
  '"01" = a\n"1" = b\n"10" = c\n"9" = d\nz = e\n"" = f\n"٣" = g',
  'b += ${?b}\n"a" += 1e2\na.c : { b : [], c.a { x = """t""" } }\nb.c : true\nb.c += ${?x}${?b}',
];

// ---- The generator: valid documents, then a few token-level mutations each.

const SEEDS = [
  'input.string = a b c a b see',
  'a { b = 1, c = "two" }\nl = [1, 2.5, x]\n',
  'base = /data\npath = ${base}/in\nopt = ${?missing}\n',
  'a = 1\na = ${a} 2\nl += x\nl += y\n',
  '{"input": {"string": "x y"}, "n": 3, "t": true, "z": null}',
  'sql = """SELECT "a"\nFROM t"""\n# comment\nn = 1 // more\n',
  'o { a = 1 }\nobj = ${o} { b = 2 }\nlist = [${o}]\n',
  'spark.context-settings { num-cpu-cores = 2, memory-per-node = 512m }\n',
  'a.b.c = 1\na.b.d = [{ e = f }]\n"q.k" = ${a.b.c}\n',
  'x = ${y}\ny = [1]\nz = ${x} [2]\n',
  'input.string=a+b+c&spark.executor.memory=1g',
  'input.string = "a b c"spark.context-settings {  num-cpu-cores = 2  memory-per-node = 512m}',
  'l = [1, 2]\nl += 3\nm = ${l} [4]\n"10" = a\n"2" = b\n"0" = c\n',
  'path = /bin\npath = ${path}":/usr/bin"\nnum = 1e3\nbig = 12345678901234567890\nf = 0.0001\n',
];

const VOCABULARY = [
  ' ', '\n', '\t', ',', ':', '=', '+=', '{', '}', '[', ']', '"', '"""', '${a}', '${?a}', '${x.y}', '${', '$', '+', '#', '//', '.', '..',
  '1', '-1', '1.5', '1e3', '0x1', 'true', 'null', 'include', 'a', 'b', 'a.b', 'x y', '"q"', '"a.b"', '\\', '^', '?', '!', '@', '*', '&', '`',
  '\r', '\u0001', '\u00a0', 'é', '/', 'http://h:1/p', '"\\n"', '"\\u00e9"', '"\\q"', '[]', '{}', '-',
  '\u2028', '\ufeff', '\u000b', '1e400', '0.0001', '-0', '9223372036854775808', '10', '0', '2', '"10"', '"0"', 'include required("x")',
  '""', '"\\u12"', 'a b c', '=+', '${?}', '$ {a}', '1.5.2', '.5', '1e', '%20', 'a+b+c', '&', '"""x"""',
];

/** Splits a document into the pieces a mutation works on (close enough to the real tokens). */
function pieces(text: string): string[] {
  return text.match(/"""[\s\S]*?"""|"(?:[^"\\\n]|\\.)*"|\$\{[^}]*\}|\+=|\/\/|[ \t]+|\n|[{}[\],:=#]|[^\s{}[\],:="#$]+|./g) ?? [];
}

type Mutation = { at: number; op: 'delete' | 'insert' | 'replace' | 'duplicate' | 'swap'; token: string };

const mutation = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('delete', 'insert', 'replace', 'duplicate', 'swap') as fc.Arbitrary<Mutation['op']>,
  token: fc.constantFrom(...VOCABULARY),
});

function mutate(seed: string, mutations: Mutation[]): string {
  const toks = pieces(seed);
  for (const m of mutations) {
    const i = toks.length === 0 ? 0 : m.at % toks.length;
    if (m.op === 'delete') toks.splice(i, 1);
    else if (m.op === 'insert') toks.splice(i, 0, m.token);
    else if (m.op === 'replace') toks[i] = m.token;
    else if (m.op === 'duplicate') toks.splice(i, 0, toks[i] ?? m.token);
    else if (i + 1 < toks.length) [toks[i], toks[i + 1]] = [toks[i + 1]!, toks[i]!];
  }
  return toks.join('');
}

/**
 * Small valid documents full of what resolution has to untangle: keys set several times, objects
 * merged, `+=`, substitutions (optional, self-referential, through objects, in lists), values
 * joined side by side.
 */
const document: fc.Arbitrary<string> = (() => {
  const key = fc.constantFrom('a', 'b', 'c', 'a.b', 'b.c', 'a.c', 'c.a', '"a"', '"b.c"');
  const ref = fc.constantFrom('${a}', '${b}', '${c}', '${a.b}', '${b.c}', '${?a}', '${?b}', '${?c.a}', '${?x}', '${x}');
  const scalar = fc.constantFrom('1', '2.5', 'x', '"y"', 'true', 'null', '"two words"', 'u v', '1e2', '"""t"""');
  const { value } = fc.letrec<{ value: string; object: string; list: string }>((tie) => ({
    value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, ref, tie('object'), tie('list'), fc.array(fc.oneof(scalar, ref, tie('object'), tie('list')), { minLength: 2, maxLength: 3 }).map((xs) => xs.join(' ')), fc.tuple(ref, ref).map(([x, y]) => x + y)),
    object: fc.array(fc.tuple(key, fc.constantFrom(' = ', ' : ', ' ', ' += '), tie('value')), { maxLength: 3 }).map((fields) => `{ ${fields.map(([k, sep, v]) => (sep === ' ' ? `${k} { x = ${v} }` : k + sep + v)).join(', ')} }`),
    list: fc.array(tie('value'), { maxLength: 3 }).map((xs) => `[${xs.join(', ')}]`),
  }));
  const field = fc.tuple(key, fc.constantFrom(' = ', ' : ', ' += '), value).map(([k, sep, v]) => k + sep + v);
  return fc.array(field, { minLength: 1, maxLength: 6 }).map((fields) => fields.join('\n'));
})();

/** `count` bodies, the same on every run: documents mutated zero to four times. */
export function generatedBodies(count: number, seed = 18, maxMutations = 4): string[] {
  const mutated = fc.tuple(fc.constantFrom(...SEEDS), fc.array(mutation, { minLength: 1, maxLength: maxMutations })).map(([doc, ms]) => mutate(doc, ms));
  const built = fc.tuple(document, fc.array(mutation, { maxLength: Math.ceil(maxMutations / 2) })).map(([doc, ms]) => mutate(doc, ms));
  return fc.sample(fc.oneof(mutated, built), { seed, numRuns: count });
}
