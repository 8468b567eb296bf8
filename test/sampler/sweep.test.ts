import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SamplerConfigSchema } from '../../src/config/sampler.js';
import { silentLogger } from '../../src/core/logger.js';
import { readResults } from '../../src/dataset/results.js';
import { readIndex } from '../../src/dataset/sweep-lists.js';
import type { LoadDriver } from '../../src/load/contract.js';
import { k6ScenarioId } from '../../src/load/k6-summary.js';
import type { MetricsSource, NodeNow } from '../../src/metrics/contract.js';
import { SweepInterruptedError } from '../../src/sampler/errors.js';
import { type FrontierSegment, frontierSegments, midpoint, narrow } from '../../src/sampler/frontier.js';
import type { FunctionRestorer } from '../../src/sampler/restore.js';
import { runSweep } from '../../src/sampler/runner.js';
import { recordingLogger } from '../helpers/logger.js';

/** The sweep runner (src/sampler/runner.ts) over stand-in load and metrics: frontier refinement, latency, cooldown's replicas. */
const dir = mkdtempSync(join(tmpdir(), 'dfaas-sweep-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('frontier segments and bisection', () => {
  it('pairs each overloaded configuration with its largest non-overloaded neighbours', () => {
    const segments = frontierSegments([
      { rates: { a: 0, b: 0 }, overloaded: false },
      { rates: { a: 30, b: 0 }, overloaded: false },
      { rates: { a: 0, b: 30 }, overloaded: false },
      { rates: { a: 30, b: 30 }, overloaded: true },
      { rates: { a: 60 }, overloaded: true },
      { rates: { a: 30 }, overloaded: false },
      { rates: { a: 15 }, overloaded: false },
      // Overloaded with nothing lighter that coped: nothing to bisect.
      { rates: { b: 15 }, overloaded: true },
    ]);
    expect(segments).toEqual([
      { below: { a: 30, b: 0 }, above: { a: 30, b: 30 } },
      { below: { a: 0, b: 30 }, above: { a: 30, b: 30 } },
      { below: { a: 30 }, above: { a: 60 } },
    ]);
  });

  it('halves a segment on multiples of the rate step until no rate is more than a step apart', () => {
    let segment: FrontierSegment = { below: { a: 30, b: 0 }, above: { a: 30, b: 30 } };
    expect(midpoint(segment, 5)).toEqual({ a: 30, b: 15 });
    segment = narrow(segment, { a: 30, b: 15 }, false);
    expect(segment).toEqual({ below: { a: 30, b: 15 }, above: { a: 30, b: 30 } });
    // 7.5 is 1.5 steps: rounded to 2 steps from the lower end.
    expect(midpoint(segment, 5)).toEqual({ a: 30, b: 25 });
    segment = narrow(segment, { a: 30, b: 25 }, true);
    expect(midpoint(segment, 5)).toEqual({ a: 30, b: 20 });
    expect(midpoint({ below: { a: 20 }, above: { a: 25 } }, 5)).toBeUndefined();
    // Both rates move, each on its own step count; a fractional step stays exact.
    expect(midpoint({ below: { a: 0, b: 10 }, above: { a: 40, b: 20 } }, 2.5)).toEqual({ a: 20, b: 15 });
  });
});

/**
 * A node that copes with up to CAPACITY requests/s in all: above that every request fails, which
 * the sweep reads as overload. The load and metrics are stand-ins: what is tested is the sweep's
 * walk of the grid and the frontier, not a platform (test/integration/ runs real ones).
 */
const CAPACITY = 27;

function fakeLoad(opts: { failAfterRuns?: number } = {}): LoadDriver & { runs: Record<string, number>[] } {
  const runs: Record<string, number>[] = [];
  return {
    where: 'this test',
    runs,
    open: async () => {},
    close: async () => {},
    async run(configuration) {
      if (opts.failAfterRuns !== undefined && runs.length >= opts.failAfterRuns)
        throw new Error('the machine went down');
      runs.push(configuration.rates);
      const total = Object.values(configuration.rates).reduce((a, b) => a + b, 0);
      const successRate = total > CAPACITY ? 0.5 : 1;
      return {
        summary: {},
        figures: (name) =>
          (configuration.rates[name] ?? 0) > 0
            ? { requests: 10, dropped: 0, successRate, medianLatencyMs: 5 }
            : undefined,
      };
    },
  };
}

