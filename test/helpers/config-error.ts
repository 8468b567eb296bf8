import { ConfigError } from '../../src/core/errors.js';

/** The ConfigError `fn` throws; any other error is re-thrown, and no error at all fails the test. */
export function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}
