import type { Command } from 'commander';
import { type LoadScenarios, LoadScenariosSchema } from '../config/load-scenarios.js';
import { loadConfigFile, validateConfig } from '../config/read-file.js';
import { ConfigError } from '../core/errors.js';
import { writeFileAtomic } from '../core/files.js';
import { type LoadProgress, runLoad } from '../load/builtin/generator.js';
import { toK6Summary } from '../load/k6-summary.js';
import { badFlag } from './errors.js';
import { type GlobalOptions, intOption } from './options.js';
import { formatTable } from './table.js';

interface LoadFlags {
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

export function registerLoad(program: Command, globals: () => GlobalOptions): void {
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
    .action(async (flags: LoadFlags) => {
      const { json, logger } = globals();
      const config = flags.scenarios
        ? loadConfigFile(LoadScenariosSchema, flags.scenarios)
        : fromFlags(flags);
      const onProgress = process.stderr.isTTY && !json ? progressLine : undefined;
      logger.debug('load starting', { scenarios: Object.keys(config.scenarios) });
      const run = await runLoad(config.scenarios, onProgress ? { onProgress } : {});
      if (onProgress) process.stderr.write('\n');
      const summary = toK6Summary(run);
      if (flags.summaryExport) writeFileAtomic(flags.summaryExport, `${JSON.stringify(summary, null, 2)}\n`);
      if (json) {
        process.stdout.write(`${JSON.stringify(summary)}\n`);
        return;
      }
      process.stdout.write(
        formatTable(
          ['scenario', 'sent', 'ok', 'failed', 'dropped', 'achieved rps', 'p50 ms', 'p95 ms', 'max ms'],
          Object.entries(run.scenarios).map(([name, r]) => [
            name,
            String(r.sent),
            String(r.ok),
            String(r.errors),
            String(r.dropped),
            ((r.sent / run.elapsedMs) * 1000).toFixed(1),
            (r.latencyUs.getValueAtPercentile(50) / 1000).toFixed(2),
            (r.latencyUs.getValueAtPercentile(95) / 1000).toFixed(2),
            (r.latencyUs.maxValue / 1000).toFixed(2),
          ]),
        ),
      );
      if (flags.summaryExport) process.stdout.write(`\nsummary: ${flags.summaryExport}\n`);
    });
}

function fromFlags(flags: LoadFlags): LoadScenarios {
  if (!flags.url) throw badFlag('--url', 'give --url (with --rate) or --scenarios FILE');
  if (flags.rate === undefined) throw badFlag('--rate', 'give the requests per second');
  const rate = Number(flags.rate);
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

function progressLine(p: LoadProgress): void {
  const pct = p.planned > 0 ? Math.min(100, (p.completed / p.planned) * 100) : 100;
  process.stderr.write(
    `\r${(p.elapsedMs / 1000).toFixed(1)}s / ${(p.durationMs / 1000).toFixed(0)}s  ${p.completed}/${p.planned} responses (${pct.toFixed(0)}%)   `,
  );
}
