import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadSamplerConfig, type SamplerConfig } from '../config/sampler.js';
import { planSweep } from '../sampler/plan.js';
import type { SweepProgress } from '../sampler/runner.js';
import { runSamplerSession } from '../sampler/session.js';
import type { GlobalOptions } from './options.js';
import { formatTable } from './table.js';

interface SampleFlags {
  config: string;
  dryRun?: boolean;
  profile?: boolean;
  outputDir?: string;
}

export function registerSample(program: Command, globals: () => GlobalOptions): void {
  program
    .command('sample')
    .description('sweep load configurations over functions and record what the node did (CSV datasets)')
    .requiredOption('--config <file>', 'sampler configuration (YAML/JSON; `dfaas schema sampler`)')
    .option('--output-dir <dir>', 'where the results go (default: output_dir, else ./dfaas-results/RUN_ID)')
    .option('--dry-run', 'print the plan in execution order and run nothing')
    .option('--profile', 'profiler mode: sweep each function alone and write profiles/NAME.csv')
    .action(async (flags: SampleFlags) => {
      const { json, logger } = globals();
      const config = loadSamplerConfig(flags.config, flags.outputDir ? { output_dir: flags.outputDir } : {});
      if (flags.dryRun) return printPlan(config, json);
      const tty = process.stderr.isTTY && !json;
      const result = await runSamplerSession({
        config,
        configFile: flags.config,
        profile: Boolean(flags.profile),
        logger,
        onProgress: (p) =>
          tty ? process.stderr.write(`\r${progressText(p)}   `) : logger.info('progress', { ...p }),
      });
      if (tty) process.stderr.write('\n');
      if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else if (flags.profile)
        process.stdout.write(`profiles:\n${result.profiles.map((p) => `  ${p}\n`).join('')}`);
      else
        process.stdout.write(
          `results: ${resolve(result.outputDir, 'results.csv')}\nreport:  ${result.report}\n`,
        );
    });
}

function progressText(p: SweepProgress): string {
  const eta = p.etaMs === undefined ? '?' : `${Math.round(p.etaMs / 1000)} s`;
  const current = p.current ? ` now ${JSON.stringify(p.current.rates)} #${p.current.iteration + 1}` : '';
  return `${p.done} done, ${p.skipped} skipped, ${p.left} left, ${Math.round(p.elapsedMs / 1000)} s, eta ${eta}${current}`;
}

function printPlan(config: SamplerConfig, json: boolean): void {
  const configs = planSweep(config);
  if (json) {
    process.stdout.write(`${JSON.stringify({ configs })}\n`);
    return;
  }
  const names = [...config.functions.map((f) => f.name)].sort();
  process.stdout.write(
    formatTable(
      ['id', ...names],
      configs.map((c) => [c.id, ...names.map((n) => (n in c.rates ? String(c.rates[n]) : '-'))]),
    ),
  );
  const runs = configs.length * config.iterations;
  process.stdout.write(
    `\n${configs.length} configurations × ${config.iterations} iterations = ${runs} runs, at least ${((runs * config.duration) / 60_000).toFixed(1)} min of load (cooldowns not counted)\n`,
  );
}
