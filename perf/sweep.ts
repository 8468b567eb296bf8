/**
 * What the sampler's shortcuts save: the same small sweep on the embedded gateway twice, once with
 * dominance skipping and adaptive cooldown (the default), once with neither: every planned
 * configuration runs, after a fixed rest before each run.
 *
 * The fixed rest is the longest cooldown the adaptive run needed, measured in the same run: the
 * shortest fixed rest that would have been as safe for every configuration. (A script without idle
 * detection has to guess it, and guesses long.)
 *
 *   npm run perf -- sweep [seconds-per-configuration] [--json [FILE]]
 *
 * The sweep: figlet and matmul (200×200, at most 4 in flight) at 0, 20, 40 and 80 requests/s,
 * alone and in pairs, 1 iteration: 24 configurations. matmul overloads the node at the top rates,
 * so the configurations that dominate an overloaded one are skipped. Each function has one
 * replica: with autoscaling, cooldown would wait out the scale-down window (60 s) after every
 * run that scaled, which measures the window, not the sampler.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSamplerConfig } from '../src/config/sampler.js';
import { silentLogger } from '../src/core/logger.js';
import { parseResults } from '../src/dataset/results.js';
import type { SweepShortcuts } from '../src/sampler/runner.js';
import { runSamplerSession } from '../src/sampler/session.js';
import { figure, type PerfReport, report } from './lib/report.js';

interface Outcome {
  seconds: number;
  rows: number;
  skipped: number;
  overloaded: number;
  maxRestSeconds: number;
}

async function sweep(file: string, outputDir: string, shortcuts: SweepShortcuts): Promise<Outcome> {
  const config = { ...loadSamplerConfig(file, {}), output_dir: outputDir };
  const started = performance.now();
  const result = await runSamplerSession({
    config,
    configFile: file,
    logger: silentLogger,
    shortcuts,
    onProgress: (p) => {
      if (p.current) process.stdout.write(`\r  ${p.done} done, ${p.skipped} skipped, ${p.left} left   `);
    },
  });
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write('\n');
  const resultsFile = join(outputDir, 'results.csv');
  const rows = parseResults(readFileSync(resultsFile, 'utf8'), resultsFile);
  return {
    seconds,
    rows: rows.length,
    skipped: result.skipped,
    overloaded: rows.filter((r) => r.node.overloaded).length,
    maxRestSeconds: Math.max(0, ...rows.map((r) => r.node.restSeconds)),
  };
}

export async function run(args: string[]): Promise<PerfReport> {
  const seconds = Number(args[0] ?? 3);
  const dir = mkdtempSync(join(tmpdir(), 'dfaas-bench-sweep-'));
  const stack = join(dir, 'stack.yml');
  writeFileSync(
    stack,
    [
      'functions:',
      '  figlet: { lang: builtin, handler: figlet, labels: { com.openfaas.scale.max: 1 } }',
      '  matmul:',
      '    { lang: builtin, handler: matmul, environment: { max_inflight: 4 }, labels: { com.openfaas.scale.max: 1 } }',
    ].join('\n'),
  );
  const file = join(dir, 'sweep.yaml');
  writeFileSync(
    file,
    [
      'functions: [{ name: figlet, body: hi }, { name: matmul, body: "200" }]',
      'rates: { strategy: { type: custom, values: [0, 20, 40, 80] } }',
      'combinations: { min_functions: 1, max_functions: 3 }',
      `duration: ${seconds}s`,
      'iterations: 1',
      'cooldown: { max_wait_seconds: 60, sleep_step_seconds: 1, idle_threshold_pct: 25 }',
      'platform: { stack: stack.yml }',
    ].join('\n'),
  );

  console.log(`sweep with dominance skipping and adaptive cooldown (${seconds} s per configuration)`);
  const fast = await sweep(file, join(dir, 'shortcuts'), { skipDominated: true, adaptiveCooldown: true });
  const rest = Math.max(1, Math.ceil(fast.maxRestSeconds));
  console.log(`the same sweep, every configuration, a fixed ${rest} s rest before each`);
  const plain = await sweep(file, join(dir, 'plain'), {
    skipDominated: false,
    adaptiveCooldown: false,
    fixedRestSeconds: rest,
  });

  const line = (name: string, o: Outcome) =>
    console.log(
      `${name.padEnd(34)} ${o.seconds.toFixed(1).padStart(7)} s  ${String(o.rows).padStart(3)} runs  ` +
        `${String(o.skipped).padStart(3)} skipped  ${String(o.overloaded).padStart(3)} overloaded`,
    );
  console.log('');
  line('skipping + adaptive cooldown', fast);
  line(`every configuration, ${rest} s rest`, plain);
  const saved = plain.seconds - fast.seconds;
  console.log(
    `time saved: ${saved.toFixed(1)} s (${((saved / plain.seconds) * 100).toFixed(0)}%); ` +
      `ratio ${(fast.seconds / plain.seconds).toFixed(2)} of the plain sweep`,
  );
  console.log(`results: ${dir}`);
  return report(
    'sweep',
    args,
    {
      [`sweep time, skipping + adaptive cooldown (every configuration after a ${rest} s rest as reference)`]:
        figure(fast.seconds, 's', plain.seconds),
    },
    { shortcuts: fast, plain: { ...plain, restSeconds: rest } },
  );
}
