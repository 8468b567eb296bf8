/** `dfaas load` at work: scenarios from the flags or a file, the built-in generator, a k6-shaped summary. */
import { dirname, resolve } from 'node:path';
import { type LoadScenarios, LoadScenariosSchema } from '../config/load-scenarios.js';
import { loadConfigFile, validateConfig } from '../config/read-file.js';
import { ConfigError, PreflightError } from '../core/errors.js';
import { ensureDir, writeFileAtomic } from '../core/files.js';
import { whyNoAnswer } from '../core/net.js';
import { runLoad } from '../load/builtin/generator.js';
import { toK6Summary } from '../load/k6-summary.js';
import { badFlag } from './errors.js';
import type { CliContext } from './io.js';
import { parseDecimal } from './options.js';
import { printResult } from './output.js';
import { createProgress } from './progress.js';

export interface LoadFlags {
  url?: string;
  rate?: string;
  duration: string;
  method: string;
  body: string;
  header: string[];
  maxVus?: number;
  scenarios?: string;
  summaryExport?: string;
}

/** Where a scenario field came from on the command line, to name the flag in errors. */
const FLAG_OF: Record<string, string> = {
  'scenarios.default.request.url': '--url',
  'scenarios.default.request.method': '--method',
  'scenarios.default.rate': '--rate',
  'scenarios.default.duration': '--duration',
  'scenarios.default.maxVUs': '--max-vus',
};

export async function runLoadCommand(flags: LoadFlags, ctx: CliContext): Promise<void> {
  const config = flags.scenarios ? loadConfigFile(LoadScenariosSchema, flags.scenarios) : fromFlags(flags);
  // Where the summary goes is checked before the load runs, not after.
  if (flags.summaryExport)
    ensureDir(dirname(resolve(flags.summaryExport)), { source: 'command line', field: '--summary-export' });
  await checkTargetsAnswer(Object.values(config.scenarios).map((s) => s.request.url));
  const progress = createProgress(ctx, 'load progress');
  ctx.logger.debug('load starting', { scenarios: Object.keys(config.scenarios) });
  const run = await runLoad(config.scenarios, {
    onProgress: (p) => {
      const pct = p.planned > 0 ? Math.min(100, (p.completed / p.planned) * 100) : 100;
      progress.update(
        `${(p.elapsedMs / 1000).toFixed(1)}s / ${(p.durationMs / 1000).toFixed(0)}s  ${p.completed}/${p.planned} responses (${pct.toFixed(0)}%)`,
        { ...p },
      );
    },
  });
  progress.done();
  const summary = toK6Summary(run);
  if (flags.summaryExport) writeFileAtomic(flags.summaryExport, `${JSON.stringify(summary, null, 2)}\n`);
  printResult(ctx, summary, () => [
    {
      header: [
        'scenario',
        'sent',
        'ok',
        'failed',
        'dropped',
        'achieved rps',
        'p50 ms',
        'p95 ms',
        'max ms',
        'failures by cause',
      ],
      rows: Object.entries(run.scenarios).map(([name, r]) => [
        name,
        String(r.sent),
        String(r.ok),
        String(r.errors),
        String(r.dropped),
        ((r.sent / run.elapsedMs) * 1000).toFixed(1),
        (r.latencyUs.getValueAtPercentile(50) / 1000).toFixed(2),
        (r.latencyUs.getValueAtPercentile(95) / 1000).toFixed(2),
        (r.latencyUs.maxValue / 1000).toFixed(2),
        Object.entries(r.failures)
          .sort(([, a], [, b]) => b - a)
          .map(([cause, n]) => `${cause} ×${n}`)
          .join(', ') || '-',
      ]),
    },
    flags.summaryExport ? `\nsummary: ${flags.summaryExport}\n` : '',
  ]);
}

/**
 * Pre-flight: every target's host and port accepts a connection, so a closed port or a typo in a
 * URL is an error before any load, not a run of failed requests and a summary of zeros.
 */
async function checkTargetsAnswer(urls: string[]): Promise<void> {
  const origins = [...new Set(urls.map((u) => new URL(u).origin))];
  const problems = (await Promise.all(origins.map(async (o) => ({ o, why: await whyNoAnswer(o) }))))
    .filter((p) => p.why !== undefined)
    .map((p) => `${p.o} does not answer: ${p.why}`);
  if (problems.length > 0) throw new PreflightError('the load', problems);
}

function fromFlags(flags: LoadFlags): LoadScenarios {
  if (!flags.url) throw badFlag('--url', 'give --url (with --rate) or --scenarios FILE');
  if (flags.rate === undefined) throw badFlag('--rate', 'give the requests per second');
  const rate = parseDecimal(flags.rate);
  const headers: Record<string, string> = {};
  for (const h of flags.header) {
    const colon = h.indexOf(':');
    if (colon <= 0) throw badFlag('--header', `expected "Name: value", got "${h}"`);
    headers[h.slice(0, colon).trim()] = h.slice(colon + 1).trim();
  }
  const raw = {
    scenarios: {
      default: {
        executor: 'constant-arrival-rate',
        rate: Number.isFinite(rate) ? rate : flags.rate,
        duration: flags.duration,
        ...(flags.maxVus ? { maxVUs: flags.maxVus } : {}),
        request: { method: flags.method, url: flags.url, body: flags.body, headers },
      },
    },
  };
  try {
    return validateConfig(LoadScenariosSchema, raw, 'command line');
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw new ConfigError(
      'command line',
      err.issues.map((i) => ({ field: FLAG_OF[i.field] ?? i.field, message: i.message })),
    );
  }
}
