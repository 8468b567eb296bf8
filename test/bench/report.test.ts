import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concurrencyBenchmarking } from '../../src/bench/experiments/concurrency.js';
import type { Experiment } from '../../src/bench/experiments/contract.js';
import { latexPathOf, MAX_POINTS_PER_RUN, writeBenchReport } from '../../src/bench/report.js';
import { formatInterval, formatStat, latexEscape, latexTable } from '../../src/bench/report-latex.js';
import { runBench } from '../../src/bench/run.js';
import { sampleStatistics } from '../../src/bench/stats.js';
import type { ResultsStore, StoreRow } from '../../src/bench/store/contract.js';
import { openStore } from '../../src/bench/store/registry.js';
import { errorCode } from '../../src/core/errors.js';
import { type FakeLab, startFakeLab, virtualTime } from './fake-lab.js';

/**
 * `dfaas bench report` from a SQLite store filled two ways: concurrency-benchmarking run twice
 * by the runner against a stand-in lab function (cold calls marked and slow, instances changing
 * every 6 calls), and runs written directly (an idle-time search without calls, a load shape
 * with failed calls and a function named with an underscore, a function lifetime). Asserted:
 * which charts each run gets, the statistics against sampleStatistics, the LaTeX tables, two
 * runs compared, the line for a run without calls, and that only the two files are written.
 */
const dir = mkdtempSync(join(tmpdir(), 'dfaas-bench-report-'));
let lab: FakeLab;
let store: ResultsStore;
const uuids: string[] = [];

const experimentRow = (name: string, uuid: string, start: number, extra: StoreRow = {}): StoreRow => ({
  experiment_meta_identifier: `meta_${name.slice(0, 3)}`,
  uuid,
  name,
  description: `${name}, written by the test`,
  function_provider: 'embedded',
  provider_url: 'embedded',
  start_time: start,
  end_time: start + 60,
  time_scale: 10,
  dfaas_version: '0.0.0-test',
  node_version: 'v20',
  params: { written: true },
  summary: {},
  ...extra,
});

beforeAll(async () => {
  lab = await startFakeLab(({ n }) => {
    const cold = n % 6 === 1;
    return {
      instance: `i-${Math.floor((n - 1) / 6)}`,
      latency: cold ? 0.3 + n / 1000 : n / 10_000,
      fields: { is_cold: cold },
    };
  });
  const url = lab.provider.url('{function}').replace('%7Bfunction%7D', '{function}');
  store = await openStore(join(dir, 'bench.db'));
  for (const meta of ['first_run', 'second_run']) {
    const { outcomes } = await runBench({
      experiments: [concurrencyBenchmarking as unknown as Experiment],
      provider: { name: 'http', url },
      store,
      metaIdentifier: meta,
      params: { levels: '4,8', repetitions: 2 },
      timeScale: 60,
      sleep: async () => {},
      time: virtualTime(),
    });
    uuids.push(outcomes[0]?.uuid as string);
  }
  const start = 1_700_000_000;
  await store.insert('Experiment', [
    experimentRow('simple-cold-function', 'search-without-calls', start),
    experimentRow('scenario-pyramid', 'pyramid-run', start + 100),
    experimentRow('function-lifetime', 'lifetime-run', start + 200),
  ]);
  await store.insert('Coldstart', [
    { exp_id: 'search-without-calls', minutes: 5, seconds: 0, granularity: 300, cold: false, final: false },
    { exp_id: 'search-without-calls', minutes: 10, seconds: 0, granularity: 300, cold: true, final: false },
    { exp_id: 'search-without-calls', minutes: 6, seconds: 0, granularity: 60, cold: true, final: true },
  ]);
  await store.insert(
    'Invocation',
    Array.from({ length: 30 }, (_, i) => ({
      exp_id: 'pyramid-run',
      identifier: `p-${i}`,
      root_identifier: `p-${i}`,
      function_name: 'fn_a',
      level: 0,
      instance_identifier: `inst-${i % 3}`,
      invocation_start: start + 100 + i,
      invocation_end: start + 100.5 + i,
      latency: 0.01 + i / 1000,
      numb_threads: 1,
    })),
  );
  await store.insert('Error', [
    {
      exp_id: 'pyramid-run',
      function_name: 'fn_a',
      invocation_start: start + 120,
      type: 'http 502',
      message: 'bad gateway',
    },
    {
      exp_id: 'pyramid-run',
      function_name: 'fn_a',
      invocation_start: start + 121,
      type: 'http 502',
      message: 'bad gateway',
    },
  ]);
  await store.insert('Pyramid', [
    { exp_id: 'pyramid-run', provider: 'embedded', total_invocations: 32, functions: 'fn_a' },
  ]);
  await store.insert('Function_lifetime', [
    {
      exp_id: 'lifetime-run',
      instance_identifier: 'b',
      orig_identifier: 'a',
      hours: 0,
      minutes: 30,
      seconds: 5,
      sleep_time: 150,
      reclaimed: true,
    },
  ]);
});

