import { type ConfigIssue, DfaasError, type DfaasErrorOptions, ExitCode } from '../core/errors.js';

/**
 * Typed errors of the platform boundary. Both implementations (the embedded platform and the
 * OpenFaaS client) throw these, so callers handle "not found" or "bad deployment" the same way
 * whichever platform is behind the interface. `status` is the HTTP status the gateway answers with;
 * `code` is listed in docs/errors.md.
 */
export class PlatformError extends DfaasError {
  constructor(code: string, message: string, options: DfaasErrorOptions & { status: number }) {
    super(code, message, options);
    this.name = 'PlatformError';
  }
}

/** A gateway's error status that none of the errors below stands for (a real OpenFaaS's 500). */
export class GatewayError extends PlatformError {
  constructor(message: string, status: number) {
    super('DFAAS_ERR_GATEWAY', message, { status });
    this.name = 'GatewayError';
  }
}

export class FunctionNotFoundError extends PlatformError {
  constructor(readonly functionName: string) {
    super('DFAAS_ERR_FUNCTION_NOT_FOUND', `function not found: ${functionName}`, { status: 404 });
    this.name = 'FunctionNotFoundError';
  }
}

export class InvalidDeploymentError extends PlatformError {
  constructor(
    message: string,
    readonly issues: ConfigIssue[] = [],
  ) {
    super('DFAAS_ERR_INVALID_DEPLOYMENT', message, { status: 400, exitCode: ExitCode.badInput });
    this.name = 'InvalidDeploymentError';
  }
}

export class FunctionExistsError extends PlatformError {
  constructor(readonly functionName: string) {
    super(
      'DFAAS_ERR_FUNCTION_EXISTS',
      `function already exists: ${functionName} (use PUT /system/functions to update it)`,
      { status: 400 },
    );
    this.name = 'FunctionExistsError';
  }
}

export class UnauthorizedError extends PlatformError {
  constructor(message = 'unauthorized: basic auth credentials are missing or wrong') {
    super('DFAAS_ERR_UNAUTHORIZED', message, { status: 401 });
    this.name = 'UnauthorizedError';
  }
}

/**
 * No replica could serve the request: all at max_inflight (429), the replica failed while
 * serving it (502), or none could be started in time (503).
 */
export class ReplicaUnavailableError extends PlatformError {
  constructor(message: string, status: 429 | 502 | 503) {
    super('DFAAS_ERR_REPLICA_UNAVAILABLE', message, { status });
    this.name = 'ReplicaUnavailableError';
  }
}

/** A replica could not load its function (no such built-in, a module without a handler). */
export class ReplicaStartError extends PlatformError {
  constructor(message: string) {
    super('DFAAS_ERR_REPLICA_START', message, { status: 503 });
    this.name = 'ReplicaStartError';
  }
}

/** A request ran past one of the function's timeouts. */
export class FunctionTimeoutError extends PlatformError {
  constructor(message: string) {
    super('DFAAS_ERR_FUNCTION_TIMEOUT', message, { status: 504 });
    this.name = 'FunctionTimeoutError';
  }
}

/** The platform could not be reached (connection refused, DNS, client-side timeout). */
export class PlatformUnavailableError extends PlatformError {
  constructor(message: string) {
    super('DFAAS_ERR_PLATFORM_UNAVAILABLE', message, { status: 503 });
    this.name = 'PlatformUnavailableError';
  }
}
