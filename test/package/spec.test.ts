import { describe, expect, it } from 'vitest';
import { Spec, loadSpec, validateSpec } from '../../src/index.js';

describe('openapi.yaml', () => {
  it('is a valid OpenAPI document under swagger-parser', async () => {
    await expect(validateSpec()).resolves.toBeUndefined();
  });

  it('gives every operation a unique operationId and documents every response body', () => {
    const spec = loadSpec();
    const ids = spec.operations.map((o) => o.operationId);
    expect(ids.every(Boolean)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const op of spec.operations) {
      expect(Object.keys(op.operation.responses ?? {}), op.operationId).not.toHaveLength(0);
    }
  });

  it('has request and response schemas that all compile under Ajv', () => {
    const spec = loadSpec();
    const pointers: string[] = [];
    for (const op of spec.operations) {
      for (const [status, response] of Object.entries<any>(op.operation.responses)) {
        const base = response.$ref ?? `${op.pointer}/responses/${status}`;
        for (const type of Object.keys(spec.resolve(base).content ?? {})) pointers.push(`${base}/content/${type.replace('/', '~1')}/schema`);
      }
      const body = op.operation.requestBody;
      for (const type of Object.keys(body?.content ?? {})) pointers.push(`${op.pointer}/requestBody/content/${type.replace('/', '~1')}/schema`);
    }
    expect(pointers.length).toBeGreaterThan(30);
    for (const pointer of pointers) expect(() => spec.validator(pointer), pointer).not.toThrow();
  });
});

describe('the response checker', () => {
  const spec = loadSpec();
  const healthz = { method: 'GET', path: '/healthz', status: 200, contentType: 'application/json' };

  it('accepts a response the spec describes, in a namespace too', () => {
    expect(spec.checkResponse({ ...healthz, body: '{"status":"SUCCESS"}' })).toEqual({ operationId: 'getHealth', violations: [] });
    expect(spec.checkResponse({ ...healthz, path: '/ns/a-1/healthz', body: '{"status":"SUCCESS"}' }).violations).toEqual([]);
  });

  it('reaches no operation under a namespace name the server does not route (that is an unknown route)', () => {
    for (const ns of ['%ZZ', 'a b', 'n'.repeat(65)]) {
      expect(spec.checkResponse({ ...healthz, path: `/ns/${ns}/healthz`, status: 404, body: '{"status":"ERROR","result":"no route"}' })).toEqual({
        violations: [`GET /ns/${ns}/healthz: no operation in openapi.yaml`],
      });
    }
  });

  it('rejects a body that breaks the schema', () => {
    const { violations } = spec.checkResponse({ ...healthz, body: '{"status":"FINE"}' });
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatch(/getHealth .* 200: body breaks the schema: \/status must be equal to one of the allowed values/);
  });

  it('rejects a status code the spec does not list', () => {
    expect(spec.checkResponse({ ...healthz, status: 201, body: '{"status":"SUCCESS"}' }).violations[0]).toMatch(/status not documented/);
  });

  it('rejects an undocumented content type, a body that is not JSON and an unknown route', () => {
    expect(spec.checkResponse({ ...healthz, contentType: 'text/html', body: '<p>' }).violations[0]).toMatch(/content type "text\/html" not documented/);
    expect(spec.checkResponse({ ...healthz, body: '{oops' }).violations[0]).toMatch(/body is not JSON/);
    expect(spec.checkResponse({ ...healthz, path: '/nowhere', body: '' }).violations[0]).toMatch(/no operation in openapi.yaml/);
  });

  it('checks against the text it is given, not a cached copy', () => {
    const custom = new Spec(`openapi: 3.0.3
info: { title: t, version: '1' }
paths:
  /x:
    get:
      operationId: getX
      responses:
        '204': { description: empty }
`);
    expect(custom.checkResponse({ method: 'GET', path: '/x', status: 204, contentType: null, body: '' }).violations).toEqual([]);
    expect(custom.checkResponse({ method: 'GET', path: '/x', status: 204, contentType: 'text/plain', body: 'hi' }).violations[0]).toMatch(/documented without a body/);
  });
});
