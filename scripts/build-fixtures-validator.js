// Part of `npm run build`, after tsc: compiles fixtures/schema.json into dist/fixtures-validator.cjs
// (Ajv's standalone code), so that start-up neither loads Ajv nor compiles the schema. The file
// carries the key of the schema text it was built from; dist/fixtures.js compiles at run time
// instead when fixtures/schema.json has changed since.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fixturesAjvOptions, fixturesSchemaKey } from '../dist/fixtures.js';

const require = createRequire(import.meta.url);
const { Ajv } = require('ajv');
const standaloneCode = require('ajv/dist/standalone').default;

const root = new URL('..', import.meta.url);
const text = readFileSync(new URL('fixtures/schema.json', root), 'utf8');
const ajv = new Ajv({ ...fixturesAjvOptions, code: { source: true } });
const code = standaloneCode(ajv, ajv.compile(JSON.parse(text)));
writeFileSync(new URL('dist/fixtures-validator.cjs', root), `${code}\nmodule.exports.schemaKey = ${JSON.stringify(fixturesSchemaKey(text))};\n`);
