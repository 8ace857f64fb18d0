// npm run examples: runs the tour (scripts/tour.js) against the fake alone and writes one real
// answer per operation × status × media type into openapi.yaml, as `example:` on the response's
// media type (on the component, for a response that is a $ref). Only those lines change: the rest
// of the file is kept as it is. An example whose answer differs only in ids, times, tokens or
// ports from the one already there is kept, so re-running it does not churn.
import { readFileSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { parse, parseDocument } from 'yaml';
import { Spec } from '../dist/index.js';
import { runTour, specFile } from './tour.js';

/** Parts of an answer that change from run to run; masked when comparing with the example in place. */
const VOLATILE = [
  [/eyJ[\w-]*\.[\w-]+\.[\w-]+/g, '<jwt>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, '<uuid>'],
  [/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})/g, '<time>'],
  [/[0-9a-f]{8,}/g, '<hex>'],
  [/(127\.0\.0\.1|localhost):\d+/g, '$1:<port>'],
  [/#-?\d+\]/g, '#<number>]'],
  [/\d{10,}/g, '<number>'],
];
const VOLATILE_NUMBERS = new Set(['durationMs']);

export function mask(value, key) {
  if (typeof value === 'string') return VOLATILE.reduce((s, [pattern, to]) => s.replace(pattern, to), value);
  if (typeof value === 'number' && VOLATILE_NUMBERS.has(key)) return '<number>';
  if (Array.isArray(value)) return value.map((v) => mask(v));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mask(v, k)]));
  return value;
}

