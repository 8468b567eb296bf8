/**
 * `dfaas node up|id` and `dfaas cluster up|status|down`: their flags; the node (libp2p, proxies,
 * platform) loads when a command runs (node-run.ts). The strategy, the period and node-margin's
 * inputs are checked there too, so that registering these commands loads neither the strategies
 * nor zod (the names the help lists are in names.ts).
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { CliContext } from './io.js';
import { DEFAULT_STRATEGY_FOR_HELP, STRATEGY_NAMES_FOR_HELP } from './names.js';
import type { ClusterDownFlags, ClusterUpFlags } from './node-run.js';
import { intOption, parseDecimal } from './options.js';

/** `--threshold NAME=VALUE`, repeatable: node-margin's thresholds by metric (the names are checked when it runs). */
function thresholdOption(value: string, previous: Record<string, number> = {}): Record<string, number> {
  const [, name, number] = /^([^=\s]+)=(.*)$/.exec(value) ?? [];
  const n = parseDecimal(number ?? '');
  if (!name || Number.isNaN(n))
    throw new InvalidArgumentError(
      `--threshold must be NAME=NUMBER such as cpu_usage_node=150, got "${value}"`,
    );
  return { ...previous, [name]: n };
}

/** `--node-type heavy|mid|light|N`: a number stays a number (a capacity), a name a name. */
function nodeTypeOption(value: string): string | number {
  const n = parseDecimal(value);
  return Number.isNaN(n) ? value : n;
}

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
  node
    .command('id')
    .description(
      "print a node's libp2p peer id from its identity file, creating the key when the file is missing (for bootstrap lists)",
    )
    .requiredOption('--identity <file>', 'the identity file (identity_file of the node configuration)')
    .action(async (flags: { identity: string }) => (await run()).runNodeId(flags, context()));

  const cluster = program
    .command('cluster')
    .description('N DFaaS nodes on this machine, connected on loopback');
  cluster
    .command('up')
    .description(
      'start N nodes (one process each) and keep them running until Ctrl-C or `dfaas cluster down`',
    )
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
    .option(
      '--forecaster-models <dir>',
      'node-margin: the models of `dfaas forecast train` (e.g. examples/forecast/models), loaded by each node',
    )
    .option(
      '--groups <file>',
      'node-margin: the function groups, a group_list.json (e.g. examples/forecast/group_list.json)',
    )
    .option(
      '--threshold <name=value>',
      'node-margin: overloaded above this predicted metric, in the models’ units (e.g. cpu_usage_node=150, percent of one core); repeatable',
      thresholdOption,
    )
    .option(
      '--node-type <type>',
      'node-margin: the node type the forecaster predicts for: heavy, mid, light or a capacity number (default: heavy)',
      nodeTypeOption,
    )
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

  cluster
    .command('down')
    .description(
      'stop the cluster of a folder, started in the background or in another terminal (SIGTERM, then SIGKILL after --timeout)',
    )
    .option('--dir <dir>', 'the folder of `dfaas cluster up`', 'results/cluster')
    .option('--timeout <ms>', 'how long the cluster may take to stop', intOption('--timeout', 1), 30_000)
    .action(async (flags: ClusterDownFlags) => (await run()).runClusterDown(flags, context()));
}
