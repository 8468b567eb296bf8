import { DfaasError, type DfaasErrorOptions } from '../core/errors.js';

/**
 * The load drivers' errors (codes in docs/errors.md). A driver that cannot be set up from its
 * options is a ConfigError; a time-out is the core TimeoutError; these are the other failures.
 */

/** A load run failed: k6 could not start or exited with an error, or left no readable summary. */
export class LoadRunError extends DfaasError {
  constructor(message: string, options: Pick<DfaasErrorOptions, 'cause'> = {}) {
    super('DFAAS_ERR_LOAD_RUN', message, options);
    this.name = 'LoadRunError';
  }
}

/** The k6 host over SSH: connecting, its host key, SFTP or the remote workspace failed. */
export class K6SshError extends DfaasError {
  constructor(message: string, options: Pick<DfaasErrorOptions, 'cause'> = {}) {
    super('DFAAS_ERR_K6_SSH', message, options);
    this.name = 'K6SshError';
  }
}