/** Where an answer's example goes: the path, in the YAML document, of its response media type. */
function mediaTypePath(spec, record) {
  const op = spec.operations.find((o) => o.operationId === record.operationId);
  const response = op?.operation.responses?.[String(record.status)];
  if (!response || !record.contentType) return undefined;
  const mediaType = record.contentType.split(';')[0].trim().toLowerCase();
  const base = response.$ref
    ? response.$ref.replace(/^#\//, '').split('/').map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'))
    : [...op.pointer.replace(/^#\//, '').split('/').map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~')), 'responses', String(record.status)];
  if (!spec.resolve(`#/${base.map((k) => k.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`)?.content?.[mediaType]) return undefined;
  return [...base, 'content', mediaType];
}

// ---- Writing YAML in the file's own style: flow maps padded `{ a: 1 }`, flow lists `[a, b]`,
// block style when a line would be longer than this.
const WIDTH = 100;

function scalar(value) {
  if (value === null) return 'null';
  if (typeof value !== 'string') return String(value);
  // Plain when it reads back as the same string in every place it can appear, else JSON's quoting (valid YAML).
  const plain = /^[A-Za-z_/][\w ./@+-]*$/.test(value) && !value.endsWith(' ');
  if (plain) {
    try {
      if (parse(`[${value}]`)[0] === value && parse(`{ k: ${value} }`).k === value && parse(`k: ${value}`).k === value && parse(`${value}: 1`)[value] === 1) return value;
    } catch {}
  }
  return JSON.stringify(value);
}

function flow(value) {
  if (Array.isArray(value)) return `[${value.map(flow).join(', ')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.length === 0 ? '{}' : `{ ${entries.map(([k, v]) => `${scalar(k)}: ${flow(v)}`).join(', ')} }`;
  }
  return scalar(value);
}

/** `prefix value` as lines at this indent: on one line when it fits, else as a block. */
function lines(prefix, value, indent) {
  const inline = `${indent}${prefix} ${flow(value)}`;
  if (!value || typeof value !== 'object' || inline.length <= WIDTH || Object.keys(value).length === 0) return [inline];
  const inner = `${indent}  `;
  if (!Array.isArray(value)) return [`${indent}${prefix}`, ...Object.entries(value).flatMap(([k, v]) => lines(`${scalar(k)}:`, v, inner))];
  const items = value.flatMap((item) => {
    if (!item || typeof item !== 'object' || Array.isArray(item) || Object.keys(item).length === 0 || `${inner}- ${flow(item)}`.length <= WIDTH) return [`${inner}- ${flow(item)}`];
    // A map item: its first key on the dash's line.
    const [first, ...rest] = Object.entries(item).flatMap(([k, v]) => lines(`${scalar(k)}:`, v, `${inner}  `));
    return [`${inner}- ${first.trimStart()}`, ...rest];
  });
  return [`${indent}${prefix}`, ...items];
}

/** The text with `example:` set on each media type map, every other byte kept. */
export function writeExamples(text, examples) {
  const doc = parseDocument(text);
  const edits = [];
  for (const { path, value } of examples) {
    const map = doc.getIn(path, true);
    if (!map?.items?.length || map.flow) throw new Error(`${path.join(' > ')}: not a block map in openapi.yaml`);
    const keyStart = map.items[0].key.range[0];
    const indent = ' '.repeat(keyStart - text.lastIndexOf('\n', keyStart) - 1);
    const block = `${lines('example:', value, indent).join('\n')}\n`;
    const existing = map.items.find((pair) => pair.key.value === 'example');
    if (existing) {
      const from = text.lastIndexOf('\n', existing.key.range[0]) + 1;
      const to = text.indexOf('\n', existing.value.range[1] - 1) + 1;
      edits.push({ from, to, block });
    } else {
      const last = map.items.at(-1);
      const at = text.indexOf('\n', (last.value ?? last.key).range[1] - 1) + 1;
      edits.push({ from: at, to: at, block });
    }
  }
  let out = text;
  for (const { from, to, block } of edits.sort((a, b) => b.from - a.from)) out = out.slice(0, from) + block + out.slice(to);
  // The result must read as the original with exactly these examples set.
  const expected = parse(text);
  for (const { path, value } of examples) path.reduce((node, key) => node[key], expected).example = value;
  const got = parse(out);
  if (!isDeepStrictEqual(got, expected)) throw new Error('writing the examples would change more than the examples: nothing written');
  return out;
}

/** The answers to keep, one per media type: a step marked `example: true` wins, else the first. */
export function pickExamples(spec, records) {
  const picked = new Map();
  for (const record of records) {
    if (!record.body || record.problems.length > 0) continue;
    const path = mediaTypePath(spec, record);
    if (!path) continue;
    const key = JSON.stringify(path);
    if (picked.has(key) && !(record.example && !picked.get(key).record.example)) continue;
    const value = (record.contentType ?? '').includes('json') ? JSON.parse(record.body) : record.body;
    picked.set(key, { path, value, record });
  }
  return [...picked.values()];
}

async function main() {
  const { records, problems } = await runTour();
  const broken = records.filter((r) => r.problems.length > 0);
  if (broken.length > 0 || problems.length > 0) {
    for (const r of broken) console.error(`${r.variant}: ${r.method} ${r.path} → ${r.status}\n  ${r.problems.join('\n  ')}`);
    for (const p of problems) console.error(p);
    console.error('examples: the tour found problems (above): openapi.yaml left as it was');
    process.exit(1);
  }
  const text = readFileSync(specFile, 'utf8');
  const spec = new Spec(text);
  const current = parse(text);
  let kept = 0;
  let added = 0;
  let changed = 0;
  const examples = pickExamples(spec, records).map(({ path, value }) => {
    const before = path.reduce((node, key) => node?.[key], current)?.example;
    if (before === undefined) added++;
    else if (isDeepStrictEqual(mask(before), mask(value))) {
      kept++;
      return { path, value: before };
    } else changed++;
    return { path, value };
  });
  const out = writeExamples(text, examples);
  if (out !== text) writeFileSync(specFile, out);
  const operations = new Set(records.map((r) => r.operationId));
  console.log(`examples: ${examples.length} response examples from ${records.length} answers of the fake over ${operations.size} operations: ${added} new, ${changed} changed, ${kept} kept (same but for ids and times)`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
