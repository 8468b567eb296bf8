/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The page functions below run in the browser: this file alone needs the DOM types.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExperiment } from '../../src/sim/experiment.js';
import { generateInstance } from '../../src/sim/instances/generator.js';
import { frameworkAnalyticModel } from '../../src/sim/model/analytic.js';
import { FRAMEWORK_THRESHOLDS } from '../../src/sim/model/node-model.js';
import { writeExperimentReport } from '../../src/sim/report/experiment-report.js';
import { writeSimReport } from '../../src/sim/report/run-report.js';
import { DEFAULT_STRATEGIES, runSimulation } from '../../src/sim/run.js';
import { launchChromium } from '../helpers/chromium.js';
import { serviceBinary } from '../helpers/services.js';

/**
 * The simulator's reports as a person sees them: Debian's Chromium (headless, through
 * playwright-core; never a downloaded browser) opens a run's report (rounds and events) and an
 * experiment's, the inlined Vega runtime draws every chart again with its marks, offline.
 */
const browserPath = serviceBinary('/usr/bin/chromium');

const common = {
  model: frameworkAnalyticModel,
  thresholds: FRAMEWORK_THRESHOLDS,
  strategies: DEFAULT_STRATEGIES.fixed,
  compat: 'fixed' as const,
};

describe.skipIf(!browserPath)('the simulator’s reports in Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dfaas-sim-report-'));
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    context = await launchChromium(browserPath as string, dir);
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Opens a report and returns, per chart, how it was drawn and how many marks it has. */
  async function charts(report: string) {
    const page = await (context as BrowserContext).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`file://${report}`);
    await page.waitForFunction(
      () => [...document.querySelectorAll<HTMLElement>('[data-chart]')].every((e) => e.dataset.rendered),
      undefined,
      { timeout: 30_000 },
    );
    const drawn = await page.$$eval('[data-chart]', (els) =>
      els.map((e) => ({
        rendered: (e as HTMLElement).dataset.rendered,
        marks: e.querySelectorAll(
          'svg .mark-symbol.role-mark path, svg .mark-line.role-mark path, svg .mark-area.role-mark path',
        ).length,
      })),
    );
    await page.close();
    expect(errors).toEqual([]);
    expect(requests).toEqual([`file://${report}`]);
    return drawn;
  }

  it('a rounds run: overloaded nodes and each called function’s success over the instants', async () => {
    const instance = generateInstance({ nodes: 6, edgeProb: 0.3, overloadedPercent: 60, seed: 3 });
    const out = join(dir, 'rounds');
    await runSimulation({ ...common, instance, engine: 'rounds', out, tables: false });
    const drawn = await charts(await writeSimReport(out));
    const called = new Set(
      instance.nodes.flatMap((n) =>
        Object.values(n.load[0] ?? {}).flatMap((g) => g?.functions.map((f) => f.name) ?? []),
      ),
    );
    expect(drawn).toHaveLength(1 + called.size);
    // 4 strategies × 7 instants: points and a line each.
    for (const chart of drawn) expect(chart).toEqual({ rendered: 'interactive', marks: 4 * 7 + 4 });
  }, 90_000);

  it('an events run and an experiment with confidence bands', async () => {
    const instance = generateInstance({ nodes: 4, edgeProb: 0.5, overloadedPercent: 50, seed: 2 });
    const out = join(dir, 'events');
    await runSimulation({
      ...common,
      instance,
      engine: 'events',
      out,
      tables: false,
      events: { instantSeconds: 2 },
    });
    const events = await charts(await writeSimReport(out));
    expect(events).toHaveLength(2);
    for (const chart of events) expect(chart.rendered).toBe('interactive');
    for (const chart of events) expect(chart.marks).toBeGreaterThan(4);

    const experiment = join(dir, 'experiment');
    await runExperiment({
      ...common,
      nodes: 5,
      edgeProb: 0.3,
      overloaded: [30, 90],
      replications: 2,
      seed: 1,
      topology: 'framework',
      out: experiment,
    });
    const drawn = await charts(await writeExperimentReport(experiment));
    expect(drawn.length).toBeGreaterThanOrEqual(4);
    // Per strategy: a band (the interval) and a line with its 2 points.
    for (const chart of drawn) expect(chart).toEqual({ rendered: 'interactive', marks: 4 * (1 + 1 + 2) });
  }, 90_000);
});
