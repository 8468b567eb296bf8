/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The page functions below run in the browser: this file alone needs the DOM types.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coldstartIdentifier } from '../../src/bench/experiments/coldstart-identifier.js';
import { concurrencyBenchmarking } from '../../src/bench/experiments/concurrency.js';
import type { Experiment } from '../../src/bench/experiments/contract.js';
import { functionLifetime } from '../../src/bench/experiments/function-lifetime.js';
import { growingLoadSpikes } from '../../src/bench/experiments/growing-load-spikes.js';
import { throughputBenchmarking } from '../../src/bench/experiments/throughput-benchmarking.js';
import { type BenchReportResult, writeBenchReport } from '../../src/bench/report.js';
import { runBench } from '../../src/bench/run.js';
import type { ResultsStore, StoreRow } from '../../src/bench/store/contract.js';
import { openStore } from '../../src/bench/store/registry.js';
import { launchChromium } from '../helpers/chromium.js';
import { serviceBinary } from '../helpers/services.js';

/**
 * `dfaas bench report` as a person sees it: real experiments run on the embedded platform (the
 * lab functions, at --time-scale 200 with small levels) into a SQLite store, the report written,
 * and Debian's Chromium (headless, through playwright-core) opening it: every chart drawn again
 * by the inlined Vega runtime with as many marks as the store has rows for it, a value on hover,
 * a screenshot that is not blank, and nothing requested but the file. Then two runs of one
 * experiment compared in one report: both in every chart.
 */
const browserPath = serviceBinary('/usr/bin/chromium');

const EMBEDDED = { name: 'embedded', zeroDurationSeconds: 300, maxLifetimeSeconds: 1800 } as const;
const PARAMS = {
  // The search at 240 then 90 s steps, confirmed twice: 5 probes past the platform's 300 s.
  'coldstart-identifier.steps': '240,90',
  'coldstart-identifier.confirmations': 2,
  'concurrency-benchmarking.levels': '4,16',
  'concurrency-benchmarking.repetitions': 2,
  'throughput-benchmarking.throughput_times': '0.4,1.2,2.4',
  'throughput-benchmarking.repetitions': 3,
  'throughput-benchmarking.concurrent_throughput_times': '0.4,1.2',
  'throughput-benchmarking.concurrent_repetitions': 1,
  'throughput-benchmarking.threads': 4,
  'throughput-benchmarking.matrix_sizes': '100',
  'throughput-benchmarking.matrix_repetitions': 1,
  'throughput-benchmarking.concurrent_matrix_sizes': '100',
  'throughput-benchmarking.concurrent_matrix_repetitions': 1,
  'growing-load-spikes.spike_start': 4,
  'growing-load-spikes.spike_increment': 4,
  'growing-load-spikes.number_of_spikes': 2,
  'growing-load-spikes.iterations': 1,
  'function-lifetime.baseline_seconds': 60,
  // Past the platform's 1800 s lifetime: the instance is replaced before the experiment gives up.
  'function-lifetime.max_seconds': 2400,
};

interface DrawnChart {
  caption: string;
  rendered: string | undefined;
  symbols: number;
  lines: number;
  rects: number;
  facets: number;
}

