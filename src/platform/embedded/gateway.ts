import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import { DeleteFunctionRequestSchema, ScaleServiceRequestSchema } from '../../config/function-deployment.js';
import { DfaasError, issuesFromZod } from '../../core/errors.js';
import { answerDroppingBody, BodyTooLargeError } from '../../core/http.js';
import type { HeaderMap } from '../../core/http-headers.js';
import { type Logger, silentLogger } from '../../core/logger.js';
import { httpOrigin } from '../../core/net.js';
import { FunctionTimeoutError, InvalidDeploymentError, UnauthorizedError } from '../errors.js';
import { type Credentials, checkBasicAuth } from './basic-auth.js';
import { DEFAULT_NAMESPACE, type EmbeddedPlatform } from './platform.js';

export interface GatewayOptions {
  platform: EmbeddedPlatform;
  host?: string;
  port?: number;
  /** Basic auth on /system/*; /function/*, /async-function/*, /healthz and /metrics stay open. */
  auth?: Credentials;
  logger?: Logger;
  /** Largest request body accepted, in bytes (default 64 MiB). */
  maxBodyBytes?: number;
  /** At close, how long in-flight requests may finish before their connections are cut, in ms (default 10 000). */
  drainMs?: number;
}

export interface Gateway {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  /** Stops accepting, lets in-flight requests finish, then stops the platform's replicas. */
  close(): Promise<void>;
}

/** While closing, how often keep-alive connections are looked at for having become idle, in ms. */
const IDLE_CHECK_MS = 25;

/**
 * The OpenFaaS gateway REST API over the embedded platform
 * (test/fixtures/openfaas/openfaas-gateway.openapi.yml). Errors are plain text, as OpenFaaS answers.
 */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { platform } = options;
  const logger = options.logger ?? silentLogger;
  const maxBody = options.maxBodyBytes ?? 64 * 1024 * 1024;
  let inflight = 0;
  let closing = false;
  let drained: (() => void) | undefined;

  const server = createServer((req, res) => {
    inflight++;
    res.on('close', () => {
      inflight--;
      if (inflight === 0) drained?.();
    });
    // After the signal nothing new starts: the client is told to come back, elsewhere or later.
    if (closing) return refuseWhileClosing(res);
    route(req, res).catch((err: unknown) => sendError(req, res, err, logger));
  });
  server.keepAliveTimeout = 65_000;
  // curl sends `Expect: 100-continue` with bodies over 1 MiB: go on only if the body may fit.
  server.on('checkContinue', (req, res) => {
    if (Number(req.headers['content-length']) > maxBody) {
      res.setHeader('connection', 'close');
      return send(res, 413, `${new BodyTooLargeError(maxBody).message}\n`);
    }
    res.writeContinue();
    server.emit('request', req, res);
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Split by hand: new URL() per request is a measurable share of the gateway's CPU.
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const path = q < 0 ? target : target.slice(0, q);
    const query = q < 0 ? '' : target.slice(q + 1);
    const method = req.method ?? 'GET';

    if (path.startsWith('/function/') || path.startsWith('/async-function/')) {
      const async = path.startsWith('/async-function/');
      const rest = path.slice(async ? '/async-function/'.length : '/function/'.length);
      const slash = rest.indexOf('/');
      const name = decodeName(slash < 0 ? rest : rest.slice(0, slash));
      const request = {
        method,
        path: slash < 0 ? '/' : rest.slice(slash),
        query,
        headers: plainHeaders(req),
      };
      const settings = platform.settingsOf(name);
      const body = await readBody(req, maxBody, settings.readTimeoutMs);
      if (async) {
        if (method !== 'POST') return send(res, 405, 'use POST for /async-function\n');
        const callbackUrl = request.headers['x-callback-url'];
        const { callId } = await platform.invokeAsync(name, {
          ...request,
          body,
          ...(callbackUrl ? { callbackUrl } : {}),
        });
        res.writeHead(202, { 'x-call-id': callId }).end();
        return;
      }
      const out = await platform.invoke(name, { ...request, body });
      const headers: HeaderMap = {
        ...out.headers,
        'x-duration-seconds': (out.durationMs / 1000).toFixed(6),
      };
      if (out.coldStartMs !== undefined) headers['x-dfaas-cold-start-ms'] = out.coldStartMs.toFixed(1);
      res.writeHead(out.status, headers).end(out.body);
      return;
    }

    if (path === '/healthz') return send(res, 200, 'OK\n');
    if (path === '/metrics' && method === 'GET') {
      const text = await platform.metrics.registry.metrics();
      res.writeHead(200, { 'content-type': platform.metrics.registry.contentType }).end(text);
      return;
    }
    if (path.startsWith('/system/')) {
      if (options.auth && !checkBasicAuth(req.headers.authorization, options.auth)) {
        res.setHeader('www-authenticate', 'Basic realm="dfaas"');
        throw new UnauthorizedError();
      }
      return system(req, res, method, path, new URLSearchParams(query));
    }
    send(res, 404, `no route for ${method} ${path}\n`);
  }

  async function system(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    path: string,
    query: URLSearchParams,
  ) {
    const body = () => readBody(req, maxBody, 10_000);
    if (path === '/system/info' && method === 'GET') return sendJson(res, 200, await platform.info());
    if (path === '/system/namespaces' && method === 'GET') return sendJson(res, 200, [DEFAULT_NAMESPACE]);
    if (path === '/system/functions') {
      switch (method) {
        case 'GET':
          return sendJson(res, 200, await platform.list());
        case 'POST':
          await platform.deploy(parseJson(await body()) as never);
          return send(res, 202, '');
        case 'PUT':
          await platform.update(parseJson(await body()) as never);
          return send(res, 200, '');
        case 'DELETE': {
          const { functionName } = parseWith(DeleteFunctionRequestSchema, parseJson(await body()));
          await platform.remove(functionName);
          return send(res, 200, '');
        }
      }
    }
    const fnMatch = /^\/system\/function\/([^/]+)$/.exec(path);
    if (fnMatch && method === 'GET') {
      const ns = query.get('namespace');
      const name = decodeName(fnMatch[1] as string);
      return sendJson(res, 200, await platform.get(ns ? `${name}.${ns}` : name));
    }
    const scaleMatch = /^\/system\/scale-function\/([^/]+)$/.exec(path);
    if (scaleMatch && method === 'POST') {
      const { replicas } = parseWith(ScaleServiceRequestSchema, parseJson(await body()));
      await platform.scale(decodeName(scaleMatch[1] as string), replicas);
      return send(res, 202, '');
    }
    send(res, 404, `no route for ${method} ${path}\n`);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = httpOrigin(address.address, address.port);
  // Replicas are on this machine: a wildcard address is reached on loopback.
  const wildcard = address.address === '0.0.0.0' || address.address === '::';
  platform.setGatewayUrl(wildcard ? httpOrigin('127.0.0.1', address.port) : url);

  return {
    url,
    port: address.port,
    server,
    async close() {
      if (closing) return;
      closing = true;
      platform.stopScaling();
      server.close();
      // Keep-alive connections close as soon as they are idle: now, and each as its request ends.
      server.closeIdleConnections();
      const idle = setInterval(() => server.closeIdleConnections(), IDLE_CHECK_MS);
      // One drain budget for the whole shutdown: what the HTTP side leaves is the replicas'.
      const deadline = performance.now() + (options.drainMs ?? 10_000);
      if (inflight > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((resolve) => (drained = resolve)),
          new Promise<void>((resolve) => (timer = setTimeout(resolve, deadline - performance.now()))),
        ]);
        clearTimeout(timer);
      }
      clearInterval(idle);
      await platform.close(Math.max(0, deadline - performance.now()));
      server.closeAllConnections();
    },
  };
}

