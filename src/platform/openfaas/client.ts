import { Agent, type Dispatcher, request } from 'undici';
import type { FunctionDeployment, FunctionStatus, GatewayInfo } from '../../config/function-deployment.js';
import type { HeaderMap } from '../../core/http-headers.js';
import { sleep } from '../../core/poll.js';
import type { AsyncInvokeRequest, InvokeRequest, InvokeResponse, Platform } from '../api.js';
import {
  FunctionNotFoundError,
  FunctionTimeoutError,
  GatewayError,
  InvalidDeploymentError,
  type PlatformError,
  PlatformUnavailableError,
  ReplicaUnavailableError,
  UnauthorizedError,
} from '../errors.js';

export interface OpenFaaSClientOptions {
  /** Gateway URL, e.g. http://127.0.0.1:8080 */
  gateway: string;
  /** Basic auth for /system/* (OpenFaaS's admin user). */
  auth?: { username: string; password: string };
  /** Per-request timeout, in ms (default 30 000). */
  timeoutMs?: number;
  /**
   * While a function scales from zero, a gateway may answer 503 until a replica is ready.
   * With this set, invoke() retries 503 answers with backoff for up to this long, in ms.
   * 503 means the request reached no function, so a retry cannot run it twice; a 502 (the
   * replica failed during the call) is not retried.
   */
  coldStartRetryMs?: number;
  /** Connections kept to the gateway (default 64). */
  connections?: number;
}

/**
 * A client for any OpenFaaS gateway (real OpenFaaS, faasd, or dfaas's embedded gateway),
 * implementing the Platform interface with typed errors.
 */
export class OpenFaaSClient implements Platform {
  private readonly base: string;
  private readonly dispatcher: Dispatcher;
  private readonly authHeader?: string;
  private readonly timeoutMs: number;
  private readonly coldStartRetryMs: number;

  constructor(options: OpenFaaSClientOptions) {
    this.base = options.gateway.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.coldStartRetryMs = options.coldStartRetryMs ?? 0;
    this.dispatcher = new Agent({ connections: options.connections ?? 64 });
    if (options.auth) {
      this.authHeader = `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}`;
    }
  }

  async list(): Promise<FunctionStatus[]> {
    return (await this.system('GET', '/system/functions')).json() as Promise<FunctionStatus[]>;
  }

  async get(name: string): Promise<FunctionStatus> {
    return (
      await this.system('GET', `/system/function/${encodeURIComponent(name)}`, undefined, name)
    ).json() as Promise<FunctionStatus>;
  }

  async deploy(deployment: FunctionDeployment): Promise<void> {
    await this.system('POST', '/system/functions', deployment);
  }

  async update(deployment: FunctionDeployment): Promise<void> {
    await this.system('PUT', '/system/functions', deployment, deployment.service);
  }

  async remove(name: string): Promise<void> {
    await this.system('DELETE', '/system/functions', { functionName: name }, name);
  }

  async scale(name: string, replicas: number): Promise<void> {
    await this.system(
      'POST',
      `/system/scale-function/${encodeURIComponent(name)}`,
      { serviceName: name, replicas },
      name,
    );
  }

  async invoke(name: string, req: InvokeRequest = {}): Promise<InvokeResponse> {
    const started = performance.now();
    const deadline = started + this.coldStartRetryMs;
    for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
      const res = await this.send(req.method ?? 'POST', this.functionPath('/function/', name, req), {
        headers: req.headers ?? {},
        body: req.body,
      });
      const body = Buffer.from(await res.body.arrayBuffer());
      const retry = res.statusCode === 503 && performance.now() + delay < deadline;
      if (!retry) {
        const headers = definedHeaders(res.headers);
        // durationMs covers the retries: the wait for a cold start is part of the call.
        const out: InvokeResponse = {
          status: res.statusCode,
          headers,
          body,
          durationMs: performance.now() - started,
        };
        const cold = Number(headers['x-dfaas-cold-start-ms']);
        if (headers['x-dfaas-cold-start-ms'] !== undefined && Number.isFinite(cold)) out.coldStartMs = cold;
        return out;
      }
      await sleep(delay);
    }
  }

  async invokeAsync(name: string, req: AsyncInvokeRequest = {}): Promise<{ callId: string }> {
    const headers = { ...req.headers };
    if (req.callbackUrl) headers['x-callback-url'] = req.callbackUrl;
    const res = await this.send('POST', this.functionPath('/async-function/', name, req), {
      headers,
      body: req.body,
    });
    const text = await res.body.text();
    if (res.statusCode !== 202) throw errorFor(res.statusCode, text, name);
    const callId = res.headers['x-call-id'];
    return { callId: Array.isArray(callId) ? (callId[0] ?? '') : (callId ?? '') };
  }

  async info(): Promise<GatewayInfo> {
    return (await this.system('GET', '/system/info')).json() as Promise<GatewayInfo>;
  }

  async health(): Promise<boolean> {
    try {
      const res = await this.send('GET', '/healthz', {});
      await res.body.dump();
      return res.statusCode === 200;
    } catch (err) {
      if (err instanceof PlatformUnavailableError) return false;
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  private functionPath(prefix: string, name: string, req: InvokeRequest): string {
    const sub = req.path && req.path !== '/' ? req.path : '';
    return `${prefix}${encodeURIComponent(name)}${sub}${req.query ? `?${req.query}` : ''}`;
  }

  /** A /system call: non-2xx answers become typed errors. */
  private async system(
    method: Dispatcher.HttpMethod,
    path: string,
    json?: unknown,
    functionName?: string,
  ): Promise<Dispatcher.ResponseData['body']> {
    const headers: Record<string, string> = {};
    if (this.authHeader) headers.authorization = this.authHeader;
    let body: string | undefined;
    if (json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(json);
    }
    const res = await this.send(method, path, { headers, body });
    if (res.statusCode >= 200 && res.statusCode < 300) return res.body;
    throw errorFor(res.statusCode, await res.body.text(), functionName);
  }

  private async send(
    method: string,
    path: string,
    opts: { headers?: Record<string, string>; body?: string | Uint8Array | undefined },
  ): Promise<Dispatcher.ResponseData> {
    try {
      return await request(`${this.base}${path}`, {
        method: method as Dispatcher.HttpMethod,
        headers: opts.headers,
        body: opts.body === undefined || opts.body.length === 0 ? null : opts.body,
        dispatcher: this.dispatcher,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
    } catch (err) {
      const code = (err as { code?: string }).code ?? (err as Error).name;
      if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
        throw new FunctionTimeoutError(
          `${method} ${this.base}${path}: no answer within ${this.timeoutMs} ms`,
        );
      }
      throw new PlatformUnavailableError(
        `${method} ${this.base}${path}: ${(err as Error).message} (${code})`,
      );
    }
  }
}

/** The response's headers, those sent more than once (Set-Cookie) as arrays. */
function definedHeaders(headers: Record<string, string | string[] | undefined>): HeaderMap {
  const out: HeaderMap = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = v;
  return out;
}

/** Maps a gateway's error status to the typed error both platforms throw. */
export function errorFor(status: number, text: string, functionName?: string): PlatformError {
  const message = text.trim() || `HTTP ${status}`;
  switch (status) {
    case 400:
      return new InvalidDeploymentError(message);
    case 401:
      return new UnauthorizedError(message);
    case 404:
      return functionName ? new FunctionNotFoundError(functionName) : new GatewayError(message, 404);
    case 429:
    case 502:
    case 503:
      return new ReplicaUnavailableError(message, status);
    case 504:
      return new FunctionTimeoutError(message);
    default:
      return new GatewayError(message, status);
  }
}
