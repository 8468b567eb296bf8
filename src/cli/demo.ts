import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadSamplerConfig } from '../config/sampler.js';
import { HANDLER_ANNOTATION } from '../config/stack.js';
import { writeFileAtomic } from '../core/files.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { type OffloadResult, runOffloadScenario } from '../node/offload-scenario.js';
import { measureColdWarm } from '../platform/cold-warm.js';
import { startGateway } from '../platform/embedded/gateway.js';
import { EmbeddedPlatform } from '../platform/embedded/platform.js';
import { loadStackForEmbedded } from '../platform/embedded/stack.js';
import { BUILTIN_FUNCTIONS } from '../platform/functions/builtins.js';
import { OpenFaaSClient } from '../platform/openfaas/client.js';
import { planSweep } from '../sampler/plan.js';
import { runSamplerSession } from '../sampler/session.js';
import type { GlobalOptions } from './options.js';
import { formatTable } from './table.js';

const EXAMPLE_STACK = new URL('../../examples/stack.yml', import.meta.url).pathname;
const DEMO_SWEEP = new URL('../../examples/demo-sample.yaml', import.meta.url).pathname;
/** Annotation with the request body `dfaas demo` sends to a function (built-ins have their own). */
const EXAMPLE_ANNOTATION = 'dfaas.example';

export function registerDemo(program: Command, globals: () => GlobalOptions): void {
  program
    .command('demo')
    .description(
      'start the embedded gateway with a stack, call each function cold and warm, print a table, then run a small sweep and a three-node offloading run',
    )
    .option('--stack <file>', 'stack file', EXAMPLE_STACK)
    .option('--out <dir>', 'folder for the results', 'results')
    .option('--sweep <file>', 'sampler configuration of the small sweep that follows', DEMO_SWEEP)
    .option('--no-sweep', 'skip the sweep')
    .option('--no-offload', 'skip the three-node offloading run at the end')
    .action(async (flags: { stack: string; out: string; sweep: string | false; offload: boolean }) => {
      const { logger, json } = globals();
      const deployments = loadStackForEmbedded(flags.stack);
      const platform = new EmbeddedPlatform({ logger });
      const gateway = await startGateway({ platform, port: 0, logger });
      const client = new OpenFaaSClient({ gateway: gateway.url });
      let outcome: { results: unknown[]; file: string; stamp: string } | undefined;
      try {
        logger.info(
          `embedded gateway on ${gateway.url}, deploying ${deployments.length} functions from ${flags.stack}`,
        );
        for (const d of deployments) await client.deploy(d);
        const rows = [];
        for (const [i, d] of deployments.entries()) {
          const handler = d.annotations?.[HANDLER_ANNOTATION] ?? '';
          const body =
            d.annotations?.[EXAMPLE_ANNOTATION] ??
            BUILTIN_FUNCTIONS.get(handler.replace(/^builtin:/, ''))?.example ??
            '';
          logger.info(`[${i + 1}/${deployments.length}] ${d.service}: cold and warm call`);
          rows.push(await measureColdWarm(client, d.service, { body }));
        }
        const stamp = new Date().toISOString().replace(/[:.]/g, '-');
        const file = resolve(flags.out, `demo-${stamp}.json`);
        writeFileAtomic(
          file,
          `${JSON.stringify({ gateway: gateway.url, stack: flags.stack, results: rows }, null, 2)}\n`,
        );
        if (!json) {
          process.stdout.write(
            formatTable(
              ['function', 'replicas', 'cold-start ms', 'cold call ms', 'warm ms', 'status', 'response'],
              rows.map((r) => [
                r.function,
                String(r.replicas),
                r.coldStartMs === undefined ? '-' : r.coldStartMs.toFixed(1),
                r.coldMs.toFixed(1),
                r.warmMs.toFixed(1),
                String(r.status),
                excerpt(r.response),
              ]),
            ),
          );
          process.stdout.write(`\ncold and warm calls: ${file}\n`);
        }
        outcome = { results: rows, file, stamp };
      } finally {
        await client.close();
        await gateway.close();
      }
      if (!outcome) return;
      let sweep: { results: string; report: string } | undefined;
      if (flags.sweep) {
        const config = loadSamplerConfig(flags.sweep, {
          output_dir: resolve(flags.out, `sweep-${outcome.stamp}`),
        });
        logger.info(`a small sweep from ${flags.sweep}: ${planSweep(config).length} configurations`);
        const tty = process.stderr.isTTY && !json;
        const result = await runSamplerSession({
          config,
          configFile: flags.sweep,
          logger: silentLogger,
          onProgress: (p) =>
            tty
              ? process.stderr.write(`\r  ${p.done} done, ${p.skipped} skipped, ${p.left} left   `)
              : logger.info('sweep progress', { done: p.done, skipped: p.skipped, left: p.left }),
        });
        if (tty) process.stderr.write('\n');
        sweep = { results: resolve(result.outputDir, 'results.csv'), report: result.report };
        if (!json) process.stdout.write(`sweep results: ${sweep.results}\nsweep report:  ${sweep.report}\n`);
      }
      const offload = flags.offload
        ? await offloadRun(resolve(flags.out, `offload-${outcome.stamp}`), json, logger)
        : undefined;
      if (json)
        process.stdout.write(
          `${JSON.stringify({ results: outcome.results, file: outcome.file, sweep, offload })}\n`,
        );
    });
}

/**
 * Three nodes on this machine, one overloaded (see node/offload-scenario.ts): recalc, then
 * all-local for comparison, each with a few seconds measured; the nodes' configs, logs and decision
 * logs stay in `dir`.
 */
async function offloadRun(
  dir: string,
  json: boolean,
  logger: Logger,
): Promise<{ dir: string; runs: OffloadResult[] }> {
  const runs: OffloadResult[] = [];
  for (const strategy of ['recalc', 'all-local'] as const) {
    logger.info(`three-node offloading with ${strategy}: node-1 gets 12 requests/s, its function takes 10`);
    runs.push(
      await runOffloadScenario({ strategy, proxy: 'embedded', dir: join(dir, strategy), durationMs: 6_000 }),
    );
  }
  if (!json) {
    process.stdout.write(
      `\n${formatTable(
        ['strategy', 'requests', 'success %', 'served by peers %', 'refused'],
        runs.map((r) => [
          r.strategy,
          String(r.sent),
          (100 * r.successRate).toFixed(1),
          (100 * r.servedByPeers).toFixed(1),
          Object.entries(r.statuses)
            .map(([status, n]) => `${status}×${n}`)
            .join(' ') || '-',
        ]),
      )}three-node offloading (nodes' configs, logs and decisions): ${dir}\n`,
    );
  }
  writeFileAtomic(join(dir, 'offload.json'), `${JSON.stringify(runs, null, 2)}\n`);
  return { dir, runs };
}

/** First line with text, cut to 40 characters, so ASCII art and env dumps fit a table cell. */
function excerpt(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.length > 40 ? `${line.slice(0, 39)}…` : line;
}
