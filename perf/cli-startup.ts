/**
 * How long `dfaas --version` takes, beside the cost of starting Node.js at all: the built CLI
 * (`node dist/cli/main.js --version`) and `node -e 0` (the reference), each started N times in
 * alternation so that the machine's noise hits both alike; median and p90 wall time of each, their
 * ratio and their difference (what loading dfaas's CLI adds). Commands load their capability
 * lazily, so --version and --help load commander and the flag definitions only.
 *
 *   npm run perf -- cli-startup [runs] [--json [FILE]]
 *
 * Target on the reference machine (2 cores): `dfaas --version` ≤ 0.25 s.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { figure, type PerfReport, report } from './lib/report.js';
import { median, percentile } from './lib/stats.js';

const MAIN = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const TARGET_S = 0.25;

/** Wall time of one run of `node ...args` to its exit, in seconds. */
function wallSeconds(args: string[]): number {
  const start = performance.now();
  const res = spawnSync(process.execPath, args, { stdio: 'ignore' });
  const seconds = (performance.now() - start) / 1000;
  if (res.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${res.status}`);
  return seconds;
}

export async function run(args: string[]): Promise<PerfReport> {
  const runs = Math.max(1, Math.round(Number(args[0] ?? 20)));
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (npm run build)`);
  const cli: number[] = [];
  const bare: number[] = [];
  wallSeconds(['-e', '0']); // a first start warms the file cache for both
  wallSeconds([MAIN, '--version']);
  for (let i = 0; i < runs; i++) {
    // Alternate which goes first, so that neither always follows the other.
    if (i % 2 === 0) {
      cli.push(wallSeconds([MAIN, '--version']));
      bare.push(wallSeconds(['-e', '0']));
    } else {
      bare.push(wallSeconds(['-e', '0']));
      cli.push(wallSeconds([MAIN, '--version']));
    }
  }
  const [cliP50, cliP90, bareP50, bareP90] = [
    median(cli),
    percentile(cli, 90),
    median(bare),
    percentile(bare, 90),
  ];
  console.log(`cli-startup: ${runs} runs each, alternating, node ${process.version}`);
  console.log(
    `  dfaas --version: median ${cliP50.toFixed(3)} s, p90 ${cliP90.toFixed(3)} s (target ≤ ${TARGET_S} s)`,
  );
  console.log(`  node -e 0:       median ${bareP50.toFixed(3)} s, p90 ${bareP90.toFixed(3)} s`);
  console.log(
    `  ratio ${(cliP50 / bareP50).toFixed(2)}× at the median; dfaas adds ${((cliP50 - bareP50) * 1000).toFixed(0)} ms (p90 ${((cliP90 - bareP90) * 1000).toFixed(0)} ms)`,
  );
  return report(
    'cli-startup',
    args,
    {
      'dfaas --version median (node -e 0 as reference)': figure(cliP50, 's', bareP50, `<= ${TARGET_S} s`),
      'dfaas --version p90 (node -e 0 as reference)': figure(cliP90, 's', bareP90),
      'added by dfaas at the median': figure(cliP50 - bareP50, 's'),
    },
    { cliSeconds: cli, nodeSeconds: bare },
  );
}
