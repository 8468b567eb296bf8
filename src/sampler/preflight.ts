import { ConfigError, PreflightError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { whyNoAnswer } from '../core/net.js';
import type { MetricsSource } from '../metrics/contract.js';
import type { Platform } from '../platform/api.js';
import { UnauthorizedError } from '../platform/errors.js';

export interface SweepPreflight {
  /** The configuration file, named when a function is not on the gateway. */
  configFile: string;
  gatewayUrl: string;
  /** The platform API behind the gateway (the embedded platform or the OpenFaaS client), to list functions. */
  api: Platform | undefined;
  /** The functions the sweep loads, in the configuration's order (for functions[i].name). */
  functions: string[];
  metrics: MetricsSource;
  logger: Logger;
}

/**
 * Checks what a sweep will use before it runs or writes anything: the gateway answers and lists
 * every function, and the metrics source gives figures for the node and each function. A closed
 * port or a typo in a URL is otherwise a dataset of success 0, figures nan and no error. A
 * function the gateway does not have is bad input (exit 2, naming functions[i].name); anything
 * else that does not work is a PreflightError (exit 1) listing every problem found.
 */
export async function preflightSweep(p: SweepPreflight): Promise<void> {
  const problems: string[] = [];
  const noAnswer = await whyNoAnswer(p.gatewayUrl);
  if (noAnswer) problems.push(`the gateway ${p.gatewayUrl} does not answer: ${noAnswer}`);
  else if (p.api) {
    try {
      const deployed = new Set((await p.api.list()).map((f) => f.name));
      const missing = p.functions.flatMap((name, i) =>
        deployed.has(name)
          ? []
          : [
              {
                field: `functions[${i}].name`,
                message: `the gateway ${p.gatewayUrl} has no function "${name}"`,
              },
            ],
      );
      if (missing.length > 0) throw new ConfigError(p.configFile, missing);
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      if (err instanceof UnauthorizedError)
        p.logger.warn(
          `the gateway ${p.gatewayUrl} lists its functions only with credentials (gateway_auth_file): not checked that it has ${p.functions.join(', ')}`,
        );
      else problems.push(`the gateway ${p.gatewayUrl} cannot list its functions: ${(err as Error).message}`);
    }
  }
  problems.push(...(await p.metrics.check(p.functions)));
  if (problems.length > 0) throw new PreflightError('the sweep', problems);
}
