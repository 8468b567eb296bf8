import type { Command } from 'commander';
import { loadSamplerConfig } from '../config/sampler.js';
import { planSweep } from '../sampler/plan.js';
import { badFlag } from './errors.js';
import type { GlobalOptions } from './options.js';
import { formatTable } from './table.js';

export function registerSample(program: Command, globals: () => GlobalOptions): void {
  program
    .command('sample')
    .description(
      'plan a sweep of load configurations over functions (this version plans; it does not run sweeps yet)',
    )
    .requiredOption('--config <file>', 'sampler configuration (YAML/JSON; `dfaas schema sampler`)')
    .option('--dry-run', 'print the plan in execution order and run nothing')
    .action((flags: { config: string; dryRun?: boolean }) => {
      const { json } = globals();
      const config = loadSamplerConfig(flags.config);
      if (!flags.dryRun) {
        throw badFlag(
          '--dry-run',
          'this version of dfaas plans sweeps but cannot run them yet: add --dry-run',
        );
      }
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
      const minutes = (runs * config.duration) / 60_000;
      process.stdout.write(
        `\n${configs.length} configurations × ${config.iterations} iterations = ${runs} runs, at least ${minutes.toFixed(1)} min of load (cooldowns not counted)\n`,
      );
    });
}
