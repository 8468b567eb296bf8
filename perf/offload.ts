/**
 * What each offloading strategy makes of an overloaded node: the three-node scenario of
 * src/node/offload-scenario.ts (node-1 gets 12 requests/s of `work`, whose capacity is about 10/s
 * on any node, while node-2 and node-3 are idle) once per strategy, side by side. all-local, which
 * never offloads, is the reference: every other strategy's success rate is given as a ratio of its.
 *
 *   npm run perf -- offload [seconds-of-load] [--proxy embedded|haproxy] [--rate R] [--strategies a,b]
 *
 * Each strategy gets a fresh cluster (3 `dfaas node up` processes, 1 s periods); the first 3
 * periods of load are not counted.
 *
 * node-margin is given the committed models (examples/forecast/models, trained on figlet, shasum,
 * eat-memory and matmul) with `work` put in the HIGH_USAGE group and a CPU threshold of 20% of a
 * core: those models predict about 3% below 7.5 requests/s of HIGH_USAGE and 35% above, so node-1
 * is predicted overloaded at 12 requests/s and moves load in 1% steps until it is not. The
 * function's real limit is its concurrency, not CPU, so this shows the strategy's mechanics
 * rather than a forecast of this function. equal gets the same settings. power-saving is left out
 * of the default list: the committed models have no power model for it to predict with.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type OffloadResult,
  type OffloadScenarioOptions,
  predictingAgent,
  runOffloadScenario,
} from '../src/node/offload-scenario.js';
import { needsForecaster, STRATEGY_NAMES, type StrategyName } from '../src/offload/strategies/index.js';
import { type Figure, figure, type PerfReport, report } from './lib/report.js';

const HAPROXY = '/usr/sbin/haproxy';
const examples = (p: string) => fileURLToPath(new URL(`../examples/forecast/${p}`, import.meta.url));

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

type Row = { strategy: StrategyName; result?: OffloadResult; error?: string };

export async function run(args: string[]): Promise<PerfReport> {
  const seconds = Number(args[0] && !args[0].startsWith('--') ? args[0] : 12);
  const proxy = flag(args, '--proxy') ?? 'embedded';
  if (proxy !== 'embedded' && proxy !== 'haproxy') throw new Error('--proxy: embedded or haproxy');
  const rate = Number(flag(args, '--rate') ?? 12);
  const strategies = (flag(args, '--strategies')?.split(',') ??
    STRATEGY_NAMES.filter((s) => s !== 'power-saving')) as StrategyName[];
  for (const s of strategies) if (!STRATEGY_NAMES.includes(s)) throw new Error(`unknown strategy ${s}`);
  if (!strategies.includes('all-local')) strategies.unshift('all-local');

  console.log(
    `offload: 3 nodes, node-1 loaded with ${rate} rps of work (sleep 400 ms, max_inflight 4: about 10 rps of capacity, maxrate 7) for ${seconds} s counted (+3 s not counted), ${proxy} proxy, node ${process.version}`,
  );
  if (proxy === 'haproxy' && !existsSync(HAPROXY)) {
    console.log(`  skipped: ${HAPROXY} not found`);
    return report('offload', args, {}, { skipped: `${HAPROXY} not found` });
  }

  const rows: Row[] = [];
  for (const strategy of strategies) {
    const dir = mkdtempSync(join(tmpdir(), `dfaas-bench-offload-${strategy}-`));
    const options: OffloadScenarioOptions = {
      strategy,
      proxy,
      rate,
      durationMs: seconds * 1000,
      periodMs: 1000,
      dir,
      ...(needsForecaster(strategy) ? { agent: predictingAgent(dir, examples('models')) } : {}),
    };
    const started = performance.now();
    process.stdout.write(`  ${strategy} ... `);
    try {
      const result = await runOffloadScenario(options);
      rows.push({ strategy, result });
      rmSync(dir, { recursive: true, force: true });
      process.stdout.write(`done in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
    } catch (err) {
      const error = (err as Error).message.split('\n')[0] ?? String(err);
      rows.push({ strategy, error });
      process.stdout.write(`failed: ${error} (files kept in ${dir})\n`);
    }
  }

  const statuses = [...new Set(rows.flatMap((r) => Object.keys(r.result?.statuses ?? {})))].sort();
  const reference = rows.find((r) => r.strategy === 'all-local')?.result?.successRate;
  const header = [
    'strategy'.padEnd(15),
    'sent'.padStart(6),
    'success'.padStart(9),
    'vs all-local'.padStart(13),
    'by peers'.padStart(10),
    ...statuses.map((s) => `refused ${s}`.padStart(12)),
  ].join('');
  console.log(`\n  ${header}`);
  for (const { strategy, result, error } of rows) {
    if (!result) {
      console.log(`  ${strategy.padEnd(15)}failed: ${error}`);
      continue;
    }
    const ratio =
      reference !== undefined && reference > 0 ? `${(result.successRate / reference).toFixed(2)}x` : 'n/a';
    console.log(
      [
        `  ${strategy.padEnd(15)}`,
        String(result.sent).padStart(6),
        `${(result.successRate * 100).toFixed(1)}%`.padStart(9),
        ratio.padStart(13),
        `${(result.servedByPeers * 100).toFixed(1)}%`.padStart(10),
        ...statuses.map((s) => String(result.statuses[s] ?? 0).padStart(12)),
      ].join(''),
    );
  }
  console.log(
    '\n  success: 2xx of the counted requests; by peers: share of the 2xx served by node-2 or node-3; refused: counted requests by status (error: transport failure)',
  );
  if (strategies.some((s) => needsForecaster(s))) {
    console.log(
      '  node-margin, equal: the committed models with `work` in HIGH_USAGE and cpu_usage_node ≤ 20% (see the top of perf/offload.ts): the mechanics, not a forecast of `work`',
    );
  }
  const figures: Record<string, Figure> = {};
  for (const { strategy, result } of rows) {
    if (!result) continue;
    figures[`${strategy} success (all-local as reference)`] = figure(
      result.successRate * 100,
      '%',
      reference && reference * 100,
    );
    figures[`${strategy} served by peers`] = figure(result.servedByPeers * 100, '%');
  }
  return report('offload', args, figures, {
    proxy,
    rate,
    rows: rows.map(({ strategy, result, error }) =>
      result ? { strategy, sent: result.sent, statuses: result.statuses } : { strategy, error },
    ),
  });
}