afterAll(async () => {
  await store?.close();
  await lab?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The HTML's statistics rows: per row, its cells' text and raw values by column title. */
function statisticsOf(html: string): { attrs: string; cells: string[]; values: (number | undefined)[] }[] {
  const tables = [...html.matchAll(/<table class="statistics">(.*?)<\/table>/gs)].map((m) => m[1] as string);
  return tables.flatMap((t) =>
    [...t.matchAll(/<tr (data-run[^>]*)>(.*?)<\/tr>/g)].map((m) => {
      const cells = [...(m[2] as string).matchAll(/<td( data-value="([^"]*)")?>(.*?)<\/td>/g)];
      return {
        attrs: m[1] as string,
        cells: cells.map((c) => c[3] as string),
        values: cells.map((c) => (c[2] === undefined ? undefined : Number(c[2]))),
      };
    }),
  );
}

/** `html` has `what` (a failure names it, not the whole page and its inlined Vega). */
function expectIn(html: string, what: string | RegExp): void {
  expect(typeof what === 'string' ? html.includes(what) : what.test(html), String(what)).toBe(true);
}

/** The compiled Vega specs the page carries, one per chart. */
function chartSpecs(html: string): string[] {
  const json = /<script type="application\/json" id="dfaas-charts">(.*?)<\/script>/s.exec(
    html,
  )?.[1] as string;
  return (JSON.parse(json) as object[]).map((s) => JSON.stringify(s));
}

describe('dfaas bench report', () => {
  it('shows the latest run of each experiment with the charts its data allows, and nothing empty', async () => {
    const out = join(dir, 'latest', 'report.html');
    const result = await writeBenchReport(store, { runs: [], out });
    expect(result.report).toBe(out);
    expect(result.latex).toBe(join(dir, 'latest', 'report.tex'));
    // Only the two files: nothing left behind beside them.
    expect(readdirSync(join(dir, 'latest')).sort()).toEqual(['report.html', 'report.tex']);
    expect(result.runs.map((r) => [r.uuid, r.experiment, r.invocations])).toEqual([
      [uuids[1], 'concurrency-benchmarking', 24],
      ['search-without-calls', 'simple-cold-function', 0],
      ['pyramid-run', 'scenario-pyramid', 30],
      ['lifetime-run', 'function-lifetime', 0],
    ]);
    expect(result.runs[0]?.label).toBe('concurrency-benchmarking @ http (second_r)');
    expect(result.charts.map((c) => c.replace(/ \(.*$/, '').replace(/,.*$/, ''))).toEqual([
      'concurrency-benchmarking: latency of cold and warm calls per function',
      'concurrency-benchmarking: latency over the run',
      'concurrency-benchmarking: latency per instance',
      // function3's entries carry throughput and the throughput_time asked.
      'concurrency-benchmarking: loop iterations against the compute time asked',
      'concurrency-benchmarking: success rate against the calls released together',
      'concurrency-benchmarking: mean latency against the calls released together',
      // The search has no calls: its probes only.
      "simple-cold-function: the idle-time search's probes",
      'scenario-pyramid: latency of cold and warm calls per function',
      'scenario-pyramid: latency over the run',
      'scenario-pyramid: latency per instance',
      'scenario-pyramid: calls started over the run',
      'function-lifetime: how long the first instance lived',
    ]);
    const html = readFileSync(out, 'utf8');
    expect(chartSpecs(html)).toHaveLength(result.charts.length);
    // Each chart is there as a static SVG too.
    expect(html.match(/<div class="chart" data-chart="\d+"><svg/g)).toHaveLength(result.charts.length);
    // Every run shown, with what it was.
    for (const r of result.runs) expectIn(html, `<tr data-run="${r.uuid}">`);
    expectIn(html, '0.0.0-test, v20');
    expectIn(html, '{&#34;written&#34;:true}');
    // A run without calls says so, instead of empty charts.
    expectIn(
      html,
      /<p class="none" data-no-invocations="search-without-calls">simple-cold-function @ embedded \(meta_sim\): no invocations recorded, so no latency statistics or call charts\.<\/p>/,
    );
    expectIn(html, 'data-no-invocations="lifetime-run"');
    // The load shape's failed calls, by type.
    expectIn(html, '<td>http 502</td><td>2</td><td>bad gateway</td>');
    // The idle time found is marked on its chart.
    const specs = chartSpecs(html);
    expect(specs[6]).toContain('"idleSeconds":360,"group":"cold","final":true');
    expect(specs[6]).toContain("'found: '");
    // Rows in every table the store knows, the experiments' own included.
    expect([...html.matchAll(/<ul class="rows"><li>(.*?)<\/li><\/ul>/g)].map((m) => m[1])).toEqual([
      'concurrency-benchmarking @ http (second_r): Invocation 24, Error 0, Cc_bench 4',
      'simple-cold-function @ embedded (meta_sim): Invocation 0, Error 0, Coldstart 3',
      'scenario-pyramid @ embedded (meta_sce): Invocation 30, Error 2, Pyramid 1',
      'function-lifetime @ embedded (meta_fun): Invocation 0, Error 0, Function_lifetime 1',
    ]);
  });

  it("gives SeBS's statistics per run, function and cold/warm group, as sampleStatistics computes them", async () => {
    const out = join(dir, 'stats', 'report.html');
    await writeBenchReport(store, { runs: [uuids[1] as string], out });
    const rows = statisticsOf(readFileSync(out, 'utf8'));
    expect(rows.map((r) => r.attrs.replace(/data-run="[^"]*" /, ''))).toEqual([
      'data-function="function3" data-group="all"',
      'data-function="function3" data-group="cold"',
      'data-function="function3" data-group="warm"',
    ]);
    const invocations = await store.select('Invocation', { exp_id: uuids[1] });
    const ms = (rs: StoreRow[]) => rs.map((r) => Number(r.latency) * 1000);
    const expected = {
      all: sampleStatistics(ms(invocations)),
      cold: sampleStatistics(ms(invocations.filter((r) => r.is_cold === true))),
      warm: sampleStatistics(ms(invocations.filter((r) => r.is_cold !== true))),
    };
    expect(expected.all.count).toBe(24);
    expect(expected.cold.count).toBe(4);
    for (const [i, group] of (['all', 'cold', 'warm'] as const).entries()) {
      const row = rows[i] as (typeof rows)[number];
      const s = expected[group];
      // run, function, group, n, mean, median, std, CV, p50, p90, p95, p99, then the intervals.
      expect(row.values.slice(3, 12)).toEqual([
        s.count,
        s.mean,
        s.median,
        s.std,
        s.cv,
        s.p50,
        s.p90,
        s.p95,
        s.p99,
      ]);
      expect(row.cells.slice(4, 12)).toEqual(
        [s.mean, s.median, s.std, s.cv, s.p50, s.p90, s.p95, s.p99].map(formatStat),
      );
      expect(row.cells.slice(12)).toEqual(
        [s.meanCi?.[0.95], s.meanCi?.[0.99], s.medianCi?.[0.95], s.medianCi?.[0.99]].map((ci) =>
          formatInterval(ci),
        ),
      );
    }
    // Le Boudec's interval of the median needs more than 20 samples: all 24 have it, 4 cold do not.
    expect(rows[0]?.cells[14]).not.toBe('n/a');
    expect(rows[1]?.cells.slice(14)).toEqual(['n/a', 'n/a']);
    expect(rows[1]?.cells[12]).not.toBe('n/a');
  });

  it('writes the statistics as booktabs tables beside the report, underscores escaped', async () => {
    const out = join(dir, 'latex', 'bench.html');
    const { latex } = await writeBenchReport(store, { runs: [uuids[1] as string, 'pyramid-run'], out });
    expect(latex).toBe(join(dir, 'latex', 'bench.tex'));
    const tex = readFileSync(latex, 'utf8');
    const tables = tex.split('\\begin{tabular}').slice(1);
    expect(tables).toHaveLength(2);
    for (const t of tables) {
      expect(t).toMatch(
        /^\{lllrrrrrrrrrllll\}\n\\toprule\nrun & function & calls & n & mean & median & std & CV \(\\%\) & p50/,
      );
      expect(t).toContain(
        'mean 95\\% CI & mean 99\\% CI & median 95\\% CI & median 99\\% CI \\\\\n\\midrule\n',
      );
      expect(t).toContain('\\bottomrule\n\\end{tabular}');
    }
    expect(tex).toContain('% concurrency-benchmarking: latency');
    // Labels and function names as they read: meta\_sce, fn\_a; no bare underscore anywhere.
    expect(tex).toContain('scenario-pyramid @ embedded (meta\\_sce) & fn\\_a & all & 30 & ');
    expect(tex.replace(/^%.*$/gm, '')).not.toMatch(/[^\\]_/);
    // Each row's cells are the HTML's: the 30 pyramid calls' mean, and its median interval (n > 20).
    const s = sampleStatistics(Array.from({ length: 30 }, (_, i) => (0.01 + i / 1000) * 1000));
    expect(tex).toContain(` & ${formatStat(s.mean)} & ${formatStat(s.median)} & `);
    expect(tex).toContain(formatInterval(s.medianCi?.[0.95], '--'));
    // A negative bound has a minus sign, not a hyphen: a mean of 3 spread samples, its interval below 0.
    const spread = latexTable('x', [
      { run: 'r', experiment: 'x', function: 'f', group: 'all', stats: sampleStatistics([0.1, 50, 0.2]) },
    ]);
    expect(spread).toMatch(/ & \$-\$\d+\.\d+--\d+\.\d+ & /);
    expect(latexEscape('a_b & 50% {x} #1 $ ~ ^ \\')).toBe(
      'a\\_b \\& 50\\% \\{x\\} \\#1 \\$ \\textasciitilde{} \\textasciicircum{} \\textbackslash{}',
    );
    expect(latexPathOf('/r/x.HTML')).toBe('/r/x.tex');
    expect(latexPathOf('/r/report')).toBe('/r/report.tex');
  });

  it('compares two runs: a statistics row each, both in every chart, side by side', async () => {
    const out = join(dir, 'compare', 'report.html');
    const result = await writeBenchReport(store, { runs: uuids, out });
    const labels = [
      'concurrency-benchmarking @ http (first_ru)',
      'concurrency-benchmarking @ http (second_r)',
    ];
    expect(result.runs.map((r) => r.label)).toEqual(labels);
    const html = readFileSync(out, 'utf8');
    const rows = statisticsOf(html);
    expect(rows.map((r) => [r.cells[0], r.cells[2]])).toEqual([
      [labels[0], 'all'],
      [labels[0], 'cold'],
      [labels[0], 'warm'],
      [labels[1], 'all'],
      [labels[1], 'cold'],
      [labels[1], 'warm'],
    ]);
    const specs = chartSpecs(html);
    expect(specs).toHaveLength(6);
    for (const spec of specs) for (const label of labels) expect(spec).toContain(label);
    // Runs over time and per instance are drawn one per run (a facet each), the rest coloured by run.
    expect(result.charts[1]).toContain('latency over the run');
    expect(specs[1]).toMatch(/"facet"/);
    // Each run's cold-start signals, here in full agreement (marker and identity both say cold every 6th call).
    expectIn(
      html,
      `<tr data-run="${uuids[0]}"><td>${labels[0]}</td><td>24</td><td>4</td><td>4</td><td>n/a</td><td>24 (100.0%)</td>`,
    );
    // One run named twice (uuid and meta identifier) is shown once.
    const twice = await writeBenchReport(store, { runs: [uuids[0] as string, 'first_run'], out });
    expect(twice.runs).toHaveLength(1);
  });

  it('draws at most MAX_POINTS_PER_RUN calls of a run and says so; the statistics count them all', async () => {
    const big = await openStore(join(dir, 'big.db'));
    try {
      await big.prepare();
      const n = MAX_POINTS_PER_RUN + 1;
      await big.insert('Experiment', [experimentRow('linear-invocation', 'big-run', 1_700_000_000)]);
      await big.insert(
        'Invocation',
        Array.from({ length: n }, (_, i) => ({
          exp_id: 'big-run',
          identifier: `b-${i}`,
          root_identifier: `b-${i}`,
          function_name: 'function1',
          instance_identifier: 'one',
          invocation_start: 1_700_000_000 + i / 100,
          latency: 0.01,
        })),
      );
      const result = await writeBenchReport(big, { runs: [], out: join(dir, 'big', 'report.html') });
      const html = readFileSync(result.report, 'utf8');
      expect(result.charts.slice(0, 3)).toEqual([
        expect.stringMatching(
          /latency of cold and warm .* drawn: 5000 of linear-invocation @ embedded \(meta_lin\)'s 5001 calls, evenly spread$/,
        ),
        expect.stringMatching(/latency over the run, .* drawn: 5000 of /),
        expect.stringMatching(/latency per instance — drawn: 5000 of /),
      ]);
      for (const spec of chartSpecs(html).slice(0, 3))
        expect(spec.match(/"identifier":"b-/g)).toHaveLength(5000);
      expect(statisticsOf(html)[0]?.values[3]).toBe(n);
    } finally {
      await big.close();
    }
  }, 60_000);

  it('refuses a run the store does not have, and says when the store has none', async () => {
    const err = await writeBenchReport(store, { runs: ['nope'], out: join(dir, 'nope.html') }).catch(
      (e) => e,
    );
    expect(errorCode(err)).toBe('DFAAS_ERR_BENCH_NO_RUN');
    const empty = await openStore(join(dir, 'empty.db'));
    try {
      await empty.prepare();
      const result = await writeBenchReport(empty, { runs: [], out: join(dir, 'empty', 'report.html') });
      expect(result.runs).toEqual([]);
      expect(readFileSync(result.report, 'utf8')).toContain('No runs in the results store.');
      expect(readFileSync(result.latex, 'utf8')).toContain('% no run shown has calls: no statistics');
    } finally {
      await empty.close();
    }
  });
});
