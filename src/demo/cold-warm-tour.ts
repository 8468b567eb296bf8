/**
 * The first part of `dfaas demo`: the embedded gateway with a stack, each function called cold
 * and warm through the OpenFaaS API (as any client would), and the figures written to a results
 * file. A library function, so that the CLI only parses flags and prints.
 */
import { resolve } from 'node:path';
import { HANDLER_ANNOTATION } from '../config/stack.js';
import { writeFileAtomic } from '../core/files.js';
import type { Logger } from '../core/logger.js';
import { type ColdWarmResult, measureColdWarm } from '../platform/cold-warm.js';
import { startGateway } from '../platform/embedded/gateway.js';
import { EmbeddedPlatform } from '../platform/embedded/platform.js';
import { loadStackForEmbedded } from '../platform/embedded/stack.js';
import { BUILTIN_FUNCTIONS } from '../platform/functions/builtins.js';
import { OpenFaaSClient } from '../platform/openfaas/client.js';

/** Annotation with the request body the demo sends to a function (built-ins have their own example). */
const EXAMPLE_ANNOTATION = 'dfaas.example';

export interface ColdWarmTourOptions {
  /** OpenFaaS stack.yml (checked before anything starts). */
  stack: string;
  /** Folder of the results file, demo-STAMP.json. */
  out: string;
  /** Names the results file. */
  stamp: string;
  logger: Logger;
}

export interface ColdWarmTour {
  results: ColdWarmResult[];
  /** The results file. */
  file: string;
}

export async function runColdWarmTour(options: ColdWarmTourOptions): Promise<ColdWarmTour> {
  const { logger } = options;
  const deployments = loadStackForEmbedded(options.stack);
  const platform = new EmbeddedPlatform({ logger });
  const gateway = await startGateway({ platform, port: 0, logger });
  const client = new OpenFaaSClient({ gateway: gateway.url });
  try {
    logger.info(
      `embedded gateway on ${gateway.url}, deploying ${deployments.length} functions from ${options.stack}`,
    );
    for (const d of deployments) await client.deploy(d);
    const results: ColdWarmResult[] = [];
    for (const [i, d] of deployments.entries()) {
      const handler = d.annotations?.[HANDLER_ANNOTATION] ?? '';
      const body =
        d.annotations?.[EXAMPLE_ANNOTATION] ??
        BUILTIN_FUNCTIONS.get(handler.replace(/^builtin:/, ''))?.example ??
        '';
      logger.info(`[${i + 1}/${deployments.length}] ${d.service}: cold and warm call`);
      results.push(await measureColdWarm(client, d.service, { body }));
    }
    const file = resolve(options.out, `demo-${options.stamp}.json`);
    writeFileAtomic(
      file,
      `${JSON.stringify({ gateway: gateway.url, stack: options.stack, results }, null, 2)}\n`,
    );
    return { results, file };
  } finally {
    await client.close();
    await gateway.close();
  }
}
