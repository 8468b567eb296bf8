/** `dfaas sample`: its flags; the sampler loads when the command runs (sample-run.ts). */
import type { Command } from 'commander';
import type { CliContext } from './io.js';
import type { SampleFlags } from './sample-run.js';

export function registerSample(program: Command, context: () => CliContext): void {
  program
    .command('sample')
    .description('sweep load configurations over functions and record what the node did (CSV datasets)')
    .requiredOption('--config <file>', 'sampler configuration (YAML/JSON; `dfaas schema sampler`)')
    .option('--output-dir <dir>', 'where the results go (default: output_dir, else ./dfaas-results/RUN_ID)')
    .option('--dry-run', 'print the plan in execution order and run nothing')
    .option('--profile', 'profiler mode: sweep each function alone and write profiles/NAME.csv')
    .option(
      '--no-retry-skipped',
      'resuming, keep skipped the configurations an earlier run skipped for a cooldown timeout (default: run them again)',
    )
    .action(async (flags: SampleFlags) => (await import('./sample-run.js')).runSample(flags, context()));
}
