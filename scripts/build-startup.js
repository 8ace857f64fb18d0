// Part of `npm run build`, after tsc: what start-up or the first request would otherwise compute.
// - dist/fixtures-validator.cjs: fixtures/schema.json compiled by Ajv (standalone code), so that
//   start-up neither loads Ajv nor compiles the schema;
// - dist/default-fixtures.cjs: fixtures/default.yaml parsed, as JSON, so that a start with the
//   default fixtures never loads the YAML parser;
// - dist/openapi-doc.cjs and dist/openapi-validators/N.cjs: openapi.yaml parsed (as JSON), and each
//   request and response schema the server checks compiled by Ajv (standalone code; the doc file
//   maps each schema's pointer to its N), so that the first request parses and compiles nothing
//   (it took about half a second).
// Each carries the key of the text it was made from (export `key`); dist/ and src/ fall back to
// doing the work at run time when the file has changed since the build.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import { fixturesAjvOptions, fixturesSchemaKey } from '../dist/fixtures.js';
import { textKey } from '../dist/prebuilt.js';
import { Spec, createSpecAjv, specKey } from '../dist/spec.js';

const require = createRequire(import.meta.url);
const { Ajv } = require('ajv');
const standaloneCode = require('ajv/dist/standalone').default;
const { parse } = require('yaml');

const root = new URL('..', import.meta.url);
const read = (path) => readFileSync(new URL(path, root), 'utf8');
const write = (path, text) => writeFileSync(new URL(path, root), text);
const keyLine = (key) => `\nmodule.exports.key = ${JSON.stringify(key)};\n`;

const schema = read('fixtures/schema.json');
const ajv = new Ajv({ ...fixturesAjvOptions, code: { source: true } });
write('dist/fixtures-validator.cjs', standaloneCode(ajv, ajv.compile(JSON.parse(schema))) + keyLine(fixturesSchemaKey(schema)));

const defaults = read('fixtures/default.yaml');
const value = parse(defaults);
const json = JSON.stringify(value);
// Only what JSON keeps exactly (no dates, no undefined): otherwise start-up parses the YAML.
if (json !== undefined && isDeepStrictEqual(JSON.parse(json), value)) {
  write('dist/default-fixtures.cjs', `module.exports = ${JSON.stringify({ key: textKey(defaults), json })};\n`);
}

const specText = read('openapi.yaml');
const specDoc = parse(specText);
const specJson = JSON.stringify(specDoc);
if (!isDeepStrictEqual(JSON.parse(specJson), specDoc)) throw new Error('openapi.yaml holds values JSON cannot keep');
// Compiled exactly as Spec.validator() compiles at run time ({$ref} into the "openapi" schema), one
// file each: a request loads the few it checks, not all of them.
const key = specKey(specText);
const spec = new Spec(specText);
const specAjv = createSpecAjv(spec.doc, { code: { source: true } });
const pointers = spec.schemaPointers();
mkdirSync(new URL('dist/openapi-validators', root));
pointers.forEach((pointer, i) => write(`dist/openapi-validators/${i}.cjs`, standaloneCode(specAjv, specAjv.compile({ $ref: `openapi${pointer}` })) + keyLine(key)));
const validators = Object.fromEntries(pointers.map((pointer, i) => [pointer, i]));
write('dist/openapi-doc.cjs', `module.exports = ${JSON.stringify({ key, json: specJson, validators })};\n`);
