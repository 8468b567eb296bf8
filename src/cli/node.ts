/**
 * `dfaas node up` and `dfaas cluster up|status`: their flags; the node (libp2p, proxies,
 * platform) loads when a command runs (node-run.ts). The strategy and the period are checked
 * there too, so that registering these commands loads neither the strategies nor zod (the names
 * the help lists are in names.ts).
 */
import { type Command, Option } from 'commander';
import type { CliContext } from './io.js';
import { DEFAULT_STRATEGY_FOR_HELP, STRATEGY_NAMES_FOR_HELP } from './names.js';
import type { ClusterUpFlags } from './node-run.js';
import { intOption } from './options.js';

export function registerNode(program: Command, context: () => CliContext): void {
  const run = () => import('./node-run.js');
  const node = program
    .command('node')
    .description('a DFaaS node: agent + weighted proxy + FaaS platform + metrics');
  node
    .command('up')
    .description('run one node until Ctrl-C (see `dfaas schema node` for the configuration)')
    .requiredOption('--config <file>', 'node configuration (YAML or JSON)')
    .action(async (flags: { config: string }) => (await run()).runNodeUp(flags, context()));

  const cluster = program
    .command('cluster')
    .description('N DFaaS nodes on this machine, connected on loopback');
  cluster
    .command('up')
    .description('start N nodes (one process each) and keep them running until Ctrl-C')
    .option('--nodes <n>', 'how many nodes', intOption('--nodes', 1, 50), 3)
    .option(
      '--strategy <name>',
      `offloading strategy: ${STRATEGY_NAMES_FOR_HELP.join(', ')}`,
      DEFAULT_STRATEGY_FOR_HELP,
    )
    .addOption(
      new Option('--proxy <driver>', 'proxy driver (auto: haproxy when installed)')
        .choices(['auto', 'embedded', 'haproxy'])
        .default('auto'),
    )
    .option(
      '--stack <file>',
      'OpenFaaS stack.yml deployed on every node (default: figlet and echo with dfaas.maxrate)',
    )
    .option('--period <duration>', 'agent recalculation period', '5s')
    .option('--dir <dir>', 'folder for the nodes’ configs, keys, logs and decision logs', 'results/cluster')
    .option(
      '--start-timeout <ms>',
      'how long each node may take to start',
      intOption('--start-timeout', 1),
      60_000,
    )
    .action(async (flags: ClusterUpFlags) => (await run()).runClusterUp(flags, context()));

  cluster
    .command('status')
    .description("each node's peers, function rates and current weights (from its /agent/status)")
    .option('--dir <dir>', 'the folder of `dfaas cluster up`', 'results/cluster')
    .action(async (flags: { dir: string }) => (await run()).runClusterStatus(flags, context()));
}
