/** `dfaas gateway` at work: the embedded platform behind the gateway until Ctrl-C. */
import { isLoopbackHost } from '../core/net.js';
import { readAuthFile } from '../platform/embedded/basic-auth.js';
import { startGateway } from '../platform/embedded/gateway.js';
import { EmbeddedPlatform } from '../platform/embedded/platform.js';
import { loadStackForEmbedded } from '../platform/embedded/stack.js';
import { badFlag } from './errors.js';
import type { CliContext } from './io.js';
import { checkListenHosts } from './listen-host.js';
import { printResult } from './output.js';

export interface GatewayFlags {
  host: string;
  port: number;
  stack?: string;
  authFile?: string;
  insecureNoAuth?: boolean;
  maxReplicas: number;
  startTimeout: number;
  readyTimeout: number;
  drain: number;
}

export async function runGateway(flags: GatewayFlags, ctx: CliContext): Promise<void> {
  const { logger } = ctx;
  // Everything is read and checked before anything starts: bad input exits 2 with nothing running.
  await checkListenHosts('command line', { '--host': flags.host });
  const limits = { maxReplicas: flags.maxReplicas };
  const deployments = flags.stack ? loadStackForEmbedded(flags.stack, limits) : [];
  const auth = flags.authFile ? readAuthFile(flags.authFile) : undefined;
  if (!auth && !isLoopbackHost(flags.host)) {
    // A function is a process: whoever can deploy one runs any command as this user.
    if (!flags.insecureNoAuth) {
      throw badFlag(
        '--host',
        `${flags.host} is not a loopback address: anyone who reaches it could deploy a function, that is run any command; give --auth-file (or --insecure-no-auth to accept that)`,
      );
    }
    logger.warn(`--insecure-no-auth: anyone who reaches ${flags.host} can deploy functions and run commands`);
  }
  const platform = new EmbeddedPlatform({
    logger,
    startTimeoutMs: flags.startTimeout,
    readyTimeoutMs: flags.readyTimeout,
    drainMs: flags.drain,
    ...limits,
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
  // For a program (--json); a person reads the URL in the log line above.
  printResult(ctx, { url: gateway.url, functions: deployments.map((d) => d.service) }, () => '');
  await ctx.untilSignal();
  logger.info('shutting down: draining in-flight requests and stopping replicas');
  await gateway.close();
}
