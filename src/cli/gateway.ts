import type { Command } from 'commander';
import { readAuthFile } from '../platform/embedded/basic-auth.js';
import { startGateway } from '../platform/embedded/gateway.js';
import { EmbeddedPlatform } from '../platform/embedded/platform.js';
import { loadStackForEmbedded } from '../platform/embedded/stack.js';
import { type GlobalOptions, intOption } from './options.js';
import { untilSignal } from './signals.js';

interface GatewayFlags {
  host: string;
  port: number;
  stack?: string;
  authFile?: string;
  startTimeout: number;
  readyTimeout: number;
  drain: number;
}

export function registerGateway(program: Command, globals: () => GlobalOptions): void {
  program
    .command('gateway')
    .description('run the embedded OpenFaaS-compatible gateway (each replica a child process)')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 = any free port)', intOption('--port', 0, 65_535), 8080)
    .option('--stack <file>', 'deploy the functions of this OpenFaaS stack.yml at start')
    .option('--auth-file <file>', 'basic auth for /system/*: a file with one line "username:password"')
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
      '--drain <ms>',
      'how long in-flight requests may finish at shutdown',
      intOption('--drain', 0),
      10_000,
    )
    .action(async (flags: GatewayFlags) => {
      const { logger } = globals();
      // Everything is read and checked before anything starts: bad input exits 2 with nothing running.
      const deployments = flags.stack ? loadStackForEmbedded(flags.stack) : [];
      const auth = flags.authFile ? readAuthFile(flags.authFile) : undefined;
      const platform = new EmbeddedPlatform({
        logger,
        startTimeoutMs: flags.startTimeout,
        readyTimeoutMs: flags.readyTimeout,
        drainMs: flags.drain,
      });
      const gateway = await startGateway({
        platform,
        host: flags.host,
        port: flags.port,
        logger,
        drainMs: flags.drain,
        ...(auth ? { auth } : {}),
      }).catch(async (err: unknown) => {
        await platform.close();
        throw err;
      });
      try {
        for (const d of deployments) await platform.deploy(d);
      } catch (err) {
        await gateway.close();
        throw err;
      }
      logger.info(`gateway listening on ${gateway.url}`, {
        functions: deployments.length,
        auth: Boolean(auth),
      });
      await untilSignal(logger);
      logger.info('shutting down: draining in-flight requests and stopping replicas');
      await gateway.close();
    });
}