function decodeName(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw new InvalidDeploymentError(`malformed function name in the path: ${encoded}`);
  }
}

function plainHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers))
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/**
 * Reads the whole body; over `limit` bytes is 413, slower than `timeoutMs` is 504 (read_timeout).
 * Either way the connection stays up for the answer (sendError closes it after the body: see
 * answerDroppingBody): destroying it here left the client with a reset instead of its status.
 */
function readBody(req: IncomingMessage, limit: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (err: Error) => {
      clearTimeout(timer);
      req.off('data', onData);
      reject(err);
    };
    const timer = setTimeout(
      () => fail(new FunctionTimeoutError(`request body not received within read_timeout (${timeoutMs} ms)`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) fail(new BodyTooLargeError(limit));
      else chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => {
      clearTimeout(timer);
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    });
    req.on('error', fail);
  });
}

/** The answer to a request that arrives while the gateway shuts down. */
function refuseWhileClosing(res: ServerResponse): void {
  res.setHeader('retry-after', '1');
  res.setHeader('connection', 'close');
  send(res, 503, 'the gateway is shutting down\n');
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new InvalidDeploymentError(`request body is not JSON: ${(err as Error).message}`);
  }
}

function parseWith<S extends z.ZodType>(schema: S, data: unknown): z.output<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issues = issuesFromZod(result.error);
  throw new InvalidDeploymentError(
    issues.map((i) => `${i.field || '(body)'}: ${i.message}`).join('; '),
    issues,
  );
}

const TEXT = 'text/plain; charset=utf-8';

function send(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': TEXT }).end(text);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}

function sendError(req: IncomingMessage, res: ServerResponse, err: unknown, logger: Logger): void {
  const status = err instanceof DfaasError ? err.status : 500;
  const message = (err as Error)?.message ?? String(err);
  if (status >= 500) logger.warn('request failed', { status, error: message });
  if (res.headersSent) {
    res.destroy();
    return;
  }
  answerDroppingBody(req, res, status, { 'content-type': TEXT }, `${message}\n`);
}
