/** `dfaas sample` at work: the plan (--dry-run) or a sampler session with its progress. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadSamplerConfigWithNotes, type SamplerConfig } from '../config/sampler.js';
import { ConfigError } from '../core/errors.js';
import { RESULTS_ROOT } from '../core/files.js';
import type { Logger } from '../core/logger.js';
import { BUILTIN_FUNCTIONS } from '../platform/functions/builtins.js';
import { checkPlanSize, planSweep } from '../sampler/plan.js';
import type { SweepProgress } from '../sampler/runner.js';
import type { runSamplerSession } from '../sampler/session.js';
import { badFlag } from './errors.js';
import type { CliContext } from './io.js';
import { printResult } from './output.js';
import { createProgress } from './progress.js';

export interface SampleFlags {
  config?: string;
  dryRun?: boolean;
  profile?: boolean;
  outputDir?: string;
  /** --no-retry-skipped sets it false. */
  retrySkipped: boolean;
}

export interface CompareFlags {
  out?: string;
}

export interface ExportFlags {
  format: 'csv' | 'parquet';
  long?: boolean;
  out?: string;
}

/** `dfaas sample export DIR`: the results as a tidy table (CSV or Parquet). */
export async function runExport(dir: string, flags: ExportFlags, ctx: CliContext): Promise<void> {
  const { writeExport } = await import('../sampler/export.js');
  const result = writeExport(dir, {
    format: flags.format,
    long: Boolean(flags.long),
    ...(flags.out ? { out: flags.out } : {}),
  });
  printResult(ctx, result, () => `${result.rows} rows: ${resolve(result.path)}\n`);
}

export async function runSample(flags: SampleFlags & { config?: string }, ctx: CliContext): Promise<void> {
  if (!flags.config)
    throw badFlag(
      '--config',
      'give the sampler configuration (--config FILE), or a subcommand: report, compare',
    );
  await runSweepCommand({ ...flags, config: flags.config }, ctx);
}

/** `dfaas sample report DIR`: report.html again, from the folder alone. */
export async function runReport(dir: string, ctx: CliContext): Promise<void> {
  const { writeReport } = await import('../sampler/report.js');
  const report = await writeReport(dir);
  printResult(ctx, { report }, () => `report: ${resolve(report)}\n`);
}

