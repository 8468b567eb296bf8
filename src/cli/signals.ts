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
