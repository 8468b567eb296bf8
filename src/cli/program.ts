/**
 * The dfaas command line as a function of its io: `createProgram(io).run(argv)` parses, runs
 * the command and resolves with the exit code (0 success, 1 the run failed, 2 bad input),
 * printing only through `io`. Importing it has no side effect, and it loads only commander and
 * the commands' flag definitions; each command imports its heavy code when it runs, so
 * `dfaas --version` and `dfaas --help` load no capability. With --json, wherever it is on the
 * command line, everything it prints is JSON: results, logs, errors, and commander's own output
 * (the version, help, usage errors).
 */
import { Command, CommanderError, Help, Option } from 'commander';
import { type ConfigError, ExitCode } from '../core/errors.js';
import { LOG_LEVELS } from '../core/logger.js';
import { VERSION } from '../core/version.js';
import { registerBench } from './bench.js';
import { registerDemo } from './demo.js';
import { badFlag, reportError } from './errors.js';
import { registerForecast } from './forecast.js';
import { registerGateway } from './gateway.js';
import type { CliContext, CliIo } from './io.js';
import { registerLoad } from './load.js';
import { registerNode } from './node.js';
import { cliContext, logLevelOption } from './options.js';
import { jsonRequested, printResult } from './output.js';
import { registerSample } from './sample.js';
import { registerSchema } from './schema.js';
import { registerSim } from './sim.js';
import { registerWorkflow } from './workflow.js';

export interface DfaasProgram {
  command: Command;
  /** Runs a whole command line (`[node, dfaas, ...args]`, as process.argv) and resolves with the exit code. */
  run(argv: readonly string[]): Promise<number>;
}

export function createProgram(io: CliIo): DfaasProgram {
  // Whether this run prints JSON, read from its command line before commander parses it: commander
  // prints the version, help and usage errors as it meets them, before a --json that follows.
  let json = false;
  const program = new Command('dfaas')
    .description('Decentralized Function-as-a-Service toolkit: run, load, measure and model FaaS nodes')
    .option('-V, --version', 'output the version number')
    .option('--json', 'machine-readable output: JSON results on stdout, JSON-lines logs on stderr')
    .addOption(
      new Option(
        '--log-level <level>',
        `log detail (${LOG_LEVELS.join(', ')}); else $DFAAS_LOG_LEVEL, else $LB_LOG_LEVEL`,
      )
        .default('info')
        .argParser(logLevelOption),
    )
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      // With --json, run() reports commander's errors as one JSON object instead of its text.
      writeErr: (s) => {
        if (!json) io.stderr.write(s);
      },
    })
    .configureHelp({
      formatHelp: (cmd, helper) =>
        json
          ? `${JSON.stringify(helpData(cmd, helper))}\n`
          : Help.prototype.formatHelp.call(helper, cmd, helper),
    })
    .exitOverride();
  // Not commander's .version(), which prints plain text as soon as it meets the flag.
  program.on('option:version', () => {
    printResult({ io, json }, { version: VERSION }, () => `${VERSION}\n`);
    throw new CommanderError(ExitCode.ok, 'commander.version', VERSION);
  });

  // --log-level on the command line wins over DFAAS_LOG_LEVEL and LB_LOG_LEVEL; its default does not.
  const context = (): CliContext =>
    cliContext(io, program.opts(), program.getOptionValueSource('logLevel') === 'cli');
  registerGateway(program, context);
  registerDemo(program, context);
  registerLoad(program, context);
  registerSample(program, context);
  registerForecast(program, context);
  registerNode(program, context);
  registerBench(program, context);
  registerWorkflow(program, context);
  registerSim(program, context);
  registerSchema(program, context);

  return {
    command: program,
    async run(argv) {
      json = jsonRequested(argv.slice(2));
      try {
        await program.parseAsync([...argv]);
        return ExitCode.ok;
      } catch (err) {
        if (!(err instanceof CommanderError))
          return reportError(err, io.stderr, Boolean(program.opts().json));
        // Help and version end with exit code 0; every other commander error is a bad flag or argument.
        if (err.exitCode === 0) return ExitCode.ok;
        return json ? reportError(usageError(err), io.stderr, true) : ExitCode.badInput;
      }
    },
  };
}

/** A usage error of commander's as bad input on the command line, naming the flag when it names one. */
function usageError(err: CommanderError): ConfigError {
  // Help shown for a missing command (`dfaas`, `dfaas forecast`) carries no message of its own.
  if (err.code === 'commander.help') return badFlag('', 'no command given: run with --help for the list');
  const message = err.message.replace(/^error: /, '');
  // commander quotes the flag first: "unknown option '--nope'", "option '--port <port>' argument …",
  // "option '-o, --overloaded <pct>' argument …" (the long name then, not the short one).
  return badFlag(/'(?:-[^-' ], )?(-[^' ]+)/.exec(message)?.[1] ?? '', message);
}

/** What the help text shows, as data: the help of --json. */
function helpData(cmd: Command, helper: Help) {
  return {
    usage: helper.commandUsage(cmd),
    description: helper.commandDescription(cmd),
    arguments: helper.visibleArguments(cmd).map((a) => ({
      name: a.name(),
      description: a.description,
      required: a.required,
    })),
    options: helper.visibleOptions(cmd).map((o) => ({
      flags: o.flags,
      description: o.description,
      default: o.defaultValue,
      choices: o.argChoices,
    })),
    commands: helper.visibleCommands(cmd).map((c) => ({
      name: c.name(),
      usage: helper.subcommandTerm(c),
      description: helper.subcommandDescription(c),
    })),
  };
}
