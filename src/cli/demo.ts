/** `dfaas demo`: its flags; the demo (src/demo/) loads when the command runs (demo-run.ts). */
import type { Command } from 'commander';
import type { DemoFlags } from './demo-run.js';
import type { CliContext } from './io.js';

const EXAMPLE_STACK = new URL('../../examples/stack.yml', import.meta.url).pathname;
const DEMO_SWEEP = new URL('../../examples/demo-sample.yaml', import.meta.url).pathname;

export function registerDemo(program: Command, context: () => CliContext): void {
  program
    .command('demo')
    .description(
      'start the embedded gateway with a stack, call each function cold and warm, print a table, then run a small sweep and a three-node offloading run',
    )
    .option('--stack <file>', 'stack file', EXAMPLE_STACK)
    // RESULTS_ROOT (src/core/files.ts), written out: registering a command loads no more of core.
    .option('--out <dir>', 'folder for the results', 'results')
    .option('--sweep <file>', 'sampler configuration of the small sweep that follows', DEMO_SWEEP)
    .option('--no-sweep', 'skip the sweep')
    .option('--no-offload', 'skip the three-node offloading run at the end')
    .action(async (flags: DemoFlags) => (await import('./demo-run.js')).runDemoCommand(flags, context()));
}
