/**
 * The report in a real browser, through the real CLI: `trade-etl demo` loads the bundled
 * fixtures into a fresh embedded database, `trade-etl report --out tests/output/report.html`
 * writes the page, and headless Chromium (Debian's chromium package, driven by playwright-core)
 * opens it from disk. The page must render every chart, show the expected labels, and ask the
 * network for nothing. A full-page screenshot is kept as a CI artifact in tests/output/.
 *
 * Without Chromium the test is skipped locally (with a message) but fails in CI (CI=true), where
 * .ci/run installs it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext } from 'playwright-core';
import { ROOT, runCli } from '../helpers/cli.js';
import { CHART_IDS } from '../../src/report/build-report.js';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const IN_CI = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
const HAVE_CHROMIUM = fs.existsSync(CHROMIUM);
const OUT_DIR = path.join(ROOT, 'tests/output');

if (!HAVE_CHROMIUM && !IN_CI) {
  process.stderr.write(`tests/report/browser.test.ts: skipped — no Chromium at ${CHROMIUM} (install Debian's chromium: apt-get install -y chromium; CI installs it and fails without it)\n`);
}

/** Flags for a root user on a machine without network: no sandbox, no GPU, no background traffic. */
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

describe.skipIf(!HAVE_CHROMIUM && !IN_CI)('the report in headless Chromium', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trade-etl-report-browser-'));
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'trade-etl-chromium-profile-'));
  let browser: BrowserContext | undefined;

  afterAll(async () => {
    await browser?.close();
    fs.rmSync(profile, { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('renders every chart with its labels, fetches nothing, and leaves a screenshot', async () => {
    if (!HAVE_CHROMIUM) throw new Error(`Chromium is not installed at ${CHROMIUM}: CI must install it (.ci/run: apt-get install -y chromium)`);
    const env = { DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
    const demo = await runCli(['demo'], env, { timeoutMs: 240_000 });
    expect(demo.code, demo.stderr).toBe(0);
    fs.mkdirSync(OUT_DIR, { recursive: true });
    const file = path.join(OUT_DIR, 'report.html');
    fs.rmSync(file, { force: true });
    const rep = await runCli(['report', '--out', file], env, { timeoutMs: 120_000 });
    expect(rep.code, rep.stderr).toBe(0);
    expect(rep.stdout).toContain('5 of 5 charts drawn');

    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1000, height: 900 },
    });
    const page = await browser.newPage();
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(String(e)));
    const url = pathToFileURL(file).href;
    const resp = await page.goto(url, { waitUntil: 'load' });
    expect(resp?.ok()).toBe(true);

    // Nothing but the page itself: no fonts, scripts, images or styles from anywhere.
    expect(requests).toEqual([url]);
    expect(problems).toEqual([]);
    expect(await page.title()).toContain('US–Japan trade');

    for (const id of CHART_IDS) {
      const svg = page.locator(`#${id} figure > svg`);
      expect(await svg.count(), id).toBe(1);
      const box = await svg.boundingBox();
      expect(box && box.width > 300 && box.height > 100, `${id} drawn at a visible size`).toBe(true);
      expect(await page.locator(`#${id} figure > svg path, #${id} figure > svg rect`).count(), `${id} has marks`).toBeGreaterThan(5);
      expect(await page.locator(`#${id} figcaption`).innerText(), `${id} names its releases`).toMatch(/release #\d+\), published \d{4}-\d{2}-\d{2}/);
    }

    const texts = async (id: string) => page.locator(`#${id} svg text`).allTextContents();
    expect(await texts('chart-exports')).toEqual(expect.arrayContaining(['Exports, trillion yen', '2024 (the article\'s year)', '1980', '2020']));
    expect(await texts('chart-commodities')).toEqual(expect.arrayContaining(['MOTOR VEHICLES', 'PARTS OF MOTOR VEHICLES', 'Motor vehicles', 'Parts of motor vehicles']));
    expect(await texts('chart-car-imports')).toEqual(expect.arrayContaining(['1. Mexico', '2. Japan', 'Imports, billion US dollars', 'named in the article']));
    expect(await texts('chart-balance')).toEqual(expect.arrayContaining(['2024', 'Japanese view: MOF mof.press, yen in dollars', 'US view: Census census.country']));
    expect((await texts('chart-fx')).some((t) => t.startsWith('article\'s date 2025-04-21'))).toBe(true);

    // The claim table: one row per claim, each with a verdict badge.
    const rows = page.locator('table.claims tbody tr');
    expect(await rows.count()).toBe(19);
    expect(await page.locator('table.claims tbody tr .verdict').count()).toBe(19);
    // The SVG text is laid out in the system font the page names: labels are not clipped away.
    const label = page.locator('#chart-car-imports svg text', { hasText: '2. Japan' });
    expect((await label.boundingBox())!.width).toBeGreaterThan(20);

    const shot = path.join(OUT_DIR, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(fs.statSync(shot).size).toBeGreaterThan(50_000);
  }, 480_000);
});
