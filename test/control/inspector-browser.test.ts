// The inspector in a real headless browser: Debian's chromium, driven by playwright-core. Skipped,
// with a message, where /usr/bin/chromium is missing (.ci/run installs it).
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFake } from '../../src/index.js';
import { call, useFake } from '../helpers/fake.js';
import { openTunnel, runToDone } from '../helpers/scalingo.js';
import { jar, postJob, upload } from '../helpers/spark.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`inspector-browser.test.ts: skipped, ${CHROMIUM} is missing (apt-get install -y chromium)`);

/** As root, offline: no sandbox, no GPU, and nothing that calls home. */
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe.skipIf(!hasChromium)(`the inspector in a headless browser (${CHROMIUM})`, () => {
  const ctx = useFake();
  let profile: string;
  let browser: BrowserContext;

  beforeAll(async () => {
    profile = mkdtempSync(join(tmpdir(), 'jobfake-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1280, height: 800 },
      colorScheme: 'light',
    });
  });
  afterAll(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  /** A page that records console errors, uncaught exceptions and requests off the fake's origin. */
  async function open(url: string): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage();
    const problems: string[] = [];
    const origin = new URL(ctx.url).origin;
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('request', (request) => {
      const target = request.url();
      if (!target.startsWith('data:') && new URL(target).origin !== origin) problems.push(`request off the fake's origin: ${target}`);
    });
    await page.goto(url);
    await page.locator('body[data-ready="true"]').waitFor();
    return { page, problems };
  }

  // A browser step takes a second on a loaded machine: this walk-through has about twenty.
  it('shows a one-off with its upload and a Spark job, advances the operation live, filters the journal, opens a request', { timeout: 60_000 }, async () => {
    const ns = 'inspector-demo';
    const base = `${ctx.url}/ns/${ns}`;
    const world = ctx.fake.namespace(ns);
    world.clock.pause();

    // A one-off through the public API: run, operation done, a file uploaded, an attach session.
    const { attachUrl, scalingo } = await runToDone(ctx.fake, base, ns, { command: 'bash', size: 'M' });
    const form = new FormData();
    form.append('file', new Blob(['select 1;\n']), 'dump.sql');
    expect((await call(`${attachUrl}/files`, { method: 'POST', body: form })).status).toBe(200);
    expect((await call(attachUrl, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"width":"120","height":"40"}' })).status).toBe(200);
    const tunnel = await openTunnel(attachUrl);
    tunnel.socket.end('echo done\nexit\n');
    await tunnel.rest;
    // Spark Jobserver: a binary, a job run to the end, and one left running.
    expect((await upload(base, 'reports', jar())).status).toBe(200);
    const finished = await postJob(base, 'appName=reports&classPath=spark.jobserver.WordCountExample&sync=false', 'input.string = a b c a b see');
    expect(finished.status).toBe(202);
    world.clock.advance(5_000);
    const running = await postJob(base, 'appName=reports&classPath=spark.jobserver.WordCountExample', 'input.string = to be or not to be');
    expect(running.status).toBe(202);
    world.clock.advance(10);
    // A second one-off, left pending for the page to advance.
    expect((await scalingo.post('/v1/apps/my-app/run', { command: 'rake db:migrate' })).status).toBe(200);

    const { page, problems } = await open(`${base}/__jobfake/ui`);
    await page.evaluate(() => ((globalThis as unknown as { notReloaded: boolean }).notReloaded = true));

    const containers = page.locator('#containers tbody');
    const first = containers.locator('tr', { hasText: 'one-off-1' });
    const second = containers.locator('tr', { hasText: 'one-off-2' });
    await expect.poll(() => first.textContent()).toContain('dump.sql');
    expect(await first.textContent()).toContain('120×40');
    expect(await first.locator('.hash').textContent()).toMatch(/^[0-9a-f]{64}$/);
    expect(await second.locator('.st').first().textContent()).toBe('pending');
    const jobs = page.locator('#jobs tbody tr');
    await expect.poll(() => jobs.count()).toBe(2);
    expect(await jobs.first().textContent()).toContain('spark.jobserver.WordCountExample');
    expect(await page.locator('#jobs').textContent()).toContain('FINISHED');
    expect(await page.locator('#binaries').textContent()).toContain('reports');

    // The first one-off's transcript: what the client typed, and the echo.
    await first.getByRole('button', { name: 'Transcript of one-off-1' }).click();
    const transcript = page.getByRole('dialog', { name: 'Transcript of one-off-1' });
    await transcript.waitFor();
    expect(await transcript.locator('pre.run-in').first().textContent()).toBe('echo done\nexit\n');
    expect(await transcript.locator('pre.run-out').first().textContent()).toBe('echo done\nexit\n');
    await transcript.getByRole('button', { name: 'Close' }).click();

    // Advance the pending operation from the page: the row changes, the page is not reloaded.
    await page.getByRole('button', { name: 'Advance the operation of one-off-2' }).click();
    await expect.poll(() => second.locator('.st').first().textContent()).toBe('running');
    expect(await second.locator('.steps').textContent()).toMatch(/pending .*running /);
    expect(world.scalingo.containers()[1]?.operation.status).toBe('running');

    // Fail the running job from the keyboard: the dialog, a message, Enter.
    await page.getByRole('button', { name: /^Fail job spark\.jobserver\.WordCountExample .*…$/ }).and(page.locator(':not([disabled])')).focus();
    await page.keyboard.press('Enter');
    await page.getByLabel('Message').fill('executor lost');
    await page.keyboard.press('Enter');
    await expect.poll(() => jobs.first().textContent()).toContain('executor lost');
    expect(await page.locator('#notice').textContent()).toMatch(/ERROR$/);

    // The journal, newest first, filtered by text.
    const requests = page.locator('#requests tbody tr:not([hidden])');
    expect(await requests.first().textContent()).toContain('POST/v1/apps/my-app/run200');
    const all = await requests.count();
    await page.getByLabel('Filter requests').fill('binaries');
    await expect.poll(() => requests.count()).toBe(1);
    expect(await requests.first().textContent()).toContain('POST/binaries/reports200');
    expect(await page.locator('#journal-count').textContent()).toBe(`1 of the latest ${all} requests match`);
    await page.getByLabel('Filter requests').fill('');

    // A row opened: its headers, the config the client sent, and the answer.
    await page.getByRole('button', { name: 'Details of POST /jobs?appName=reports&classPath=spark.jobserver.WordCountExample&sync=false' }).click();
    const entry = page.getByRole('dialog', { name: /^POST \/jobs\?appName=reports.* → 202$/ });
    await entry.waitFor();
    expect(await entry.locator('pre').first().textContent()).toBe('input.string = a b c a b see');
    expect(await entry.textContent()).toContain('content-type');
    expect(await entry.locator('pre').nth(1).textContent()).toContain(`"jobId": "${finished.body.jobId}"`);
    await entry.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => entry.isVisible()).toBe(false);

    expect(await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(await page.title()).toBe(`jobfake inspector · ${ns}`);

    const screenshot = process.env['JOBFAKE_SCREENSHOT'];
    if (screenshot) {
      const path = resolve(screenshot);
      mkdirSync(dirname(path), { recursive: true });
      await page.locator('#notice').evaluate((el) => (el.textContent = ''));
      await page.getByLabel('Filter requests').blur();
      await page.screenshot({ path, fullPage: true });
    }
    await page.close();
    expect(problems).toEqual([]);
  });

  it('opens with ?token= when the control API is guarded, and passes the token on to its calls and its events', async () => {
    const guarded = await startFake({ port: 0, controlToken: 'page-token' });
    try {
      await call(`${guarded.url}/healthz`);
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      expect((await page.goto(`${guarded.url}/__jobfake/ui`))!.status()).toBe(401);
      await page.goto(`${guarded.url}/__jobfake/ui?token=page-token`);
      await page.locator('body[data-ready="true"]').waitFor();
      expect(await page.locator('#live').textContent()).toBe('live');
      // The /healthz above (and the browser's favicon request after the 401) reached the page through its events.
      expect(await page.locator('#requests').textContent()).toContain('/healthz');
      await page.getByRole('button', { name: 'Clear journal' }).click();
      await expect.poll(() => page.locator('#notice').textContent()).toBe('Clear the journal: cleared');
      await expect.poll(() => page.locator('#journal-count').textContent()).toBe('the latest 0 of 0 requests kept');
      expect(guarded.journal()).toEqual([]);
      await page.close();
      expect(errors).toEqual([]);
    } finally {
      await guarded.close();
    }
  });

  it('lists the namespaces and opens another one', async () => {
    await call(`${ctx.url}/ns/other/healthz`);
    const { page, problems } = await open(`${ctx.url}/__jobfake/ui`);
    const select = page.getByLabel('Namespace');
    await select.focus();
    await expect.poll(() => select.locator('option').allTextContents()).toContain('other');
    await select.selectOption('other');
    await page.getByRole('button', { name: 'Open' }).click();
    await page.waitForURL(`${ctx.url}/ns/other/__jobfake/ui`);
    await page.locator('body[data-ready="true"]').waitFor();
    expect(await page.locator('#journal-count').textContent()).toBe('the latest 1 of 1 requests kept');

    await page.getByRole('button', { name: 'Clear journal' }).click();
    await expect.poll(() => page.locator('#journal-count').textContent()).toBe('the latest 0 of 0 requests kept');
    expect(await page.locator('.empty[data-for="requests"]').isVisible()).toBe(true);

    await call(`${ctx.url}/ns/other/__jobfake/scalingo/apps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"added-app"}' });
    await expect.poll(() => page.locator('#apps').textContent()).toBe('my-app, added-app');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Reset namespace' }).click();
    await expect.poll(() => page.locator('#apps').textContent()).toBe('my-app');
    expect(await page.locator('#notice').textContent()).toBe('Reset: back to the fixtures');
    await page.close();
    expect(problems).toEqual([]);
  });
});
