import { DfaasError, type DfaasErrorOptions } from '../core/errors.js';

/** The metrics sources' errors (codes in docs/errors.md). */

/** Prometheus could not be reached, or answered a query with an error. */
export class PrometheusError extends DfaasError {
  constructor(message: string, options: Pick<DfaasErrorOptions, 'cause'> = {}) {
    super('DFAAS_ERR_PROMETHEUS', message, { ...options, status: 502 });
    this.name = 'PrometheusError';
  }
}
