import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { startFake, type Fake, type StartOptions } from '../../src/index.js';
import { recordCoverage } from './coverage.js';

/**
 * Starts one fake for the test file, on a free port, with every response checked against
 * openapi.yaml: a test fails when the fake answered something the spec does not describe.
 */
export function useFake(options: StartOptions = {}): { readonly fake: Fake; readonly url: string } {
  let fake: Fake | undefined;
  let checked = 0;
  beforeAll(async () => {
    fake = await startFake({ port: 0, ...options, checkResponses: true });
  });
  afterEach(() => {
    if (!fake) return;
    // Only this test's responses: one broken answer fails the test that caused it.
    const violations = fake.specViolations().slice(checked);
    checked += violations.length;
    expect(violations, 'responses that break openapi.yaml').toEqual([]);
  });
  afterAll(async () => {
    if (!fake) return;
    recordCoverage(fake.responsesSeen());
    await fake.close();
  });
  return {
    get fake() {
      if (!fake) throw new Error('the fake is not started yet');
      return fake;
    },
    get url() {
      return this.fake.url;
    },
  };
}

/** fetch + the body read once, as JSON when it is JSON. */
export async function call(url: string, init?: RequestInit): Promise<{ status: number; headers: Headers; body: any; text: string }> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json') && text) body = JSON.parse(text);
  return { status: res.status, headers: res.headers, body, text };
}

/** A fresh namespace name, so each test has a world of its own on the shared server. */
export const freshNamespace = (prefix = 't') => `${prefix}-${randomUUID().slice(0, 8)}`;
