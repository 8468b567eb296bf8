import { createHash } from 'node:crypto';
import { basename, dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadSamplerConfig, type SamplerConfig } from '../config/sampler.js';
import { startGateway } from '../platform/local/gateway.js';
import { LocalPlatform } from '../platform/local/platform.js';
import { loadStackForLocal } from '../platform/local/stack.js';
import { LocalMetricsSource } from '../sampler/metrics-source.js';
import { planSweep } from '../sampler/plan.js';
import { runSweep, type SweepProgress } from '../sampler/runner.js';
import { badFlag } from './errors.js';
import type { GlobalOptions } from './options.js';
import { formatTable } from './table.js';

interface SampleFlags {
  config: string;
  dryRun?: boolean;
  outputDir?: string;
}

export function registerSample(program: Command, globals: () => GlobalOptions): void {
  program
    .command('sample')
    .description('sweep load configurations over functions and record what the node did (CSV datasets)')
    .requiredOption('--config <file>', 'sampler configuration (YAML/JSON; `dfaas schema sampler`)')
    .option('--output-dir <dir>', 'where the results go (default: output_dir, else ./dfaas-results/RUN_ID)')
    .option('--dry-run', 'print the plan in execution order and run nothing')
    .action(async (flags: SampleFlags) => {
      const { json, logger } = globals();
      const config = loadSamplerConfig(flags.config, flags.outputDir ? { output_dir: flags.outputDir } : {});
      if (flags.dryRun) return printPlan(config, json);
      if (config.gateway_url || config.metrics.source === 'prometheus') {
        throw badFlag(
          'gateway_url',
          'this version sweeps the embedded gateway with its own metrics only: give platform.stack, not gateway_url or metrics.source prometheus',
        );
      }
      if (!config.platform) throw badFlag('platform.stack', 'give the stack file the embedded gateway runs');
      const stack = resolve(dirname(flags.config), config.platform.stack);
      const deployments = loadStackForLocal(stack);
      const missing = config.functions.filter((f) => !deployments.some((d) => d.service === f.name));
      if (missing.length > 0) {
        throw badFlag('functions', `not in ${stack}: ${missing.map((f) => f.name).join(', ')}`);
      }
      const outputDir = resolve(
        config.output_dir ?? `dfaas-results/${config.run_id ?? defaultRunId(flags.config, config)}`,
      );
      const platform = new LocalPlatform({ logger });
      const gateway = await startGateway({ platform, port: 0, logger });
      try {
        const wanted = deployments.filter((d) => config.functions.some((f) => f.name === d.service));
        for (const d of wanted) await platform.deploy(d);
        // The idle baseline is measured once the replicas have started, not while they start.
        await waitReady(
          platform,
          wanted.map((d) => d.service),
        );
        logger.info(`sweep: embedded gateway on ${gateway.url}, results in ${outputDir}`);
        const tty = process.stderr.isTTY && !json;
        const result = await runSweep({
          config,
          outputDir,
          gatewayUrl: gateway.url,
          metrics: new LocalMetricsSource(platform),
          logger,
          onProgress: (p) =>
            tty ? process.stderr.write(`\r${progressText(p)}   `) : logger.info('progress', { ...p }),
        });
        if (tty) process.stderr.write('\n');
        if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
        else process.stdout.write(`results: ${resolve(outputDir, 'results.csv')}\n`);
      } finally {
        await gateway.close();
      }
    });
}

async function waitReady(platform: LocalPlatform, names: string[], timeoutMs = 60_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const statuses = await Promise.all(names.map((n) => platform.get(n)));
    if (statuses.every((s) => (s.availableReplicas ?? 0) >= (s.replicas ?? 0))) return;
    if (performance.now() > deadline)
      throw new Error(`functions not ready within ${timeoutMs} ms: ${names.join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A run id that is the same for the same command and file, so rerunning it resumes. */
function defaultRunId(file: string, config: SamplerConfig): string {
  const hash = createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 8);
  return `${basename(file).replace(/\.[^.]+$/, '')}-${hash}`;
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