const idle: NodeNow = { cpuPct: 5, ramBytes: 1e9, ramPct: 10, powerMicrowatts: Number.NaN, cores: 2 };
const metrics: MetricsSource = {
  node: async () => idle,
  replicas: async () => 1,
  check: async () => [],
  startWindow: (functions) => ({
    stop: async () => ({
      node: idle,
      functions: Object.fromEntries(
        functions.map((f) => [f, { cpuPct: 1, ramBytes: 1e7, powerMicrowatts: Number.NaN, replicas: 1 }]),
      ),
      series: [],
    }),
  }),
};

function countingRestorer(): FunctionRestorer & { calls: number } {
  const r = {
    calls: 0,
    record: { method: 'scale-to-zero' as const },
    async restore() {
      r.calls++;
    },
  };
  return r;
}

const config = SamplerConfigSchema.parse({
  functions: [{ name: 'a' }, { name: 'b' }],
  rates: { strategy: { type: 'custom', values: [0, 20, 40] } },
  combinations: { min_functions: 1, max_functions: 2 },
  duration: '1s',
  iterations: 1,
  frontier: { rate_step: 5 },
  platform: { stack: 'unused.yml' },
});

const sweep = (outputDir: string, load: LoadDriver, restorer?: FunctionRestorer) =>
  runSweep({
    config,
    outputDir,
    gatewayUrl: 'http://127.0.0.1:1',
    load,
    metrics,
    logger: silentLogger,
    sleep: async () => {},
    ...(restorer ? { restorer } : {}),
  });

const ratesOfRows = (outputDir: string) =>
  readResults(join(outputDir, 'results.csv')).map((r) =>
    Object.fromEntries(r.functions.map((f) => [f.name, f.rate])),
  );

describe('a sweep with frontier refinement', () => {
  it('bisects each overloaded edge after the grid, appends to results.csv and lists the added configurations in frontier.csv', async () => {
    const out = join(dir, 'whole');
    const load = fakeLoad();
    const restorer = countingRestorer();
    await sweep(out, load, restorer);
    // Grid: a and b alone at 0, 20, 40; 40 overloads (> 27). Frontier: 30 overloads, 25 copes,
    // and 25..30 is one step: refined.
    expect(load.runs).toEqual([
      { a: 0 },
      { a: 20 },
      { a: 40 },
      { b: 0 },
      { b: 20 },
      { b: 40 },
      { a: 30 },
      { a: 25 },
      { b: 30 },
      { b: 25 },
    ]);
    expect(ratesOfRows(out)).toEqual(load.runs);
    expect(readIndex(join(out, 'index.csv')).map((r) => r.rates)).toEqual(load.runs);
    expect(readIndex(join(out, 'frontier.csv')).map((r) => r.rates)).toEqual(load.runs.slice(6));
    expect(readFileSync(join(out, 'frontier.csv'), 'utf8').split('\r\n')[1]).toBe("['a'];[30];results.csv");
    const overloaded = readResults(join(out, 'results.csv')).map((r) => r.node.overloaded);
    expect(overloaded).toEqual([false, false, true, false, false, true, true, false, true, false]);
    // Restored before every run, and run.json says how.
    expect(restorer.calls).toBe(10);
    const manifest = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(manifest.restore).toEqual({ method: 'scale-to-zero' });
    expect(manifest.frontier).toEqual({ rate_step: 5, file: 'frontier.csv' });
  });

  it('resumes an interrupted refinement to the same rows, with none run twice', async () => {
    const out = join(dir, 'resumed');
    const first = fakeLoad({ failAfterRuns: 7 });
    await expect(sweep(out, first)).rejects.toThrow('the machine went down');
    const second = fakeLoad();
    await sweep(out, second);
    expect([...first.runs, ...second.runs]).toEqual(ratesOfRows(join(dir, 'whole')));
    expect(ratesOfRows(out)).toEqual(ratesOfRows(join(dir, 'whole')));
    expect(readFileSync(join(out, 'frontier.csv'), 'utf8')).toBe(
      readFileSync(join(dir, 'whole', 'frontier.csv'), 'utf8'),
    );
    // Without a restorer the sweep says so.
    const manifest = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(manifest.restore.method).toBe('none');
  });

  it('writes no frontier.csv when refinement is off', async () => {
    const out = join(dir, 'grid-only');
    const load = fakeLoad();
    await runSweep({
      config: { ...config, frontier: undefined },
      outputDir: out,
      gatewayUrl: 'http://127.0.0.1:1',
      load,
      metrics,
      logger: silentLogger,
      sleep: async () => {},
    });
    expect(load.runs).toHaveLength(6);
    expect(existsSync(join(out, 'frontier.csv'))).toBe(false);
  });
});

