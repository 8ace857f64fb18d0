// A browser app on another origin calls jobfake's Scalingo API, as the dashboard or scalingo.js's
// browser bundle does: real Chromium (Debian's, driven by playwright-core), CORS preflights and
// all. Skipped, with a message, where /usr/bin/chromium is missing (.ci/run installs it).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useFake } from '../helpers/fake.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`scalingo-browser.test.ts: skipped, ${CHROMIUM} is missing (apt-get install -y chromium)`);

/** As root, offline: no sandbox, no GPU, and nothing that calls home. */
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** What the page does, in the page: the one-off flow of a browser app, with fetch and no library. */
async function oneOffFromThePage(api: string): Promise<unknown> {
  // The page reads the API's JSON as it comes.
  const json = async (res: Response): Promise<{ status: number; body: any }> => ({ status: res.status, body: await res.json() });
  const exchange = await json(await fetch(`${api}/v1/tokens/exchange`, { method: 'POST', headers: { Authorization: `Basic ${btoa(':tk-us-browser')}`, 'Content-Type': 'application/json' }, body: '{}' }));
  const auth = { Authorization: `Bearer ${exchange.body.token}`, Accept: 'application/json' };
  const runRes = await fetch(`${api}/v1/apps/my-app/run`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ command: 'rake report', detached: true }) });
  const location = runRes.headers.get('Location');
  const run = await json(runRes);
  let operation: { status: string } = { status: 'pending' };
  for (let i = 0; i < 100 && operation.status !== 'done' && operation.status !== 'error'; i++) {
    await new Promise((r) => setTimeout(r, 50));
    operation = (await json(await fetch(location!, { headers: auth }))).body.operation;
  }
  const logsUrl = (await json(await fetch(`${api}/v1/apps/my-app/logs`, { headers: auth }))).body.logs_url;
  let logs = '';
  for (let i = 0; i < 100 && !logs.includes('stopped'); i++) {
    await new Promise((r) => setTimeout(r, 50));
    logs = await (await fetch(`${logsUrl}&n=10&filter=${run.body.container.label}`)).text();
  }
  return { exchange: exchange.status, run: run.status, label: run.body.container.label, locationIsOperationUrl: location === run.body.operation_url, operation: operation.status, logs };
}

describe.skipIf(!hasChromium)(`a page on another origin runs a one-off through jobfake (${CHROMIUM})`, () => {
  const fixtures = { scalingo: { apps: [{ name: 'my-app' }], schedule: { pending: 50, running: 50 }, detachedDuration: 200, commands: [{ command: 'rake report', output: 'report sent\n' }] } };
  const open = useFake({ fixtures });
  const restricted = useFake({ fixtures, corsOrigins: ['http://127.0.0.1:9'] });
  let profile: string;
  let browser: BrowserContext;
  let site: Server;
  let siteUrl: string;

  beforeAll(async () => {
    // The browser app's own origin: another port of 127.0.0.1, serving one empty page.
    site = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>app</title><p>a browser app</p>'));
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
    profile = mkdtempSync(join(tmpdir(), 'jobfake-chromium-'));
    browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS });
  });
  afterAll(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await new Promise((resolve) => site?.close(resolve));
  });

  it('exchanges a token, runs a detached job, follows its operation with the exposed Location, and reads its output from the logs URL', async () => {
    const page = await browser.newPage();
    await page.goto(siteUrl);
    expect(new URL(siteUrl).origin).not.toBe(new URL(open.url).origin);
    const result = await page.evaluate(oneOffFromThePage, `${open.url}/ns/browser`);
    expect(result).toEqual({
      exchange: 200,
      run: 200,
      label: 'one-off-1',
      locationIsOperationUrl: true,
      operation: 'done',
      logs: expect.stringMatching(/\[one-off-1\] report sent\n.*\[manager\] container \[one-off-1\] \(\w+\) stopped with exit code 0\n$/s),
    });
    // The browser did send preflights (the journal keeps them).
    const preflights = open.fake.namespace('browser').journal({ method: 'OPTIONS' });
    expect(preflights.map((r) => [r.path, r.status])).toEqual(expect.arrayContaining([['/v1/tokens/exchange', 204], ['/v1/apps/my-app/run', 204]]));
    await page.close();
  });

  it('is refused by the browser when jobfake allows only other origins', async () => {
    const page = await browser.newPage();
    await page.goto(siteUrl);
    const error = await page.evaluate(oneOffFromThePage, `${restricted.url}/ns/browser`).then(
      () => 'no error',
      (err: Error) => err.message,
    );
    expect(error).toMatch(/Failed to fetch/);
    // The preflight was answered, without the headers: the exchange itself was never sent.
    expect(restricted.fake.namespace('browser').journal({}).map((r) => [r.method, r.path])).toEqual([['OPTIONS', '/v1/tokens/exchange']]);
    await page.close();
  });
});
