import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INDEX_NAMES } from '../../src/sim/analysis/indexes.js';
import type { ExperimentSummary } from '../../src/sim/experiment.js';
import { instanceToJson, readInstance, type SimInstance } from '../../src/sim/instances/instance.js';
import type { SimRunSummary, StrategyOutcome } from '../../src/sim/run.js';
import { dfaas } from '../helpers/cli.js';

/**
 * `dfaas sim instance | run | analyze | experiment`, in process on small instances (6 nodes, 7
 * instants): the files each command writes, its --json output, that `analyze` recomputes what
 * `run` and `experiment` wrote, and that bad input exits 2 naming the flag or the file and field
 * with nothing written.
 */

const dir = mkdtempSync(join(tmpdir(), 'dfaas-cli-sim-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (...parts: string[]) => join(dir, ...parts);

/** Runs a command that must succeed; its stdout parsed as JSON (as T) when it ran with --json. */
async function ok(args: string[]): Promise<{ stdout: string; json: <T>() => T }> {
  const res = await dfaas(args);
  expect(res.code, `${args.join(' ')}\n${res.stderr}`).toBe(0);
  return { stdout: res.stdout, json: <T>() => JSON.parse(res.stdout) as T };
}

/** What `sim run --json` prints: the run's summary and its report's path. */
type RunPrinted = SimRunSummary & { report: string };

const read = (...parts: string[]) => readFileSync(at(...parts), 'utf8');
const csvRows = (text: string) => text.trimEnd().split('\n');

/** The framework analyzer's index_comparison.csv header, as its pandas writes it. */
const INDEX_HEADER =
  ',Mean success rate,Success rate median,Mean success rate (stress period),Success rate median (stress period),Mean node power consumption,Max node power consumption,Tot. rejected requests';
const FUNCTIONS = ['eat-memory', 'nmap', 'env', 'figlet', 'shasum', 'curl'];
const FIXED = ['all-local', 'equal', 'node-margin', 'power-saving'];
const FRAMEWORK = ['base_strategy', 'equal_strategy', 'node_margin_strategy', 'power_saving_strategy'];

/** The instance every run below uses: 6 nodes, seed 5. */
const INSTANCE = at('instance.json');
beforeAll(async () => {
  await ok(['sim', 'instance', '-n', '6', '-p', '0.3', '-o', '60', '-s', '5', '--out', INSTANCE]);
});

/** A strategy's request counts, which every run reports. */
function counts(s: StrategyOutcome): { offered: number; served: number; rejected: number } {
  const { offered, served, rejected } = s;
  if (offered === undefined || served === undefined || rejected === undefined)
    throw new Error(`${s.strategy}: no request counts`);
  return { offered, served, rejected };
}

function linkCount(instance: SimInstance): number {
  return instance.nodes.reduce((s, n) => s + n.neighbours.length, 0) / 2;
}

describe('dfaas sim instance', () => {
  it('writes an instance.json of the asked size and prints its summary', async () => {
    const out = at('summary-instance.json');
    const res = await ok([
      '--json',
      'sim',
      'instance',
      '-n',
      '6',
      '-p',
      '0.3',
      '-o',
      '60',
      '-s',
      '5',
      '--out',
      out,
    ]);
    const instance = readInstance(out);
    expect(instance).toMatchObject({ seed: 5, edgeProb: 0.3, overloadedPerc: 60 });
    expect(instance.nodes).toHaveLength(6);
    const types = { HEAVY: 0, MID: 0, LIGHT: 0 };
    for (const n of instance.nodes) types[n.type]++;
    expect(res.json()).toEqual({ out, nodes: 6, links: linkCount(instance), instants: 7, types, seed: 5 });
    // The framework's graph is connected: at least N − 1 = 5 links.
    expect(linkCount(instance)).toBeGreaterThanOrEqual(5);

    const text = await ok(['sim', 'instance', '-n', '6', '-s', '5', '--out', at('text-instance.json')]);
    expect(text.stdout).toContain('6 nodes (');
    expect(text.stdout).toContain(`instance: ${at('text-instance.json')}`);
  });

  it('gives the same file for the same seed, another for another seed', async () => {
    const again = at('again.json');
    const other = at('other-seed.json');
    await ok(['sim', 'instance', '-n', '6', '-p', '0.3', '-o', '60', '-s', '5', '--out', again]);
    await ok(['sim', 'instance', '-n', '6', '-p', '0.3', '-o', '60', '-s', '6', '--out', other]);
    expect(readFileSync(again, 'utf8')).toBe(read('instance.json'));
    expect(readFileSync(other, 'utf8')).not.toBe(read('instance.json'));
  });

  it('draws a scale-free graph and stretches the triangle over --instants', async () => {
    // Barabási–Albert with m = 2 on 8 nodes: a complete core of 3 nodes (3 links), then 5 nodes
    // with 2 links each: 13 links; the header's edge_prob is the density 2·13/(8·7) = 0.4643.
    const scaleFree = at('scale-free.json');
    const res = await ok([
      '--json',
      'sim',
      'instance',
      '-n',
      '8',
      '-s',
      '3',
      '--topology',
      'scale-free',
      '--out',
      scaleFree,
    ]);
    expect(res.json()).toMatchObject({ nodes: 8, links: 13 });
    expect(readInstance(scaleFree).edgeProb).toBe(0.4643);

    const long = at('ten-instants.json');
    await ok(['sim', 'instance', '-n', '4', '-s', '3', '--instants', '10', '--out', long]);
    for (const node of readInstance(long).nodes) expect(node.load).toHaveLength(10);
  });

  it('takes the load from --trace, keeping the drawn links', async () => {
    // Two instants (the highest is 1); curl's 3.5 req/s rounds half to even to 4; node_1 is never
    // named, so it offers nothing; a function a node has is listed at 0 where the trace omits it.
    const trace = at('trace.csv');
    writeFileSync(
      trace,
      'instant,node,function,rate\n0,node_0,figlet,12\n0,node_0,curl,3.5\n1,node_2,figlet,40\n',
    );
    const plain = at('untraced.json');
    const traced = at('traced.json');
    await ok(['sim', 'instance', '-n', '3', '-s', '2', '--out', plain]);
    const res = await ok([
      '--json',
      'sim',
      'instance',
      '-n',
      '3',
      '-s',
      '2',
      '--trace',
      trace,
      '--out',
      traced,
    ]);
    expect(res.json()).toMatchObject({ nodes: 3, instants: 2 });
    const instance = readInstance(traced);
    expect(instance.nodes.map((n) => n.neighbours)).toEqual(
      readInstance(plain).nodes.map((n) => n.neighbours),
    );
    const [n0, n1, n2] = instance.nodes;
    expect(n0?.load[0]).toEqual({
      LOW_USAGE: { functions: [{ name: 'figlet', rate: 12 }], totalRate: 12 },
      MEDIUM_USAGE: { functions: [{ name: 'curl', rate: 4 }], totalRate: 4 },
    });
    expect(n0?.load[1]).toEqual({
      LOW_USAGE: { functions: [{ name: 'figlet', rate: 0 }], totalRate: 0 },
      MEDIUM_USAGE: { functions: [{ name: 'curl', rate: 0 }], totalRate: 0 },
    });
    expect(n1?.load).toEqual([{}, {}]);
    expect(n2?.load.map((l) => l.LOW_USAGE?.totalRate)).toEqual([0, 40]);
  });
});

describe('dfaas sim run and analyze (rounds)', () => {
  const fixedRun = at('run-fixed');
  const frameworkRun = at('run-framework');
  let fixed: RunPrinted;
  let framework: RunPrinted;
  beforeAll(async () => {
    fixed = (await ok(['--json', 'sim', 'run', '--instance', INSTANCE, '--out', fixedRun])).json();
    framework = (
      await ok([
        '--json',
        'sim',
        'run',
        '--instance',
        INSTANCE,
        '--compat',
        'framework',
        '--out',
        frameworkRun,
      ])
    ).json();
  });

  it("writes the framework's index_comparison.csv, its forwarding tables, analysis, summary and report", () => {
    const rows = csvRows(read('run-fixed', 'index_comparison.csv'));
    expect(rows[0]).toBe(INDEX_HEADER);
    expect(rows.slice(1).map((r) => r.split(',')[0])).toEqual(FIXED);
    for (const strategy of FIXED)
      for (let t = 0; t < 7; t++)
        expect(readdirSync(at('run-fixed', 'reports', strategy, `minute_${t}`)).sort()).toEqual(
          [...FUNCTIONS].map((f) => `${f}.csv`).sort(),
        );
    expect(Object.keys(JSON.parse(read('run-fixed', 'analysis.json')))).toEqual(FIXED);
    expect(read('run-fixed', 'report.html')).toContain('<html');
    expect(readInstance(at('run-fixed', 'instance.json'))).toEqual(readInstance(INSTANCE));
    // summary.json is what --json printed, less the report's path.
    const { report, ...summary } = fixed;
    expect(report).toBe(at('run-fixed', 'report.html'));
    expect(JSON.parse(read('run-fixed', 'summary.json'))).toEqual(summary);
  });

  it('prints every strategy with its seven indexes, every request served or rejected', () => {
    expect(fixed).toMatchObject({
      engine: 'rounds',
      compat: 'fixed',
      model: 'framework-analytic',
      nodes: 6,
      instants: 7,
      seed: 5,
    });
    expect(fixed.strategies.map((s) => s.strategy)).toEqual(FIXED);
    for (const s of fixed.strategies) {
      expect(Object.keys(s.indexes ?? {})).toEqual([...INDEX_NAMES]);
      const { offered, served, rejected } = counts(s);
      expect(offered).toBe(served + rejected);
      // Fixed mode loses nothing, so the rejects the index counts are all that was not served.
      expect(s.indexes?.['Tot. rejected requests']).toBe(rejected);
    }
  });

  it('writes all-local’s curl table as the framework does: tab-separated, each node keeping its own load', () => {
    // All-local keeps every request: the diagonal holds each node's curl rate at t = 3, the rest is 0.
    const instance = readInstance(INSTANCE);
    const ids = instance.nodes.map((n) => n.id);
    const curl = (id: string) =>
      instance.nodes.find((n) => n.id === id)?.load[3]?.MEDIUM_USAGE?.functions.find((f) => f.name === 'curl')
        ?.rate ?? 0;
    const expected = [
      `\t${ids.join('\t')}`,
      ...ids.map((from) => [from, ...ids.map((to) => (to === from ? curl(from) : 0))].join('\t')),
    ];
    expect(csvRows(read('run-fixed', 'reports', 'all-local', 'minute_3', 'curl.csv'))).toEqual(expected);
  });

  it("labels --compat framework's rows as the framework does, its base as all-local", () => {
    const rows = csvRows(read('run-framework', 'index_comparison.csv'));
    expect(rows[0]).toBe(INDEX_HEADER);
    expect(rows.slice(1).map((r) => r.split(',')[0])).toEqual(FRAMEWORK);
    expect(existsSync(at('run-framework', 'reports', 'base_strategy', 'minute_6', 'curl.csv'))).toBe(true);
    expect(framework.compat).toBe('framework');
    // Base and all-local both keep everything local: the same indexes, to the bit.
    const values = (run: string) => csvRows(read(run, 'index_comparison.csv'))[1]?.split(',').slice(1);
    expect(values('run-framework')).toEqual(values('run-fixed'));
  });

  it('analyze recomputes index_comparison.csv byte for byte, ours and the framework-labelled one', async () => {
    for (const run of ['run-fixed', 'run-framework']) {
      const written = read(run, 'index_comparison.csv');
      rmSync(at(run, 'index_comparison.csv'));
      const res = await ok(['--json', 'sim', 'analyze', at(run)]);
      expect(read(run, 'index_comparison.csv'), run).toBe(written);
      expect(res.json<{ out: string }>().out).toBe(at(run, 'index_comparison.csv'));
    }
  });
});

describe('dfaas sim run --engine events', () => {
  it('runs the events engine and reports success and latency per strategy', async () => {
    const out = at('run-events');
    const res = await ok([
      '--json',
      'sim',
      'run',
      '--instance',
      INSTANCE,
      '--engine',
      'events',
      '--instant-seconds',
      '2',
      '--out',
      out,
    ]);
    const summary: SimRunSummary = JSON.parse(read('run-events', 'summary.json'));
    expect(summary).toMatchObject({ engine: 'events', compat: 'fixed', nodes: 6, instants: 7 });
    expect(res.json<SimRunSummary>().strategies).toEqual(summary.strategies);
    expect(summary.strategies.map((s) => s.strategy)).toEqual(FIXED);
    for (const s of summary.strategies) {
      const { offered, served, rejected } = counts(s);
      expect(offered).toBeGreaterThan(0);
      expect(offered).toBe(served + rejected);
      expect(s.successRate).toBeCloseTo(served / offered, 12);
      expect(s.latency?.p50Ms).toBeGreaterThan(0);
      expect(s.latency?.p99Ms).toBeGreaterThanOrEqual(s.latency?.p50Ms ?? Number.POSITIVE_INFINITY);
    }
    expect(Object.keys(JSON.parse(read('run-events', 'events.json')))).toEqual(FIXED);
    expect(existsSync(at('run-events', 'index_comparison.csv'))).toBe(false);
  });
});

describe('dfaas sim experiment and analyze', () => {
  const out = at('experiment');
  let printed: ExperimentSummary & { report: string };
  beforeAll(async () => {
    printed = (
      await ok([
        '--json',
        'sim',
        'experiment',
        '-n',
        '5',
        '--overloaded',
        '30,90',
        '--replications',
        '2',
        '--out',
        out,
      ])
    ).json();
  });

  it("writes the controller's result files: 2 seeds × 2 percentages × 4 strategies", () => {
    const results = csvRows(read('experiment', 'experiment_results.csv'));
    expect(results[0]).toBe(`Seed,Max overloaded percentage,Strategy,${INDEX_NAMES.join(',')}`);
    expect(results.slice(1).map((r) => r.split(',').slice(0, 3).join(','))).toEqual(
      ['1,30', '1,90', '2,30', '2,90'].flatMap((run) => FIXED.map((s) => `${run},${s}`)),
    );
    const means = csvRows(read('experiment', 'experiment_mean_results.csv'));
    expect(means[0]).toBe(`N of experiments,Max overloaded percentage,Strategy,${INDEX_NAMES.join(',')}`);
    // "N of experiments" on the first row only, as pandas aligns the controller's one-value Series.
    expect(means.slice(1).map((r) => r.split(',').slice(0, 3).join(','))).toEqual(
      [30, 90].flatMap((p) => FIXED.map((s, i) => `${p === 30 && i === 0 ? '2.0' : ''},${p},${s}`)),
    );
    expect(read('experiment', 'report.html')).toContain('<html');
    expect(existsSync(at('experiment', 'runs', 's2-o90', 'index_comparison.csv'))).toBe(true);
    expect(printed).toMatchObject({ out, runs: 4, report: at('experiment', 'report.html') });
  });

  it('gives each mean its 95 % confidence interval over the replications', () => {
    // Two replications a, b: mean (a+b)/2, std |a−b|/√2, half-width t(0.975, 1)·std/√2 = 12.7062·|a−b|/2.
    const experiment: ExperimentSummary = JSON.parse(read('experiment', 'experiment.json'));
    expect(experiment.rows).toHaveLength(16);
    expect(experiment.groups).toHaveLength(8);
    for (const g of experiment.groups) {
      const pair = experiment.rows
        .filter((r) => r.percentage === g.percentage && r.strategy === g.strategy)
        .map((r) => r.indexes['Mean success rate']);
      expect(pair).toHaveLength(2);
      const [a = Number.NaN, b = Number.NaN] = pair;
      const stats = g.indexes['Mean success rate'];
      expect(stats.n).toBe(2);
      expect(stats.mean).toBeCloseTo((a + b) / 2, 9);
      expect(stats.halfWidth).toBeCloseTo((12.7062047 * Math.abs(a - b)) / 2, 4);
    }
  });

  it('analyze rewrites experiment_mean_results.csv byte for byte', async () => {
    const written = read('experiment', 'experiment_mean_results.csv');
    rmSync(at('experiment', 'experiment_mean_results.csv'));
    await ok(['sim', 'analyze', out]);
    expect(read('experiment', 'experiment_mean_results.csv')).toBe(written);
  });
});

describe('dfaas sim: bad input exits 2, names what is wrong and writes nothing', () => {
  let malformed: string;
  let badThresholds: string;
  let badTrace: string;
  beforeAll(() => {
    // node_2 of a valid instance made a type the framework does not have.
    const json = instanceToJson(readInstance(INSTANCE)) as Record<string, Record<string, unknown>>;
    malformed = at('malformed.json');
    writeFileSync(malformed, JSON.stringify({ ...json, node_2: { ...json.node_2, node_type: 'HUGE' } }));
    badThresholds = at('thresholds.yaml');
    writeFileSync(badThresholds, 'HEAVY: {cpu_usage_node: -5}\nMID: {}\nLIGHT: {}\n');
    badTrace = at('no-columns.csv');
    writeFileSync(badTrace, 'time,node,rate\n0,node_0,3\n');
  });

  const run = (out: string, ...args: string[]) => [
    'sim',
    'run',
    '--instance',
    INSTANCE,
    '--out',
    out,
    ...args,
  ];
  const cases: [string, (out: string) => string[], { source?: () => string; field: string }][] = [
    ['an unknown strategy', (out) => run(out, '--strategies', 'all-local,nope'), { field: '--strategies' }],
    [
      'a dfaas strategy with --compat framework',
      (out) => run(out, '--compat', 'framework', '--strategies', 'node-margin'),
      { field: '--strategies' },
    ],
    [
      '--compat framework with the events engine',
      (out) => run(out, '--compat', 'framework', '--engine', 'events'),
      { field: '--compat' },
    ],
    [
      'a missing --instance file',
      (out) => ['sim', 'run', '--instance', at('no-such.json'), '--out', out],
      { source: () => at('no-such.json'), field: '' },
    ],
    [
      'a node_type HUGE',
      (out) => ['sim', 'run', '--instance', malformed, '--out', out],
      { source: () => malformed, field: 'node_2.node_type' },
    ],
    [
      'a threshold below 0',
      (out) => run(out, '--thresholds', badThresholds),
      { source: () => badThresholds, field: 'HEAVY.cpu_usage_node' },
    ],
    [
      '--overloaded 120 (experiment)',
      (out) => ['sim', 'experiment', '--overloaded', '30,120', '--out', out],
      { field: '--overloaded' },
    ],
    [
      '--overloaded 120 (instance: the long flag named, not -o)',
      (out) => ['sim', 'instance', '-o', '120', '--out', `${out}.json`],
      { field: '--overloaded' },
    ],
    ['an empty --strategies', (out) => run(out, '--strategies', ''), { field: '--strategies' }],
    [
      'an unknown strategy (experiment)',
      (out) => ['sim', 'experiment', '-n', '3', '--strategies', 'nope', '--out', out],
      { field: '--strategies' },
    ],
    [
      'a trace without its columns',
      (out) => ['sim', 'instance', '-n', '3', '--trace', badTrace, '--out', out],
      { source: () => badTrace, field: 'header' },
    ],
  ];

  it.each(cases)('%s', async (_name, args, expected) => {
    const out = at(`bad-${_name.replace(/\W+/g, '-')}`);
    const res = await dfaas(['--json', ...args(out)]);
    expect(res.code, res.stderr).toBe(2);
    const error = JSON.parse(res.stderr.trim().split('\n').at(-1) as string);
    expect(error).toMatchObject({
      code: 'DFAAS_ERR_BAD_INPUT',
      source: expected.source?.() ?? 'command line',
      issues: [{ field: expected.field }],
    });
    expect(existsSync(out)).toBe(false);
  });

  it('names --overloaded out of [0, 100] in sim instance', async () => {
    const out = at('bad-instance-overloaded.json');
    const res = await dfaas(['sim', 'instance', '--overloaded', '120', '--out', out]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--overloaded must be a number in [0, 100], got "120"');
    expect(existsSync(out)).toBe(false);
  });

  it('analyze names a folder that is not there', async () => {
    const res = await dfaas(['sim', 'analyze', at('no-such-run')]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('<dir>');
  });
});
