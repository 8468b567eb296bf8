import { DfaasError } from '../core/errors.js';

/**
 * Errors of the offloading layer. Bad strategy parameters are ConfigErrors (bad input, naming the
 * parameter); what is here is a strategy called without what it needs to decide.
 */

/** A strategy was called without an input it needs (node-margin without a forecaster or groups). */
export class StrategyInputError extends DfaasError {
  constructor(message: string, hint?: string) {
    super('DFAAS_ERR_STRATEGY_INPUT', message, hint === undefined ? {} : { hint });
    this.name = 'StrategyInputError';
  }
}
