import { dirname, resolve } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { loadConfigFile } from '../config/read-file.js';
import { parseDurationMs } from '../config/units.js';
import { startNode } from '../node/agent/node.js';
import { fetchStatus, planCluster, readClusterPlan, startCluster } from '../node/cluster.js';
import { NODE_STRATEGIES, NodeConfigSchema, type NodeStrategyName } from '../node/config.js';
import { loadStackForEmbedded } from '../platform/embedded/stack.js';
import { type GlobalOptions, intOption } from './options.js';
import { untilSignal } from './signals.js';
import { formatTable } from './table.js';

export function registerNode(program: Command, globals: () => GlobalOptions): void {
  const node = program
    .command('node')
    .description('a DFaaS node: agent + weighted proxy + FaaS platform + metrics');
  node
    .command('up')
    .description('run one node until Ctrl-C (see `dfaas schema node` for the configuration)')
    .requiredOption('--config <file>', 'node configuration (YAML or JSON)')
    .action(async (flags: { config: string }) => {
      const { logger, json } = globals();
      const config = loadConfigFile(NodeConfigSchema, flags.config);
      const running = await startNode(config, dirname(resolve(flags.config)), logger);
      const summary = {
        node: running.name,
        peerId: running.peerId,
        proxy: running.proxyUrl,
        proxyDriver: running.proxyKind,
        agent: running.agentUrl,
        gateway: running.gatewayUrl,
        p2p: running.p2pAddresses,
        strategy: config.agent.strategy,
      };
      if (json) process.stdout.write(`${JSON.stringify(summary)}\n`);
      logger.info(`node ${running.name} up: send requests to ${running.proxyUrl}/function/NAME`, summary);
      await Promise.race([untilSignal(logger), parentGone()]);
      logger.info(`node ${running.name}: stopping`);
      await running.stop();
      // Close the channel to `cluster up` (if any): a listener on it would keep this process alive.
      if (process.connected) process.disconnect();
    });

  const cluster = program
    .command('cluster')
    .description('N DFaaS nodes on this machine, connected on loopback');
  cluster
    .command('up')
    .description('start N nodes (one process each) and keep them running until Ctrl-C')
    .option('--nodes <n>', 'how many nodes', intOption('--nodes', 1, 50), 3)
    .addOption(
      new Option('--strategy <name>', 'offloading strategy').choices([...NODE_STRATEGIES]).default('recalc'),
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
    .option('--period <duration>', 'agent recalculation period', durationOption('--period'), 5_000)
    .option('--dir <dir>', 'folder for the nodes’ configs, keys, logs and decision logs', 'results/cluster')
    .option(
      '--start-timeout <ms>',
      'how long each node may take to start',
      intOption('--start-timeout', 1),
      60_000,
    )
    .action(
      async (flags: {
        nodes: number;
        strategy: NodeStrategyName;
        proxy: 'auto' | 'embedded' | 'haproxy';
        stack?: string;
        period: number;
        dir: string;
        startTimeout: number;
      }) => {
        const { logger, logLevel, json } = globals();
        // Checked here so a bad stack exits 2 before any node starts.
        if (flags.stack) loadStackForEmbedded(flags.stack);
        const plan = await planCluster({
          nodes: flags.nodes,
          strategy: flags.strategy,
          proxy: flags.proxy,
          periodMs: flags.period,
          stack: flags.stack,
          dir: flags.dir,
        });
        const cluster = await startCluster(plan, logLevel, flags.startTimeout);
        if (json) process.stdout.write(`${JSON.stringify(plan)}\n`);
        else {
          process.stdout.write(
            formatTable(
              ['node', 'proxy (send requests here)', 'agent status', 'peer id'],
              plan.nodes.map((n) => [
                n.name,
                `${n.proxyUrl}/function/NAME`,
                `${n.agentUrl}/agent/status`,
                n.peerId,
              ]),
            ),
          );
          process.stdout.write(
            `\n${plan.strategy} cluster up (${plan.dir}); dfaas cluster status --dir ${flags.dir}; Ctrl-C stops it\n`,
          );
        }
        let stopping = false;
        for (const n of plan.nodes) {
          cluster.children.get(n.name)?.on('exit', (code, signal) => {
            if (!stopping) logger.warn(`${n.name} exited (${code ?? signal}); see ${n.log}`);
          });
        }
        await untilSignal(logger);
        stopping = true;
        logger.info('stopping the cluster');
        await cluster.stop();
      },
    );

  cluster
    .command('status')
    .description("each node's peers, function rates and current weights (from its /agent/status)")
    .option('--dir <dir>', 'the folder of `dfaas cluster up`', 'results/cluster')
    .action(async (flags: { dir: string }) => {
      const { json } = globals();
      const plan = readClusterPlan(flags.dir);
      const statuses = await Promise.all(
        plan.nodes.map(async (n) => ({ node: n, status: await fetchStatus(n).catch((e: Error) => e) })),
      );
      if (json) {
        const out = statuses.map(({ node, status }) =>
          status instanceof Error ? { node: node.name, error: status.message } : status,
        );
        process.stdout.write(`${JSON.stringify(out)}\n`);
        return;
      }
      const names = new Map(plan.nodes.map((n) => [n.peerId, n.name]));
      const rows: string[][] = [];
      for (const { node, status } of statuses) {
        if (status instanceof Error) {
          rows.push([node.name, 'down', '-', '-', '-', '-', status.message]);
          continue;
        }
        const peers = status.peers.map((p) => names.get(p.id) ?? p.id.slice(-6)).join(',') || '-';
        for (const [fn, f] of Object.entries(status.functions)) {
          const weights = Object.entries(f.route?.weights ?? {})
            .filter(([, w]) => w > 0)
            .map(([t, w]) => `${names.get(t) ?? t}:${w}`)
            .join(' ');
          rows.push([
            node.name,
            peers,
            fn,
            (f.rates?.user ?? 0).toFixed(1),
            (f.rates?.local ?? 0).toFixed(1),
            f.route?.localLimit === null || f.route === null ? '-' : String(f.route.localLimit),
            weights || '-',
          ]);
        }
      }
      process.stdout.write(
        formatTable(['node', 'peers', 'function', 'user r/s', 'local r/s', 'limit', 'weights'], rows),
      );
    });
}

/**
 * Resolves when the process that started this node (`dfaas cluster up`, over an IPC channel) is
 * gone, even if it was killed without a chance to stop its nodes; never for a node started by hand.
 */
function parentGone(): Promise<void> {
  return new Promise((resolve) => {
    if (process.connected) process.once('disconnect', resolve);
  });
}

function durationOption(flag: string) {
  return (value: string): number => {
    const ms = parseDurationMs(value);
    if (ms === undefined || ms <= 0)
      throw new InvalidArgumentError(`${flag} must be a duration > 0 such as 5s, got "${value}"`);
    return ms;
  };
}
