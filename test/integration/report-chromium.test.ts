/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The page functions below run in the browser: this file alone needs the DOM types.
import { cpSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../../src/sampler/report.js';
import { launchChromium } from '../helpers/chromium.js';
import { serviceBinary } from '../helpers/services.js';

/**
 * report.html as a person sees it: Debian's Chromium (headless, through playwright-core; never a
 * downloaded browser) opens a report rebuilt from a fixture sweep folder
 * (test/fixtures/sampler/runs/interrupted), the inlined Vega runtime draws every chart again, and
 * a screenshot is taken. What is asserted: each chart drawn with its data, the cells not measured
 * marked as such, a value on hover.
 */
const browserPath = serviceBinary('/usr/bin/chromium');

describe.skipIf(!browserPath)('report.html in Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dfaas-report-chromium-'));
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    context = await launchChromium(browserPath as string, dir);
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('draws every chart with its data, marks the cells not measured, and shows values on hover', async () => {
    const run = join(dir, 'interrupted');
    cpSync('test/fixtures/sampler/runs/interrupted', run, { recursive: true });
    const report = await writeReport(run);
    const page = await (context as BrowserContext).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // Nothing but the file itself may be loaded: the report opens offline.
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`file://${report}`);
    await page.waitForFunction(
      () => [...document.querySelectorAll<HTMLElement>('[data-chart]')].every((e) => e.dataset.rendered),
      undefined,
      { timeout: 30_000 },
    );
    expect(errors).toEqual([]);
    expect(requests).toEqual([`file://${report}`]);
    const charts = await page.$$eval('[data-chart]', (els) =>
      els.map((e) => ({
        rendered: (e as HTMLElement).dataset.rendered,
        // Marks Vega drew in the browser (not its legends): points and lines, cells of the heatmaps.
        marks: e.querySelectorAll(
          'svg .mark-symbol.role-mark path, svg .mark-line.role-mark path, svg .mark-rect.role-mark path',
        ).length,
        notMeasured: [...e.querySelectorAll('svg [aria-label*="not measured"]')].map((m) =>
          m.getAttribute('aria-label'),
        ),
      })),
    );
    expect(charts).toHaveLength(8);
    for (const chart of charts) {
      expect(chart.rendered).toBe('interactive');
      expect(chart.marks).toBeGreaterThan(0);
    }
    // 4 charts of each function alone (3 rates × 2 functions: 6 points and 2 lines each) …
    for (const chart of charts.slice(0, 4)) expect(chart.marks).toBe(8);
    // … and 4 heatmaps of the pair, 3 × 3 cells each, two of them marked not measured (one not
    // run, one skipped) and drawn apart from the measured ones.
    for (const chart of charts.slice(4)) {
      expect(chart.marks).toBe(9);
      expect(chart.notMeasured).toEqual([
        'figlet 20 requests/s, shasum 0 requests/s: not measured',
        expect.stringMatching(
          /^figlet 20 requests\/s, shasum 10 requests\/s: not measured \(skipped: cooldown timed out/,
        ),
      ]);
    }
    // Hovering a measured cell shows its value (Vega's tooltip: the view's title attribute).
    const cell = page.locator(
      '[data-chart="4"] svg [aria-label^="figlet 10 requests/s, shasum 10 requests/s"]',
    );
    await cell.evaluate((e) => e.scrollIntoView({ block: 'center' }));
    const box = await cell.boundingBox();
    expect(box).not.toBeNull();
    const { x, y, width, height } = box as { x: number; y: number; width: number; height: number };
    await page.mouse.move(x + width / 2, y + height / 2);
    await expect
      .poll(() => page.locator('[data-chart="4"]').evaluate((e) => e.getAttribute('title')))
      .toMatch(/node CPU \(% of one core\) 33\.\d\d, overloaded/);
    const shot = join(dir, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(50_000); // a page of charts, not a blank one
    await page.close();
  }, 90_000);
});
