/**
 * The dfaas command line as a function of its io: `createProgram(io).run(argv)` parses, runs
 * the command and resolves with the exit code (0 success, 1 the run failed, 2 bad input),
 * printing only through `io`. Importing it has no side effect, and it loads only commander and
 * the commands' flag definitions; each command imports its heavy code when it runs, so
 * `dfaas --version` and `dfaas --help` load no capability.
 */
import { Command, CommanderError, Option } from 'commander';
import { ExitCode } from '../core/errors.js';
import { LOG_LEVELS } from '../core/logger.js';
import { VERSION } from '../core/version.js';
import { registerDemo } from './demo.js';
import { reportError } from './errors.js';
import { registerForecast } from './forecast.js';
import { registerGateway } from './gateway.js';
import type { CliContext, CliIo } from './io.js';
import { registerLoad } from './load.js';
import { registerNode } from './node.js';
import { cliContext, logLevelOption } from './options.js';
import { registerSample } from './sample.js';
import { registerSchema } from './schema.js';

export interface DfaasProgram {
  command: Command;
  /** Runs a whole command line (`[node, dfaas, ...args]`, as process.argv) and resolves with the exit code. */
  run(argv: readonly string[]): Promise<number>;
}

export function createProgram(io: CliIo): DfaasProgram {
  const program = new Command('dfaas')
    .description('Decentralized Function-as-a-Service toolkit: run, load, measure and model FaaS nodes')
    .version(VERSION, '-V, --version')
    .option('--json', 'machine-readable output: JSON results on stdout, JSON-lines logs on stderr')
    .addOption(
      new Option('--log-level <level>', `log detail (${LOG_LEVELS.join(', ')})`)
        .default('info')
        .argParser(logLevelOption),
    )
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .exitOverride();

  const context = (): CliContext => cliContext(io, program.opts());
  registerGateway(program, context);
  registerDemo(program, context);
  registerLoad(program, context);
  registerSample(program, context);
  registerForecast(program, context);
  registerNode(program, context);
  registerSchema(program, context);

  return {
    command: program,
    async run(argv) {
      try {
        await program.parseAsync([...argv]);
        return ExitCode.ok;
      } catch (err) {
        // Help and version end with exit code 0; every other commander error is a bad flag or argument.
        if (err instanceof CommanderError) return err.exitCode === 0 ? ExitCode.ok : ExitCode.badInput;
        return reportError(err, io.stderr, Boolean(program.opts().json));
      }
    },
  };
}
