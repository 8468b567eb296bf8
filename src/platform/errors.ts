import type { ConfigIssue } from '../core/errors.js';

/**
 * Typed errors of the platform boundary. Both implementations (the embedded platform and the
 * OpenFaaS client) throw these, so callers handle "not found" or "bad deployment" the same way
 * whichever platform is behind the interface. `status` is the HTTP status the gateway answers with.
 */
export class PlatformError extends Error {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.name = 'PlatformError';
    this.status = status;
  }
}

export class FunctionNotFoundError extends PlatformError {
  constructor(readonly functionName: string) {
    super(`function not found: ${functionName}`, 404);
    this.name = 'FunctionNotFoundError';
  }
}

export class InvalidDeploymentError extends PlatformError {
  constructor(
    message: string,
    readonly issues: ConfigIssue[] = [],
  ) {
    super(message, 400);
    this.name = 'InvalidDeploymentError';
  }
}

export class FunctionExistsError extends PlatformError {
  constructor(readonly functionName: string) {
    super(`function already exists: ${functionName} (use PUT /system/functions to update it)`, 400);
    this.name = 'FunctionExistsError';
  }
}

export class UnauthorizedError extends PlatformError {
  constructor(message = 'unauthorized: basic auth credentials are missing or wrong') {
    super(message, 401);
    this.name = 'UnauthorizedError';
  }
}

/**
 * No replica could serve the request: all at max_inflight (429), the replica failed while
 * serving it (502), or none could be started in time (503).
 */
export class ReplicaUnavailableError extends PlatformError {
  constructor(message: string, status: 429 | 502 | 503) {
    super(message, status);
    this.name = 'ReplicaUnavailableError';
  }
}

/** A request ran past one of the function's timeouts. */
export class FunctionTimeoutError extends PlatformError {
  constructor(message: string) {
    super(message, 504);
    this.name = 'FunctionTimeoutError';
  }
}

/** The platform could not be reached (connection refused, DNS, client-side timeout). */
export class PlatformUnavailableError extends PlatformError {
  constructor(message: string) {
    super(message, 503);
    this.name = 'PlatformUnavailableError';
  }
}
