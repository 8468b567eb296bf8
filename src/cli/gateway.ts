/** `dfaas gateway`: its flags; the gateway itself loads when the command runs (gateway-run.ts). */
import type { Command } from 'commander';
import type { GatewayFlags } from './gateway-run.js';
import type { CliContext } from './io.js';
import { DEFAULT_MAX_REPLICAS_FOR_HELP } from './names.js';
import { intOption } from './options.js';

export function registerGateway(program: Command, context: () => CliContext): void {
  program
    .command('gateway')
    .description('run the embedded OpenFaaS-compatible gateway (each replica a child process)')
    .option('--host <address>', 'address to listen on (not loopback: needs --auth-file)', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 = any free port)', intOption('--port', 0, 65_535), 8080)
    .option('--stack <file>', 'deploy the functions of this OpenFaaS stack.yml at start')
    .option('--auth-file <file>', 'basic auth for /system/*: a file with one line "username:password"')
    .option('--insecure-no-auth', 'listen on a non-loopback --host without --auth-file (anyone may deploy)')
    .option(
      '--start-timeout <ms>',
      'how long a request waits for a replica to start',
      intOption('--start-timeout', 1),
      30_000,
    )
    .option(
      '--ready-timeout <ms>',
      'a replica not ready within this is killed and started again',
      intOption('--ready-timeout', 1),
      60_000,
    )
    .option(
      '--max-replicas <n>',
      'replicas one function may have: a deployment asking for more is refused (400)',
      intOption('--max-replicas', 1, 10_000),
      DEFAULT_MAX_REPLICAS_FOR_HELP,
    )
    .option(
      '--drain <ms>',
      'how long in-flight requests may finish at shutdown',
      intOption('--drain', 0),
      10_000,
    )
    .action(async (flags: GatewayFlags) => (await import('./gateway-run.js')).runGateway(flags, context()));
}