describe("a sweep's rows", () => {
  const single = SamplerConfigSchema.parse({
    functions: [{ name: 'a' }],
    rates: { strategy: { type: 'custom', values: [10] } },
    duration: '1s',
    iterations: 1,
    cooldown: { max_wait_seconds: 0 },
    platform: { stack: 'unused.yml' },
  });
  const trend = (avg: number) => ({ avg, min: avg, med: avg, max: avg, 'p(90)': avg, 'p(95)': avg });
  /** Every request answered with `successRate`, the summary's latency Trend at `avgMs` (k6 writes 0 for an empty one). */
  const answering = (successRate: number, avgMs: number): LoadDriver => ({
    where: 'this test',
    open: async () => {},
    close: async () => {},
    run: async () => ({
      summary: { metrics: { [`latency_${k6ScenarioId('a')}`]: trend(avgMs) } },
      figures: () => ({ requests: 10, dropped: 0, successRate, medianLatencyMs: avgMs }),
    }),
  });
  const run = (name: string, load: LoadDriver, extra: Partial<Parameters<typeof runSweep>[0]> = {}) =>
    runSweep({
      config: single,
      outputDir: join(dir, name),
      gatewayUrl: 'http://127.0.0.1:1',
      load,
      metrics,
      logger: silentLogger,
      sleep: async () => {},
      ...extra,
    }).then(() => readResults(join(dir, name, 'results.csv')));

  it('gives a function with no successful answer no latency (nan), and the mean of one that answered', async () => {
    const failed = await run('all-failed', answering(0, 0));
    expect(failed[0]?.functions[0]?.meanLatencyMs).toBeNaN();
    const answered = await run('answered', answering(1, 12.7));
    expect(answered[0]?.functions[0]?.meanLatencyMs).toBe(12);
  });

  it("waits for a function's own idle replicas: 2 for one that keeps 2, fewer than 2 otherwise", async () => {
    const twoReplicas: MetricsSource = { ...metrics, replicas: async () => 2 };
    const kept = await run('keeps-two', answering(1, 5), { metrics: twoReplicas, replicaFloors: { a: 2 } });
    expect(kept).toHaveLength(1);
    // With the reference's rule alone, 2 replicas never cool down: the configuration is skipped.
    const skipped = await run('reference-rule', answering(1, 5), { metrics: twoReplicas });
    expect(skipped).toHaveLength(0);
    expect(readFileSync(join(dir, 'reference-rule', 'skipped.csv'), 'utf8')).toContain('replicas 2 (idle 1)');
  });

  it('flags a busy idle baseline: a warning, and run.json says why', async () => {
    // 2 cores: 30% of one core is 15% of the node's capacity, above the default 5%.
    const busy: MetricsSource = { ...metrics, node: async () => ({ ...idle, cpuPct: 30 }) };
    const { logger, entries } = recordingLogger();
    await run('busy', answering(1, 5), { metrics: busy, logger });
    const manifest = JSON.parse(readFileSync(join(dir, 'busy', 'run.json'), 'utf8'));
    expect(manifest.baseline).toMatchObject({
      cpuPct: 30,
      cores: 2,
      busy: true,
      samplesCpuPct: [30, 30, 30],
    });
    expect(manifest.baseline.busyReasons).toEqual([
      expect.stringMatching(/^CPU 15\.0% of the node's 2 cores/),
    ]);
    expect(entries.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      expect.stringMatching(/^the node is not idle: CPU 15\.0%/),
    ]);
    // An idle one (5% of a core: 2.5% of capacity) is not flagged; a looser ceiling accepts the busy one.
    await run('idle', answering(1, 5));
    expect(JSON.parse(readFileSync(join(dir, 'idle', 'run.json'), 'utf8')).baseline.busy).toBe(false);
    await run('loose', answering(1, 5), {
      metrics: busy,
      config: {
        ...single,
        idle_baseline: { max_cpu_pct_of_capacity: 20, max_cpu_spread_pct_of_capacity: 5 },
      },
    });
    expect(JSON.parse(readFileSync(join(dir, 'loose', 'run.json'), 'utf8')).baseline.busy).toBe(false);
  });

  it('records in run.json the state, durations with their units, and each run with its timings', async () => {
    await run('manifest', answering(1, 5));
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest', 'run.json'), 'utf8'));
    expect(manifest).toMatchObject({ state: 'finished', rows: 1, skipped: 0, config: { duration: '1s' } });
    expect(manifest.runs).toEqual([
      {
        id: expect.any(String),
        iteration: 0,
        rates: { a: 10 },
        startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        restoreSeconds: expect.any(Number),
        cooldownSeconds: expect.any(Number),
        loadSeconds: expect.any(Number),
        recordSeconds: expect.any(Number),
      },
    ]);
  });

  it('runs again on a rerun what a cooldown timeout skipped (unless told not to), keeping skipped.csv whole', async () => {
    const hot: MetricsSource = { ...metrics, node: async () => idle, replicas: async () => 3 };
    const first = await run('retry', answering(1, 5), { metrics: hot });
    expect(first).toHaveLength(0);
    const skippedCsv = () =>
      readFileSync(join(dir, 'retry', 'skipped.csv'), 'utf8')
        .trim()
        .split('\r\n');
    expect(skippedCsv()).toEqual([
      'function_a,rate_function_a,reason,iteration,skipped_at',
      expect.stringMatching(
        /^a,10,"cooldown timed out after 0 s \(.*replicas 3 \(idle 1\)\)",0,\d{4}-\d\d-\d\dT[\d:.]+Z$/,
      ),
    ]);
    // Still hot, and told not to retry: nothing runs, nothing is added.
    expect(await run('retry', answering(1, 5), { metrics: hot, retrySkipped: false })).toHaveLength(0);
    expect(skippedCsv()).toHaveLength(2);
    // By default the rerun tries it again: cooled down now, it is measured; its skip stays on record.
    expect(await run('retry', answering(1, 5))).toHaveLength(1);
    expect(skippedCsv()).toHaveLength(2);
    const manifest = JSON.parse(readFileSync(join(dir, 'retry', 'run.json'), 'utf8'));
    expect(manifest).toMatchObject({ state: 'finished', rows: 1, skipped: 0 });
  });

  it('stops where it is on an abort: run.json says interrupted, and the same call resumes', async () => {
    const two = {
      ...single,
      rates: { ...single.rates, strategy: { type: 'custom' as const, values: [10, 20] } },
    };
    const controller = new AbortController();
    const stopAfterFirst: LoadDriver = {
      ...answering(1, 5),
      run: async (c, t) => {
        const out = await answering(1, 5).run(c, t);
        if (c.rates.a === 10) controller.abort(); // Ctrl-C while the first run is recorded
        return out;
      },
    };
    const interrupted = runSweep({
      config: two,
      outputDir: join(dir, 'interrupted'),
      gatewayUrl: 'http://127.0.0.1:1',
      load: stopAfterFirst,
      metrics,
      logger: silentLogger,
      sleep: async () => {},
      signal: controller.signal,
    });
    await expect(interrupted).rejects.toThrow(SweepInterruptedError);
    await expect(interrupted).rejects.toThrow('interrupted, rerun the same command to resume');
    const manifest = () => JSON.parse(readFileSync(join(dir, 'interrupted', 'run.json'), 'utf8'));
    expect(manifest()).toMatchObject({ state: 'interrupted', interruptedAt: expect.any(String) });
    expect(existsSync(join(dir, 'interrupted', 'report.html'))).toBe(true);
    const rows = await run('interrupted', answering(1, 5), { config: two });
    expect(rows.map((r) => r.functions[0]?.rate)).toEqual([10, 20]);
    expect(manifest()).toMatchObject({ state: 'finished', rows: 2 });
    expect(manifest().runs).toHaveLength(2);
  });
});
