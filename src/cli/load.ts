/** `dfaas load`: its flags; the generator loads when the command runs (load-run.ts). */
import type { Command } from 'commander';
import type { CliContext } from './io.js';
import type { LoadFlags } from './load-run.js';
import { intOption } from './options.js';

export function registerLoad(program: Command, context: () => CliContext): void {
  program
    .command('load')
    .description('send open-model (constant-arrival-rate) HTTP load and write a k6-shaped summary')
    .option('--url <url>', 'target URL (one scenario from the flags)')
    .option('--rate <n>', 'requests per second')
    .option('--duration <d>', 'how long, e.g. 30s, 2m', '10s')
    .option('--method <m>', 'HTTP method', 'POST')
    .option('--body <text>', 'request body', '')
    .option('--header <k:v>', 'request header, repeatable', (v: string, all: string[]) => [...all, v], [])
    .option(
      '--max-vus <n>',
      'requests in flight at most; beyond it arrivals are dropped (default: the rate)',
      intOption('--max-vus', 1),
    )
    .option('--scenarios <file>', 'YAML/JSON file with several scenarios (k6 executors), instead of --url')
    .option('--summary-export <file>', 'write the k6 --summary-export JSON here')
    .action(async (flags: LoadFlags) => (await import('./load-run.js')).runLoadCommand(flags, context()));
}
