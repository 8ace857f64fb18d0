// Part of `npm run build`, after tsc: what start-up would otherwise compute every time.
// - dist/fixtures-validator.cjs: fixtures/schema.json compiled by Ajv (standalone code), so that
//   start-up neither loads Ajv nor compiles the schema;
// - dist/default-fixtures.cjs: fixtures/default.yaml parsed, as JSON, so that a start with the
//   default fixtures never loads the YAML parser.
// Each carries the key of the text it was made from; dist/fixtures.js falls back to doing the work
// at run time when the file has changed since the build.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import { fixturesAjvOptions, fixturesSchemaKey, textKey } from '../dist/fixtures.js';

const require = createRequire(import.meta.url);
const { Ajv } = require('ajv');
const standaloneCode = require('ajv/dist/standalone').default;
const { parse } = require('yaml');

const root = new URL('..', import.meta.url);
const read = (path) => readFileSync(new URL(path, root), 'utf8');

const schema = read('fixtures/schema.json');
const ajv = new Ajv({ ...fixturesAjvOptions, code: { source: true } });
const code = standaloneCode(ajv, ajv.compile(JSON.parse(schema)));
writeFileSync(new URL('dist/fixtures-validator.cjs', root), `${code}\nmodule.exports.schemaKey = ${JSON.stringify(fixturesSchemaKey(schema))};\n`);

const defaults = read('fixtures/default.yaml');
const value = parse(defaults);
const json = JSON.stringify(value);
// Only what JSON keeps exactly (no dates, no undefined): otherwise start-up parses the YAML.
if (json !== undefined && isDeepStrictEqual(JSON.parse(json), value)) {
  writeFileSync(new URL('dist/default-fixtures.cjs', root), `module.exports = ${JSON.stringify({ key: textKey(defaults), json })};\n`);
}
