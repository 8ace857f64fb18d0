// A Spark job's callback as the inspector shows it, in Debian's chromium (skipped, with a message,
// where /usr/bin/chromium is missing; .ci/run installs it).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshNamespace, useFake } from '../helpers/fake.js';
import { jar, postJob, upload } from '../helpers/spark.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`sparkjobserver-callback-inspector.test.ts: skipped, ${CHROMIUM} is missing (apt-get install -y chromium)`);
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe.skipIf(!hasChromium)('the inspector shows where a job\'s callback went and how it fared', () => {
  const ctx = useFake({ fixtures: { sparkJobserver: { version: '0.11' } } });
  let profile: string;
  let browser: BrowserContext;
  let receiver: Server;
  let receiverUrl: string;

  beforeAll(async () => {
    receiver = createServer((req, res) => req.resume().on('end', () => res.writeHead(204).end()));
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    profile = mkdtempSync(join(tmpdir(), 'jobfake-chromium-'));
    browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS });
  });
  afterAll(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await new Promise<void>((resolve) => receiver?.close(() => resolve()));
  });

  it('in the Result column of the job', async () => {
    const ns = freshNamespace();
    const base = `${ctx.url}/ns/${ns}`;
    await upload(base, 'test', jar());
    const page = await browser.newPage();
    await page.goto(`${base}/__jobfake/ui`);
    await page.locator('body[data-ready="true"]').waitFor();
    await postJob(base, `cp=test&mainClass=spark.jobserver.WordCountExample&callbackUrl=${encodeURIComponent(receiverUrl)}`, 'input.string = a');
    ctx.fake.namespace(ns).clock.advance(1000);
    const row = page.locator('#jobs tbody tr').first();
    await expect.poll(() => row.locator('.callback').textContent(), { timeout: 10_000 }).toBe(`callback → ${receiverUrl}: delivered (1 attempt · HTTP 204)`);
    await page.close();
  });
});