describe.skipIf(!browserPath)('dfaas bench report in Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dfaas-bench-report-chromium-'));
  let context: BrowserContext | undefined;
  let store: ResultsStore;
  const concurrencyRuns: string[] = [];

  beforeAll(async () => {
    store = await openStore(join(dir, 'bench.db'));
    const experiments = [
      coldstartIdentifier,
      concurrencyBenchmarking,
      throughputBenchmarking,
      growingLoadSpikes,
      functionLifetime,
    ] as unknown as Experiment[];
    const first = await runBench({ experiments, provider: EMBEDDED, store, timeScale: 200, params: PARAMS });
    expect(first.outcomes.map((o) => [o.name, o.status, o.error])).toEqual(
      experiments.map((e) => [e.name, 'completed', undefined]),
    );
    // concurrency-benchmarking again, to compare two runs.
    const again = await runBench({
      experiments: [concurrencyBenchmarking as unknown as Experiment],
      provider: EMBEDDED,
      store,
      timeScale: 200,
      params: { levels: '4,16', repetitions: 2 },
    });
    concurrencyRuns.push(
      first.outcomes.find((o) => o.name === 'concurrency-benchmarking')?.uuid as string,
      again.outcomes[0]?.uuid as string,
    );
    context = await launchChromium(browserPath as string, dir, { width: 1400, height: 1000 });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Opens the report, waits for Vega to draw every chart, and counts what it drew. */
  async function open(result: BenchReportResult, shot: string): Promise<DrawnChart[]> {
    const page = await (context as BrowserContext).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    // Nothing but the file itself may be loaded: the report opens offline.
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`file://${result.report}`);
    await page.waitForFunction(
      () => [...document.querySelectorAll<HTMLElement>('[data-chart]')].every((e) => e.dataset.rendered),
      undefined,
      { timeout: 30_000 },
    );
    expect(errors).toEqual([]);
    expect(requests).toEqual([`file://${result.report}`]);
    const drawn = await page.$$eval('figure', (figures) =>
      figures.map((f) => {
        const chart = f.querySelector<HTMLElement>('[data-chart]');
        const count = (selector: string) => chart?.querySelectorAll(selector).length ?? 0;
        return {
          caption: f.querySelector('figcaption')?.textContent ?? '',
          rendered: chart?.dataset.rendered,
          // Marks Vega drew in the browser (not its legends or axes).
          symbols: count('svg .mark-symbol.role-mark path'),
          lines: count('svg .mark-line.role-mark path'),
          rects: count('svg .mark-rect.role-mark path'),
          facets: count('svg .mark-group.role-scope.cell > g'),
        };
      }),
    );
    // Hovering the lifetime's bar (when there) shows its value: Vega's tooltip, the view's title.
    const lifetime = drawn.findIndex((c) => c.caption.includes('how long the first instance lived'));
    if (lifetime >= 0) {
      const bar = page.locator(`[data-chart="${lifetime}"] svg .mark-rect.role-mark path`).first();
      await bar.evaluate((e) => e.scrollIntoView({ block: 'center' }));
      const box = await bar.boundingBox();
      expect(box).not.toBeNull();
      const { x, y, width, height } = box as { x: number; y: number; width: number; height: number };
      await page.mouse.move(x + width / 2, y + height / 2);
      await expect
        .poll(() => page.locator(`[data-chart="${lifetime}"]`).evaluate((e) => e.getAttribute('title')))
        .toMatch(/lived \(s\): \d+/);
    }
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(100_000); // a page of charts, not a blank one
    await page.close();
    return drawn;
  }

  const rowsOf = async (table: string, uuid: string): Promise<StoreRow[]> =>
    store.select(table, { exp_id: uuid });

  it('draws every chart of the latest runs with a mark per row, and shows values on hover', async () => {
    const result = await writeBenchReport(store, { runs: [], out: join(dir, 'report.html') });
    expect(result.runs.map((r) => r.experiment)).toEqual([
      'coldstart-identifier',
      'concurrency-benchmarking',
      'throughput-benchmarking',
      'growing-load-spikes',
      'function-lifetime',
    ]);
    const drawn = await open(result, join(dir, 'report.png'));
    expect(drawn.map((c) => c.caption)).toEqual(result.charts);
    for (const chart of drawn) {
      expect(chart.rendered, chart.caption).toBe('interactive');
      expect(chart.symbols + chart.lines + chart.rects, chart.caption).toBeGreaterThan(0);
    }
    // Each chart against the store: a point per call, per burst, per probe; a bar per lifetime.
    for (const run of result.runs) {
      const calls = await rowsOf('Invocation', run.uuid);
      const mine = drawn.filter((c) => c.caption.startsWith(`${run.experiment}:`));
      const chart = (part: string) => mine.find((c) => c.caption.includes(part));
      expect(calls.length, run.label).toBeGreaterThan(0);
      for (const part of ['latency of cold and warm', 'latency over the run', 'latency per instance'])
        expect(chart(part)?.symbols, `${run.experiment}: ${part}`).toBe(calls.length);
      const work = calls.filter((r) => Number(r.throughput) > 0 && Number(r.throughput_time) > 0);
      expect(chart('loop iterations')?.symbols).toBe(work.length > 0 ? work.length : undefined);
      const bursts = await rowsOf('Cc_bench', run.uuid);
      if (run.experiment === 'concurrency-benchmarking') {
        expect(bursts).toHaveLength(4);
        expect(chart('success rate against')).toMatchObject({ symbols: 4, lines: 1 });
        expect(chart('mean latency against')).toMatchObject({ symbols: 4, lines: 1 });
      } else expect(chart('success rate against')).toBeUndefined();
      const probes = await rowsOf('Coldstart', run.uuid);
      if (run.experiment === 'coldstart-identifier') {
        expect(probes.length).toBeGreaterThanOrEqual(3);
        // A point per probe, and the ring around the final one.
        const finals = probes.filter((p) => p.final === true).length;
        expect(finals).toBe(1);
        expect(chart('probes')).toMatchObject({ symbols: probes.length + finals, lines: 1 });
      } else expect(chart('probes')).toBeUndefined();
      // The load shape's calls over time: bars only for growing-load-spikes.
      expect(chart('calls started over the run') !== undefined).toBe(
        run.experiment === 'growing-load-spikes',
      );
      if (run.experiment === 'function-lifetime')
        expect(chart('how long the first instance lived')?.rects).toBe(1);
      else expect(chart('how long the first instance lived')).toBeUndefined();
    }
  }, 60_000);

  it('compares two runs of one experiment: both drawn in every chart, side by side', async () => {
    const result = await writeBenchReport(store, { runs: concurrencyRuns, out: join(dir, 'compare.html') });
    expect(result.runs.map((r) => r.uuid)).toEqual(concurrencyRuns);
    const drawn = await open(result, join(dir, 'compare.png'));
    expect(drawn).toHaveLength(6);
    const calls = (await Promise.all(concurrencyRuns.map((u) => rowsOf('Invocation', u)))).map(
      (r) => r.length,
    );
    const total = calls.reduce((a, b) => a + b, 0);
    const [coldWarm, overTime, perInstance, , success, latency] = drawn as DrawnChart[];
    expect(coldWarm?.symbols).toBe(total);
    // One above the other: a facet cell per run, its calls in it.
    expect(overTime).toMatchObject({ symbols: total, facets: 2 });
    expect(perInstance).toMatchObject({ symbols: total, facets: 2 });
    // Both runs' 4 bursts, a line each.
    expect(success).toMatchObject({ symbols: 8, lines: 2 });
    expect(latency).toMatchObject({ symbols: 8, lines: 2 });
  }, 60_000);
});
