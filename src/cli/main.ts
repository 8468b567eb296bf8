#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { ExitCode } from '../core/errors.js';
import { LOG_LEVELS } from '../core/logger.js';
import { VERSION } from '../core/version.js';
import { registerDemo } from './demo.js';
import { reportError } from './errors.js';
import { registerForecast } from './forecast.js';
import { registerGateway } from './gateway.js';
import { registerLoad } from './load.js';
import { registerNode } from './node.js';
import { globalOptions, logLevelOption } from './options.js';
import { registerSample } from './sample.js';
import { registerSchema } from './schema.js';

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
  .exitOverride();

// `dfaas … | head` closes stdout early: end quietly, as other command-line tools do.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const globals = () => globalOptions(program.opts());
registerGateway(program, globals);
registerDemo(program, globals);
registerLoad(program, globals);
registerSample(program, globals);
registerForecast(program, globals);
registerNode(program, globals);
registerSchema(program);
const overrideExits = (cmd: Command): void => {
  for (const sub of cmd.commands) {
    sub.exitOverride();
    overrideExits(sub);
  }
};
overrideExits(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Help and version exit 0; every other commander error is a bad flag or argument.
    process.exitCode = err.exitCode === 0 ? ExitCode.ok : ExitCode.badInput;
  } else {
    process.exitCode = reportError(err);
  }
}
