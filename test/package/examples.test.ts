import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../src/index.js';

const escape = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Every response body in openapi.yaml, once: an inline response's media type, or a component's
 * (a response that is a $ref shares the component's example), with the operations that answer it.
 */
function responseBodies() {
  const spec = loadSpec();
  const bodies = new Map<string, { pointer: string; operations: string[] }>();
  for (const op of spec.operations) {
    for (const [status, response] of Object.entries<any>(op.operation.responses ?? {})) {
      const base = response.$ref ?? `${op.pointer}/responses/${status}`;
      for (const mediaType of Object.keys(spec.resolve(base).content ?? {})) {
        const pointer = `${base}/content/${escape(mediaType)}`;
        const entry = bodies.get(pointer) ?? { pointer, operations: [] };
        entry.operations.push(`${op.operationId} ${status}`);
        bodies.set(pointer, entry);
      }
    }
  }
  return { spec, bodies: [...bodies.values()] };
}

describe('the examples in openapi.yaml (written by npm run examples from real answers of the fake)', () => {
  it('give every response body an example', () => {
    const { spec, bodies } = responseBodies();
    const missing = bodies.filter((b) => spec.resolve(b.pointer).example === undefined).map((b) => `${b.pointer} (${b.operations.join(', ')})`);
    expect(missing, 'run npm run examples; a status the tour never reaches needs a step in scripts/tour.js').toEqual([]);
  });

  it('give every operation that answers a body at least one example', () => {
    const { spec, bodies } = responseBodies();
    const withExample = new Set(bodies.filter((b) => spec.resolve(b.pointer).example !== undefined).flatMap((b) => b.operations.map((o) => o.split(' ')[0])));
    const withBody = new Set(bodies.flatMap((b) => b.operations.map((o) => o.split(' ')[0])));
    expect([...withBody].filter((id) => !withExample.has(id))).toEqual([]);
    // Only operations that answer nothing but an empty 204 have none.
    const bodiless = spec.operations.filter((op) => !withBody.has(op.operationId)).map((op) => op.operationId);
    expect(bodiless.every((id) => Object.keys(spec.operations.find((o) => o.operationId === id)!.operation.responses).every((s) => s === '204'))).toBe(true);
  });

  it('are each valid under their own schema', () => {
    const { spec, bodies } = responseBodies();
    const invalid: string[] = [];
    for (const { pointer } of bodies) {
      const mediaType = spec.resolve(pointer);
      if (mediaType.example === undefined || !mediaType.schema) continue;
      const validate = spec.validator(`${pointer}/schema`);
      if (!validate(mediaType.example)) invalid.push(`${pointer}: ${(validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ')}`);
    }
    expect(invalid).toEqual([]);
  });
});
