import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESULTS_ROOT } from '../../src/core/files.js';
import { type FakeLab, startFakeLab } from '../bench/fake-lab.js';
import { dfaas } from '../helpers/cli.js';

/**
 * `dfaas bench` in-process, against a stand-in lab function (the http provider: no cold start to
 * force, so the coldtime is waited, at a time scale that makes it a millisecond) into a SQLite
 * store in a temporary folder.
 */
const dir = mkdtempSync(join(tmpdir(), 'dfaas-cli-bench-'));
const store = join(dir, 'bench.db');
let lab: FakeLab;
let url: string;
beforeAll(async () => {
  lab = await startFakeLab(() => ({ instance: 'i-1' }));
  url = lab.provider.url('FN').replace('FN', '{function}');
});
afterAll(async () => {
  await lab?.close();
  rmSync(dir, { recursive: true, force: true });
});

const fast = ['--provider', 'http', '--time-scale', '100000', '--store', store];

describe('dfaas bench', () => {
  it('lists the experiments with their parameters and defaults', async () => {
    const res = await dfaas(['--json', 'bench', 'list']);
    expect(res.code, res.stderr).toBe(0);
    const { experiments } = JSON.parse(res.stdout);
    const concurrency = experiments.find((e: { name: string }) => e.name === 'concurrency-benchmarking');
    expect(concurrency).toMatchObject({
      origin: 'faas-benchmarker',
      params: { levels: [8, 16, 32, 64, 128, 256], repetitions: 2 },
    });
    for (const e of experiments) expect(e.description.length).toBeGreaterThan(10);
  });

  it('runs an experiment, says where it is, and exports its rows', async () => {
    const res = await dfaas([
      '--json',
      'bench',
      'run',
      'concurrency-benchmarking',
      ...fast,
      '--url',
      url,
      '--param',
      'levels=3',
      '--param',
      'repetitions=1',
    ]);
    expect(res.code, res.stderr).toBe(0);
    const run = JSON.parse(res.stdout);
    expect(run.store).toBe(`sqlite ${store}`);
    expect(run.experiments).toMatchObject([
      { name: 'concurrency-benchmarking', status: 'completed', invocations: 3, errors: 0 },
    ]);
    // Progress (what it waits for, until when) as JSON lines on stderr.
    const progress = res.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((l) => l.experiment === 'concurrency-benchmarking');
    expect(progress.some((p) => /go cold/.test(p.message) && p.until)).toBe(true);

    const status = JSON.parse((await dfaas(['--json', 'bench', 'status', '--store', store])).stdout);
    expect(status.runs.at(-1)).toMatchObject({
      name: 'concurrency-benchmarking',
      status: 'completed',
      experiment_meta_identifier: run.metaIdentifier,
    });

    const out = join(dir, 'export');
    const exported = await dfaas([
      '--json',
      'bench',
      'export',
      '--store',
      store,
      '--run',
      run.metaIdentifier,
      '--out',
      out,
    ]);
    expect(exported.code, exported.stderr).toBe(0);
    const files = JSON.parse(exported.stdout).files as { table: string; rows: number }[];
    expect(files.find((f) => f.table === 'Invocation')?.rows).toBe(3);
    const cc = readFileSync(join(out, 'Cc_bench.csv'), 'utf8').trim().split('\r\n');
    expect(cc).toHaveLength(2);
    expect(cc[0]?.split(',').slice(0, 4)).toEqual(['id', 'exp_id', 'function_name', 'numb_threads']);
  });

  it('writes an experiment from the template, which runs as it is', async () => {
    // Under results/ (git-ignored) so that the file's `import … from 'dfaas'` resolves to this package.
    mkdirSync(RESULTS_ROOT, { recursive: true });
    const where = mkdtempSync(join(RESULTS_ROOT, 'tmp-bench-create-'));
    try {
      const created = await dfaas(['--json', 'bench', 'create', 'cold-warm-probe', '--dir', where]);
      expect(created.code, created.stderr).toBe(0);
      const file = join(where, 'cold-warm-probe.ts');
      expect(existsSync(file)).toBe(true);
      expect((await dfaas(['bench', 'create', 'cold-warm-probe', '--dir', where])).code).toBe(2);
      const res = await dfaas(['--json', 'bench', 'run', file, ...fast, '--url', url, '--param', 'rounds=2']);
      expect(res.code, res.stderr).toBe(0);
      const { experiments } = JSON.parse(res.stdout);
      expect(experiments).toMatchObject([{ name: 'cold-warm-probe', status: 'completed', invocations: 5 }]);
      const out = join(dir, 'export-created');
      await dfaas(['bench', 'export', '--store', store, '--format', 'json', '--out', out]);
      const rows = JSON.parse(readFileSync(join(out, 'Cold_warm_probe.json'), 'utf8'));
      expect(rows.map((r: { round: number }) => r.round)).toEqual([0, 1]);
    } finally {
      rmSync(where, { recursive: true, force: true });
    }
  }, 30_000);

  it('exits 2 on bad input, naming what is wrong, and runs nothing', async () => {
    const before = lab.calls.length;
    const cases: [string[], RegExp][] = [
      [['bench', 'run', 'nope', ...fast, '--url', url], /no experiment nope/],
      [['bench', 'run', 'concurrency-benchmarking', '--provider', 'openfaas'], /--url/],
      [
        ['bench', 'run', 'concurrency-benchmarking', ...fast, '--url', 'http://127.0.0.1:1/x'],
        /\{function\}/,
      ],
      [['bench', 'run', 'concurrency-benchmarking', ...fast, '--url', url, '--param', 'nope=1'], /nope/],
      [
        ['bench', 'run', 'concurrency-benchmarking', ...fast, '--url', url, '--param', 'levels=many'],
        /levels/,
      ],
      [['bench', 'run', 'concurrency-benchmarking', '--time-scale', '0'], /--time-scale/],
      [['bench', 'status', '--store', 'mysql://root@127.0.0.1/Benchmarks'], /not a results store URL/],
      [['bench', 'export', '--store', store, '--run', 'no-such-run'], /no run no-such-run/],
      [['bench', 'create', 'Bad Name', '--dir', dir], /kebab-case/],
    ];
    for (const [args, message] of cases) {
      const res = await dfaas(args);
      expect(res.code, args.join(' ')).toBe(2);
      expect(res.stderr, args.join(' ')).toMatch(message);
    }
    expect(lab.calls.length).toBe(before);
  });
});
