/** `dfaas sample` at work: the plan (--dry-run) or a sampler session with its progress. */
import { resolve } from 'node:path';
import { loadSamplerConfig, type SamplerConfig } from '../config/sampler.js';
import { checkPlanSize, planSweep } from '../sampler/plan.js';
import type { SweepProgress } from '../sampler/runner.js';
import { runSamplerSession } from '../sampler/session.js';
import type { CliContext } from './io.js';
import { printResult } from './output.js';
import { createProgress } from './progress.js';

export interface SampleFlags {
  config: string;
  dryRun?: boolean;
  profile?: boolean;
  outputDir?: string;
}

export async function runSample(flags: SampleFlags, ctx: CliContext): Promise<void> {
  const config = loadSamplerConfig(flags.config, flags.outputDir ? { output_dir: flags.outputDir } : {});
  if (flags.dryRun) return printPlan(config, flags.config, ctx);
  const progress = createProgress(ctx, 'progress');
  const result = await runSamplerSession({
    config,
    configFile: flags.config,
    profile: Boolean(flags.profile),
    logger: ctx.logger,
    onProgress: (p) => progress.update(progressText(p), { ...p }),
  });
  progress.done();
  printResult(ctx, result, () =>
    flags.profile
      ? `profiles:\n${result.profiles.map((p) => `  ${p}\n`).join('')}`
      : `results: ${resolve(result.outputDir, 'results.csv')}\nreport:  ${result.report}\n`,
  );
}

/** One terminal line of a sweep's progress (also used by `dfaas demo`). */
export function progressText(p: SweepProgress): string {
  const eta = p.etaMs === undefined ? '?' : `${Math.round(p.etaMs / 1000)} s`;
  const current = p.current ? ` now ${JSON.stringify(p.current.rates)} #${p.current.iteration + 1}` : '';
  return `${p.done} done, ${p.skipped} skipped, ${p.left} left, ${Math.round(p.elapsedMs / 1000)} s, eta ${eta}${current}`;
}

function printPlan(config: SamplerConfig, configFile: string, ctx: CliContext): void {
  checkPlanSize(config, configFile);
  const configs = planSweep(config);
  printResult(ctx, { configs }, () => {
    const names = [...config.functions.map((f) => f.name)].sort();
    const runs = configs.length * config.iterations;
    return [
      {
        header: ['id', ...names],
        rows: configs.map((c) => [c.id, ...names.map((n) => (n in c.rates ? String(c.rates[n]) : '-'))]),
      },
      `\n${configs.length} configurations × ${config.iterations} iterations = ${runs} runs, at least ${((runs * config.duration) / 60_000).toFixed(1)} min of load (cooldowns not counted)\n`,
    ];
  });
}
