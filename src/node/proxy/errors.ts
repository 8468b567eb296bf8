import { DfaasError, type DfaasErrorOptions } from '../../core/errors.js';

/**
 * The proxy drivers' errors (codes in docs/errors.md). Bad options (a node id, a function name or
 * a gateway URL the driver cannot use) are ConfigErrors; these are the failures of a run.
 */

/** HAProxy did not start, exited, rejected a reloaded configuration or lists no worker. */
export class HaproxyError extends DfaasError {
  constructor(message: string) {
    super('DFAAS_ERR_HAPROXY', message, { status: 502 });
    this.name = 'HaproxyError';
  }
}

/** HAProxy's CLI socket (Runtime API or master CLI) did not answer, refused a command or answered
 *  in a form the driver does not know. */
export class RuntimeApiError extends DfaasError {
  constructor(message: string, options: Pick<DfaasErrorOptions, 'cause'> = {}) {
    super('DFAAS_ERR_HAPROXY_RUNTIME_API', message, { ...options, status: 502 });
    this.name = 'RuntimeApiError';
  }
}

/** apply() or counters() on a proxy after stop(). */
export class ProxyStoppedError extends DfaasError {
  constructor(message: string) {
    super('DFAAS_ERR_PROXY_STOPPED', message, { status: 503 });
    this.name = 'ProxyStoppedError';
  }
}
