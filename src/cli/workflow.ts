/** `dfaas workflow …`: its flags; the farm loads when a command runs (workflow-run.ts). */
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { CliContext } from './io.js';
import { intOption, parseDecimal } from './options.js';
import type {
  WorkflowCompareFlags,
  WorkflowRunFlags,
  WorkflowScaleFlags,
  WorkflowTrainFlags,
} from './workflow-run.js';

function positiveNumber(flag: string) {
  return (value: string): number => {
    const n = parseDecimal(value);
    if (!(n > 0)) throw new InvalidArgumentError(`${flag} must be a number > 0, got "${value}"`);
    return n;
  };
}

function signedInt(value: string): number {
  if (!/^[+-]?\d+$/.test(value))
    throw new InvalidArgumentError(`DELTA must be a whole number like +2 or -1, got "${value}"`);
  return Number(value);
}

const QUEUE_HELP =
  'queues: `embedded` (in this process, served to the roles on loopback) or redis://[:PASSWORD@]HOST:PORT[/DB]';

const rewardOption = () =>
  new Option(
    '--reward <preset>',
    'reward coefficients: head (the reference at its last commit), 671f321 (its SARSA rows), b3ef19f or af03f0c',
  ).default('head');

/** `--reward-set k=v`, repeatable, into an object of numbers. */
function rewardSetOption(value: string, previous: Record<string, number> = {}): Record<string, number> {
  const at = value.indexOf('=');
  const n = parseDecimal(value.slice(at + 1));
  if (at <= 0 || !Number.isFinite(n))
    throw new InvalidArgumentError(`--reward-set takes KEY=NUMBER, got "${value}"`);
  return { ...previous, [value.slice(0, at).trim()]: n };
}

const modeOption = () =>
  new Option(
    '--mode <mode>',
    'faithful: what the reference’s emitter does (flat Poisson per phase); intended: the oscillations as sine waves',
  )
    .choices(['faithful', 'intended'])
    .default('faithful');

/** What train and compare share: the workload's mode, the live back-end's settings, the reward. */
function withEpisodeOptions(command: Command): Command {
  return command
    .addOption(modeOption())
    .option(
      '--time-scale <x>',
      'live back-end: run episodes x times faster',
      positiveNumber('--time-scale'),
      1,
    )
    .option('--queue <url>', `live back-end: ${QUEUE_HELP}`, 'embedded')
    .addOption(
      new Option(
        '--sim <preset>',
        'the simulated farm’s scaling costs: embedded (measured on the embedded platform) or reference (the reference’s k3s cluster)',
      )
        .choices(['embedded', 'reference'])
        .default('embedded'),
    )
    .addOption(rewardOption())
    .option(
      '--reward-set <key=value>',
      'one reward coefficient over the preset, e.g. w_efficiency=1 (repeatable)',
      rewardSetOption,
    );
}

export function registerWorkflow(program: Command, context: () => CliContext): void {
  const run = () => import('./workflow-run.js');
  const workflow = program
    .command('workflow')
    .description(
      'an emitter → workers → collector farm on the FaaS platform over queues, with deadline QoS and learned autoscaling',
    );

  workflow
    .command('run')
    .description('run the farm with a fixed number of workers until every task is collected; prints QoS')
    .option(
      '--tasks <n>',
      'play only the first N tasks of the workload (default: all 1140)',
      intOption('--tasks', 1),
    )
    .option('--workers <n>', 'workers (1…32)', intOption('--workers', 1, 32), 4)
    .option('--queue <url>', QUEUE_HELP, 'embedded')
    .addOption(modeOption())
    .option('--seed <n>', 'the workload’s seed (task_seed)', intOption('--seed', 0), 42)
    .option(
      '--time-scale <x>',
      'divide every time of the workload (arrivals, work, deadlines) by x',
      positiveNumber('--time-scale'),
      1,
    )
    .addOption(
      new Option('--work <kind>', 'how a worker spends a task’s time')
        .choices(['sleep', 'cpu'])
        .default('sleep'),
    )
    .option(
      '--gateway <url>',
      'an OpenFaaS-compatible gateway to run the roles on (default: the embedded platform)',
    )
    .option('--auth-file <file>', 'basic auth for the gateway, one line "username:password"')
    .option(
      '--lease <ms>',
      'visibility timeout: a task whose worker stops renewing for this long goes back to the queue',
      intOption('--lease', 50),
      5_000,
    )
    .option(
      '--timeout <s>',
      'give up when not every task is collected by then',
      positiveNumber('--timeout'),
      3_600,
    )
    .option('--out <dir>', 'the run’s folder (default results/workflow/run-TIMESTAMP)')
    .action(async (flags: WorkflowRunFlags) => (await run()).runWorkflowCommand(flags, context()));

  workflow
    .command('scale')
    .description(
      'add (+N) or remove (-N) workers of a running `dfaas workflow run` (graceful: a removed worker finishes its task)',
    )
    .argument('<delta>', '+N or -N', signedInt)
    .option('--run <dir>', 'the running run’s folder (default: the newest under results/workflow)')
    .option('--queue <url>', 'reach the run through this queue URL instead of its run.json')
    .option('--timeout <s>', 'how long to wait for the run’s answer', positiveNumber('--timeout'), 60)
    .action(async (delta: number, flags: WorkflowScaleFlags) =>
      (await run()).runScaleCommand(delta, flags, context()),
    );

  const train = workflow
    .command('train')
    .description(
      'train an autoscaling agent (sarsa or dqn) on the simulated or the live farm; saves the model',
    )
    .requiredOption('--agent <name>', 'sarsa or dqn')
    .option('--episodes <n>', 'training episodes (default: sarsa 300, dqn 120)', intOption('--episodes', 1))
    .addOption(
      new Option('--backend <kind>', 'sim: the discrete-event model; live: the farm itself')
        .choices(['sim', 'live'])
        .default('sim'),
    )
    .option(
      '--seed <n>',
      'seed of the first episode (episode e uses seed + e − 1) and of the agent',
      intOption('--seed', 0),
      42,
    );
  withEpisodeOptions(train)
    .option('--out <file>', 'the model file (default results/workflow/models/AGENT-TIMESTAMP.json)')
    .action(async (flags: WorkflowTrainFlags) => (await run()).runTrainCommand(flags, context()));

  const compare = workflow
    .command('compare')
    .description(
      'evaluate policies over the same episodes: QoS, workers, worker-seconds, scaling actions (mean ± std); JSON and an HTML report',
    )
    .option(
      '--agents <names>',
      'comma-separated policies: sarsa, dqn, reactive-average, reactive-maximum, hpa, keda, static, static-N (a fixed pool of N); default: all but static-N',
    )
    .option('--episodes <n>', 'evaluation episodes per policy', intOption('--episodes', 1), 10)
    .addOption(new Option('--backend <kind>', 'sim or live').choices(['sim', 'live']).default('sim'))
    .option(
      '--model <file...>',
      'trained models to evaluate (a learned agent without one is trained first on the simulated farm)',
    )
    .option(
      '--train-episodes <n>',
      'episodes to train a learned agent that has no model (default: sarsa 300, dqn 120)',
      intOption('--train-episodes', 1),
    )
    .option('--seed <n>', 'seed of the first evaluation episode', intOption('--seed', 0), 42);
  withEpisodeOptions(compare)
    .option('--out <dir>', 'the comparison’s folder (default results/workflow/compare-TIMESTAMP)')
    .action(async (flags: WorkflowCompareFlags) => (await run()).runCompareCommand(flags, context()));
}
