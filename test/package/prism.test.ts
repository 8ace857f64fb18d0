import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrism, type RunningPrism } from '../../scripts/prism.js';
import { loadSpec, specPath, type ResponseToCheck } from '../../src/index.js';

type Answer = Omit<ResponseToCheck, 'method' | 'path'>;

/**
 * The proof that the contract is enforced both ways: a stand-in for jobfake serves one broken
 * answer to GET /healthz, and both Prism (`prism proxy … --errors`, as `npm run contract` runs it)
 * and the in-process checker (what `npm test` runs on every response) flag it.
 */
describe('a response that breaks openapi.yaml', () => {
  let answer: Answer = { status: 200, contentType: 'application/json', body: '{"status":"SUCCESS"}' };
  let upstream: Server;
  let prism: RunningPrism | undefined;
  let notStarted = '';

  beforeAll(async () => {
    upstream = createServer((_req, res) => res.writeHead(answer.status, answer.contentType ? { 'content-type': answer.contentType } : {}).end(answer.body));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    try {
      prism = await startPrism({ spec: specPath, upstream: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`, timeoutMs: 15_000 });
    } catch (err) {
      notStarted = (err as Error).message;
    }
  });

  afterAll(async () => {
    await prism?.stop();
    await new Promise((resolve) => upstream.close(resolve));
  });

  /** Serves `served` through Prism; returns Prism's status and sl-violations, and the in-process checker's findings. */
  async function bothCheckers(skip: (note: string) => never, served: Answer) {
    if (!prism) skip(`Prism could not start: ${notStarted}`);
    answer = served;
    const res = await fetch(`${prism.url}/healthz`);
    await res.arrayBuffer();
    const { violations } = loadSpec().checkResponse({ method: 'GET', path: '/healthz', ...served });
    return { status: res.status, slViolations: res.headers.get('sl-violations'), violations };
  }

  it('passes both checkers when it keeps to the spec (the control case)', async ({ skip }) => {
    const found = await bothCheckers(skip, { status: 200, contentType: 'application/json', body: '{"status":"SUCCESS"}' });
    expect(found).toEqual({ status: 200, slViolations: null, violations: [] });
  });

  it('is flagged by both when its body breaks the schema', async ({ skip }) => {
    const found = await bothCheckers(skip, { status: 200, contentType: 'application/json', body: '{"status":"FINE"}' });
    expect(found.status).toBe(500); // --errors: Prism answers its own problem instead
    expect(JSON.parse(found.slViolations!)).toEqual([expect.objectContaining({ severity: 'Error', location: ['response', 'body', 'status'] })]);
    expect(found.violations).toEqual([expect.stringMatching(/^getHealth .* 200: body breaks the schema: \/status must be equal to one of the allowed values/)]);
  });

  it('is flagged by both when its status is not documented', async ({ skip }) => {
    const found = await bothCheckers(skip, { status: 503, contentType: 'application/json', body: '{"status":"SUCCESS"}' });
    // Prism lets it through (a Warning only): the header is the only sign, so the contract run fails on any header.
    expect(found.status).toBe(503);
    expect(JSON.parse(found.slViolations!)).toEqual([expect.objectContaining({ severity: 'Warning', message: expect.stringMatching(/Unable to match the returned status code/) })]);
    expect(found.violations).toEqual([expect.stringMatching(/getHealth .* 503: status not documented/)]);
  });

  it('is flagged by both when its content type is not documented', async ({ skip }) => {
    const found = await bothCheckers(skip, { status: 200, contentType: 'text/html', body: '<p>OK</p>' });
    expect(found.slViolations).not.toBeNull();
    expect(found.violations).toEqual([expect.stringMatching(/content type "text\/html" not documented/)]);
  });
});
