/**
 * The default wait of long-running commands (gateway, node up, cluster up, forecast serve) for
 * Ctrl-C: the one place, with main.ts, where the CLI touches the process; tests inject their own
 * through CliIo.untilSignal.
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