/** `dfaas sample compare DIR DIR…`: compare.html and differences.csv. */
export async function runCompare(dirs: string[], flags: CompareFlags, ctx: CliContext): Promise<void> {
  if (dirs.length < 2)
    throw badFlag('DIR', `give two or more sweeps' folders to compare, got ${dirs.length}`);
  const { writeComparison } = await import('../sampler/compare.js');
  const out = flags.out ?? join(RESULTS_ROOT, `compare-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  const result = await writeComparison(dirs, out);
  printResult(ctx, result, () =>
    [
      `compared ${result.labels.join(', ')}: ${result.shared} configurations measured in two or more`,
      `report:      ${resolve(result.report)}`,
      `differences: ${resolve(result.differences)}`,
      '',
    ].join('\n'),
  );
}

async function runSweepCommand(flags: SampleFlags & { config: string }, ctx: CliContext): Promise<void> {
  const { config: loaded, unused } = loadSamplerConfigWithNotes(
    flags.config,
    flags.outputDir ? { output_dir: flags.outputDir } : {},
  );
  for (const key of unused) ctx.logger.info(`accepted, not used by dfaas: ${key}`);
  const builtins = !loaded.platform && !loaded.gateway_url;
  if (builtins) checkBuiltinNames(loaded, flags.config, ctx.logger);
  // --dry-run plans only: no gateway is started or contacted, whatever the target.
  if (flags.dryRun) return printPlan(loaded, flags.config, ctx);
  // The session (gateway, load drivers, metrics sources) loads only for a run.
  const { defaultRunId, runSamplerSession } = await import('../sampler/session.js');
  const stackDir = builtins ? mkdtempSync(join(tmpdir(), 'dfaas-builtins-')) : undefined;
  try {
    const config = stackDir
      ? embeddedBuiltinsStack(loaded, stackDir, loaded.run_id ?? defaultRunId(flags.config, loaded))
      : loaded;
    const progress = createProgress(ctx, 'progress');
    const interrupts = ctx.interrupts();
    try {
      const result = await runSamplerSession({
        config,
        configFile: flags.config,
        profile: Boolean(flags.profile),
        logger: ctx.logger,
        onProgress: (p) => progress.update(progressText(p), { ...p }),
        retrySkipped: flags.retrySkipped,
        signal: interrupts.signal,
      });
      printSampleResult(ctx, flags, result);
    } finally {
      progress.done();
      interrupts.dispose();
    }
  } finally {
    if (stackDir) rmSync(stackDir, { recursive: true, force: true });
  }
}

/**
 * A configuration naming neither platform nor gateway_url runs on the embedded platform with the
 * built-in functions of the same names: each name must be one (bad input naming functions[i].name).
 */
function checkBuiltinNames(config: SamplerConfig, configFile: string, logger: Logger): void {
  const issues = config.functions.flatMap((f, i) =>
    BUILTIN_FUNCTIONS.has(f.name)
      ? []
      : [
          {
            field: `functions[${i}].name`,
            message: `no platform or gateway_url is given, and "${f.name}" is not a built-in function (${[...BUILTIN_FUNCTIONS.keys()].join(', ')}): give platform.stack or gateway_url`,
          },
        ],
  );
  if (issues.length > 0) throw new ConfigError(configFile, issues);
  logger.info(
    `no platform or gateway_url: the embedded platform with the built-in functions ${config.functions.map((f) => f.name).join(', ')}`,
  );
}

/**
 * The configuration with platform.stack set to a generated stack of the built-ins (in `dir`,
 * removed after the run). Its run id is fixed first, from the configuration as written, so that
 * rerunning the same file resumes (the generated path changes every run).
 */
export function embeddedBuiltinsStack(config: SamplerConfig, dir: string, runId: string): SamplerConfig {
  const stack = join(dir, 'builtins-stack.json');
  const functions = Object.fromEntries(
    config.functions.map((f) => [f.name, { lang: 'builtin', handler: f.name }]),
  );
  writeFileSync(stack, `${JSON.stringify({ version: '1.0', functions }, null, 2)}\n`);
  return {
    ...config,
    run_id: runId,
    platform: { stack, port: 0 },
  };
}

function printSampleResult(
  ctx: CliContext,
  flags: SampleFlags,
  result: Awaited<ReturnType<typeof runSamplerSession>>,
): void {
  printResult(ctx, result, () =>
    flags.profile
      ? `profiles:\n${result.profiles.map((p) => `  ${p}\n`).join('')}`
      : [
          `results: ${resolve(result.outputDir, 'results.csv')}`,
          `report:  ${result.report}`,
          ...(result.skipped > 0
            ? [
                `skipped: ${result.skipped} configurations, with their reasons in ${resolve(result.outputDir, 'skipped.csv')}`,
              ]
            : []),
          ...(result.busyBaseline
            ? [
                'warning: the node was not idle when its baseline was measured (run.json: baseline.busyReasons)',
              ]
            : []),
          '',
        ].join('\n'),
  );
}

/** One terminal line of a sweep's progress, counted in runs (a configuration's iterations); also `dfaas demo`'s. */
export function progressText(p: SweepProgress): string {
  const eta = p.etaMs === undefined ? '?' : `${Math.round(p.etaMs / 1000)} s`;
  const current = p.current ? ` now ${JSON.stringify(p.current.rates)} #${p.current.iteration + 1}` : '';
  if (p.phase === 'frontier')
    return `frontier refinement: runs ${p.done} done, ${p.skipped} skipped, ${Math.round(p.elapsedMs / 1000)} s${current}`;
  return `runs ${p.done} done, ${p.skipped} skipped, ${p.left} left, ${Math.round(p.elapsedMs / 1000)} s, eta ${eta}${current}`;
}

function printPlan(config: SamplerConfig, configFile: string, ctx: CliContext): void {
  checkPlanSize(config, configFile);
  const configs = planSweep(config);
  printResult(ctx, { configs }, () => {
    const names = [...config.functions.map((f) => f.name)].sort();
    const runs = configs.length * config.iterations;
    return [
      {
        header: ['id', ...names],
        rows: configs.map((c) => [c.id, ...names.map((n) => (n in c.rates ? String(c.rates[n]) : '-'))]),
      },
      `\n${configs.length} configurations × ${config.iterations} iterations = ${runs} runs, at least ${((runs * config.duration) / 60_000).toFixed(1)} min of load (cooldowns not counted)${config.frontier ? `, then frontier refinement to ${config.frontier.rate_step} requests/s (its runs depend on which configurations overload the node)` : ''}\n`,
    ];
  });
}
