import { DfaasError } from '../../core/errors.js';

/**
 * A queue operation failed: the queue server or Redis is unreachable past the retry bound, or
 * answered with an error. Names the queue URL, its password hidden.
 */
export class QueueError extends DfaasError {
  /** The queue URL, its password hidden. */
  readonly queue: string;

  constructor(url: string, message: string, cause?: unknown) {
    super('DFAAS_ERR_WORKFLOW_QUEUE', `queue ${describeQueueUrl(url)}: ${message}`, {
      status: 503,
      hint: 'check that the queue (--queue) is up and reachable from every workflow role',
      cause,
    });
    this.name = 'QueueError';
    this.queue = describeQueueUrl(url);
  }
}

/** A queue URL to show: its password replaced by `***`; anything else as it is. */
export function describeQueueUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!u.password) return url;
    u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}
