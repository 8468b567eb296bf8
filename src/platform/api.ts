import type { FunctionDeployment, FunctionStatus, GatewayInfo } from '../config/function-deployment.js';
import type { HeaderMap } from '../core/http-headers.js';

export type {
  FunctionDeployment,
  FunctionResources,
  FunctionStatus,
  FunctionUsage,
  GatewayInfo,
} from '../config/function-deployment.js';

/** A synchronous invocation, as `ANY /function/{name}[/path]?query` carries it. */
export interface InvokeRequest {
  /** HTTP method; POST when absent. */
  method?: string;
  /** Path below the function, e.g. "/users/1"; "/" when absent. */
  path?: string;
  /** Query string without the leading "?". */
  query?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

export interface InvokeResponse {
  status: number;
  /** Lower-case names; a header sent more than once (Set-Cookie) is an array, one entry per line. */
  headers: HeaderMap;
  body: Buffer;
  /** Wall time of the call as the platform measured it, in ms. */
  durationMs: number;
  /** Set when the call had to wait for a replica to start (a cold start), in ms. */
  coldStartMs?: number;
}

export interface AsyncInvokeRequest extends InvokeRequest {
  /** Where the result is POSTed when the call finishes (OpenFaaS's X-Callback-Url). */
  callbackUrl?: string;
}

/**
 * A FaaS platform with OpenFaaS semantics. Implemented by the embedded platform
 * (platform/embedded) and by the client of any OpenFaaS gateway (platform/openfaas).
 * Errors are the typed errors of platform/errors.ts.
 */
export interface Platform {
  list(): Promise<FunctionStatus[]>;
  get(name: string): Promise<FunctionStatus>;
  deploy(deployment: FunctionDeployment): Promise<void>;
  update(deployment: FunctionDeployment): Promise<void>;
  remove(name: string): Promise<void>;
  scale(name: string, replicas: number): Promise<void>;
  /**
   * Calls a function and resolves with its response whatever the status: the function's own, or
   * the gateway's 404/429/502/503/504 (message in the body), as a load generator counts them.
   */
  invoke(name: string, request?: InvokeRequest): Promise<InvokeResponse>;
  /** Queues the call; resolves with the call id once accepted (HTTP 202). */
  invokeAsync(name: string, request?: AsyncInvokeRequest): Promise<{ callId: string }>;
  info(): Promise<GatewayInfo>;
  health(): Promise<boolean>;
}
