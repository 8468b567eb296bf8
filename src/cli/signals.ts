/**
 * How commands hear Ctrl-C: the default wait of long-running commands (gateway, node up, cluster
 * up, forecast serve), and the interruption of long jobs (sample). The one place, with main.ts,
 * where the CLI touches the process; tests inject their own through CliIo.
 */
import type { Logger } from '../core/logger.js';

/** Resolves on the first SIGINT or SIGTERM; a second of either exits at once (replicas end with us). */
export function untilSignal(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      const again = () => {
        logger.warn('second signal: exiting now');
        process.exit(1);
      };
      process.once('SIGINT', again);
      process.once('SIGTERM', again);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** A long job's Ctrl-C: `signal` aborts on the first SIGINT or SIGTERM; dispose() when the job ends. */
export interface Interrupts {
  signal: AbortSignal;
  dispose(): void;
}

/**
 * Aborts on the first SIGINT or SIGTERM, so the job can stop where it is and say how to resume;
 * a second one exits at once.
 */
export function processInterrupts(logger: Logger): Interrupts {
  const controller = new AbortController();
  const again = () => {
    logger.warn('second signal: exiting now');
    process.exit(1);
  };
  const onSignal = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    logger.warn('stopping (Ctrl-C again to exit at once)');
    process.once('SIGINT', again);
    process.once('SIGTERM', again);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', again);
      process.off('SIGTERM', again);
    },
  };
}
