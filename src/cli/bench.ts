/** `dfaas bench …`: its flags; the benchmarks load when a command runs (bench-run.ts). */
import { type Command, InvalidArgumentError, Option } from 'commander';
import type {
  BenchCreateFlags,
  BenchExportFlags,
  BenchReportFlags,
  BenchRunFlags,
  BenchStoreFlags,
} from './bench-run.js';
import type { CliContext } from './io.js';
import { intOption, parseDecimal } from './options.js';

/** `--param k=v`, repeatable, into an object. */
function paramOption(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0)
    throw new InvalidArgumentError(`--param takes KEY=VALUE (or EXPERIMENT.KEY=VALUE), got "${value}"`);
  return { ...previous, [value.slice(0, at).trim()]: value.slice(at + 1) };
}

function positiveNumber(flag: string) {
  return (value: string): number => {
    const n = parseDecimal(value);
    if (!(n > 0)) throw new InvalidArgumentError(`${flag} must be a number > 0, got "${value}"`);
    return n;
  };
}

const STORE_HELP =
  'results store: a SQLite file (default results/bench/bench.db) or postgres://USER:PASSWORD@HOST:PORT/DB';

export function registerBench(program: Command, context: () => CliContext): void {
  const run = () => import('./bench-run.js');
  const bench = program
    .command('bench')
    .description(
      "benchmark a FaaS platform: faas-benchmarker's and SeBS's experiments, stored in SQLite or PostgreSQL",
    );

  bench
    .command('list')
    .description('the experiments, with their parameters and defaults')
    .action(async () => (await run()).runList(context()));

  bench
    .command('run')
    .description(
      'run experiments (names from `dfaas bench list`, `all`, or a file from `dfaas bench create`)',
    )
    .argument('<experiments...>', 'experiment names, `all`, or .ts/.js files')
    .addOption(
      new Option('--provider <name>', 'where the functions run')
        .choices(['embedded', 'openfaas', 'dfaas-node', 'http'])
        .default('embedded'),
    )
    .option(
      '--url <url>',
      'gateway (openfaas), node proxy (dfaas-node) or URL template with {function} (http)',
    )
    .option('--auth-file <file>', 'openfaas: basic auth, a file with one line "username:password"')
    .option('--store <url>', STORE_HELP)
    .option(
      '--param <key=value>',
      'a parameter, for every experiment that has it, or EXPERIMENT.KEY=VALUE (repeatable)',
      paramOption,
    )
    .option(
      '--time-scale <x>',
      "divide the reference's waits (and the functions' work) by x",
      positiveNumber('--time-scale'),
      1,
    )
    .option('--seed <n>', 'seed of the run’s random numbers', intOption('--seed', 0), 1)
    .option(
      '--parallel <n>',
      'experiments at once (default: 4 on the embedded provider, where each has a platform of its own; 1 on a URL, where they would disturb each other)',
      intOption('--parallel', 1, 64),
    )
    .addOption(
      new Option(
        '--cold <how>',
        'cold starts: forced where the provider can, or always by waiting the coldtime',
      )
        .choices(['force', 'wait'])
        .default('force'),
    )
    .option(
      '--zero-duration <seconds>',
      'embedded: idle seconds (reference time) before an instance is reclaimed',
      positiveNumber('--zero-duration'),
      300,
    )
    .option(
      '--max-lifetime <seconds>',
      'embedded: age in seconds (reference time) at which a busy instance is replaced',
      positiveNumber('--max-lifetime'),
      1800,
    )
    .action(async (names: string[], flags: BenchRunFlags) =>
      (await run()).runBenchCommand(names, flags, context()),
    );

  bench
    .command('status')
    .description(
      'the experiment runs in the store and where each one is (the reference’s Experiment Status table)',
    )
    .option('--store <url>', STORE_HELP)
    .option('--limit <n>', 'the latest n runs', intOption('--limit', 1), 30)
    .action(async (flags: BenchStoreFlags & { limit: number }) => (await run()).runStatus(flags, context()));

  bench
    .command('report')
    .description(
      'an offline HTML report of runs: cold and warm latency, timelines, bursts, statistics; LaTeX tables beside it',
    )
    .option('--store <url>', STORE_HELP)
    .option(
      '--run <id>',
      'a run (Experiment uuid, or a meta identifier for all its experiments); repeat to compare (default: the latest of each experiment)',
      (v: string, p: string[] = []) => [...p, v],
    )
    .option('--out <file>', 'where the report goes (default: results/bench/report-TIME.html)')
    .action(async (flags: BenchReportFlags) => (await run()).runBenchReport(flags, context()));

  bench
    .command('export')
    .description('the store’s tables as CSV or JSON files, one per table')
    .option('--store <url>', STORE_HELP)
    .option('--run <id>', 'only this run (Experiment uuid or meta identifier)')
    .addOption(new Option('--format <format>', 'file format').choices(['csv', 'json']).default('csv'))
    .option('--out <dir>', 'where the files go (default: results/bench/export-TIME)')
    .action(async (flags: BenchExportFlags) => (await run()).runBenchExport(flags, context()));

  bench
    .command('create')
    .description('write a new experiment from a template: a TypeScript file using the Benchmarker API')
    .argument('<name>', 'the experiment’s name (kebab-case)')
    .option('--dir <dir>', 'where the file goes', 'bench-experiments')
    .action(async (name: string, flags: BenchCreateFlags) => (await run()).runCreate(name, flags, context()));
}
