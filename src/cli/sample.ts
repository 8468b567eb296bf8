/** `dfaas sample` and `sample report|compare`: their flags; the sampler loads when a command runs (sample-run.ts). */
import { type Command, Option } from 'commander';
import type { CliContext } from './io.js';
import type { CompareFlags, ExportFlags, SampleFlags } from './sample-run.js';

export function registerSample(program: Command, context: () => CliContext): void {
  const run = () => import('./sample-run.js');
  const sample = program
    .command('sample')
    .description('sweep load configurations over functions and record what the node did (CSV datasets)')
    .option(
      '--config <file>',
      'sampler configuration (YAML/JSON; `dfaas schema sampler`); required for a sweep',
    )
    .option('--output-dir <dir>', 'where the results go (default: output_dir, else ./results/RUN_ID)')
    .option('--dry-run', 'print the plan in execution order and run nothing')
    .option('--profile', 'profiler mode: sweep each function alone and write profiles/NAME.csv')
    .option(
      '--no-retry-skipped',
      'resuming, keep skipped the configurations an earlier run skipped for a cooldown timeout (default: run them again)',
    )
    .action(async (flags: SampleFlags) => (await run()).runSample(flags, context()));

  sample
    .command('report')
    .description(
      "rebuild report.html from a sweep's folder (finished, interrupted or running), touching no platform",
    )
    .argument('<dir>', "the sweep's folder (with results.csv)")
    .action(async (dir: string) => (await run()).runReport(dir, context()));

  sample
    .command('compare')
    .description(
      'draw sweeps side by side (compare.html) and write a table of their differences (differences.csv)',
    )
    .argument('<dirs...>', "two or more sweeps' folders")
    .option('--out <dir>', 'where compare.html and differences.csv go (default: ./results/compare-TIME)')
    .action(async (dirs: string[], flags: CompareFlags) => (await run()).runCompare(dirs, flags, context()));

  sample
    .command('export')
    .description(
      "a sweep's results as an analysis-ready table: a row per run, function and figure (--long) or per run and function",
    )
    .argument('<dir>', "the sweep's folder (with results.csv)")
    .addOption(new Option('--format <format>', 'file format').choices(['csv', 'parquet']).default('csv'))
    .option('--long', 'one row per run, function (or node), figure: columns metric, unit, value')
    .option('--out <file>', 'where it goes (default: DIR/export[-long].csv|parquet)')
    .action(async (dir: string, flags: ExportFlags) => (await run()).runExport(dir, flags, context()));
}
