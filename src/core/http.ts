/**
 * The control-plane HTTP kit: what the forecaster service and the agent's status server share
 * instead of each hand-rolling it. A JSON body with a size limit, JSON and text replies, one
 * mapping from a thrown DfaasError to its HTTP status and `{"error", "code"}` body, and listen /
 * close with a drain. node:http only. The data path (gateway invoke, proxies) keeps its own
 * measured raw handlers and does not go through here.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, DfaasError, ExitCode, errorCode } from './errors.js';
import type { Logger } from './logger.js';

/** A request body over the server's limit (413). */
export class BodyTooLargeError extends DfaasError {
  constructor(limitBytes: number) {
    super('DFAAS_ERR_BODY_TOO_LARGE', `request body over ${limitBytes} bytes`, {
      status: 413,
      exitCode: ExitCode.badInput,
    });
    this.name = 'BodyTooLargeError';
  }
}

/** No such route or resource (404). */
export class NotFoundError extends DfaasError {
  constructor(message: string) {
    super('DFAAS_ERR_NOT_FOUND', message, { status: 404, exitCode: ExitCode.badInput });
    this.name = 'NotFoundError';
  }
}

/** The route exists, not for this method (405); `allow` goes into the Allow header. */
export class MethodNotAllowedError extends DfaasError {
  constructor(
    method: string,
    path: string,
    readonly allow: readonly string[],
  ) {
    super('DFAAS_ERR_METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}`, {
      status: 405,
      exitCode: ExitCode.badInput,
    });
    this.name = 'MethodNotAllowedError';
  }
}

/**
 * Reads the whole body and parses it as JSON. Over `limitBytes` is a BodyTooLargeError (413; the
 * rest of the body is not kept, and the connection closes after the answer); an empty body or one
 * that is not JSON is a ConfigError (400).
 */
export async function readJsonBody(req: IncomingMessage, { limitBytes }: { limitBytes: number }) {
  const text = await readText(req, limitBytes);
  if (text.trim() === '') throw badBody('a JSON body is required');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw badBody(`not JSON: ${(err as Error).message}`);
  }
}

function badBody(message: string): ConfigError {
  return new ConfigError('request body', [{ field: '', message }]);
}

function readText(req: IncomingMessage, limitBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limitBytes) return chunks.push(chunk);
      req.off('data', onData); // the rest flows on unread; handleErrors closes the connection
      reject(new BodyTooLargeError(limitBytes));
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Answers `value` as JSON. */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  sendText(res, status, JSON.stringify(value), 'application/json');
}

/** Answers `text` (plain text unless `type` says otherwise). */
export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  type = 'text/plain; charset=utf-8',
): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) }).end(text);
}

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/**
 * A request listener that runs `handler` and answers what it throws: a DfaasError with its
 * `status` and `{"error": message, "code": code}`; anything else with 500 and
 * DFAAS_ERR_INTERNAL, logged. An error after the reply started drops the connection.
 */
export function handleErrors(
  handler: RouteHandler,
  logger: Logger,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    Promise.resolve()
      .then(() => handler(req, res))
      .catch((err: unknown) => {
        const coded = err instanceof DfaasError;
        const status = coded ? err.status : 500;
        const message = err instanceof Error ? err.message : String(err);
        if (status >= 500) {
          logger.error('request failed', { method: req.method, url: req.url, status, error: message });
        }
        if (res.headersSent) {
          res.destroy();
          return;
        }
        if (err instanceof MethodNotAllowedError) res.setHeader('allow', err.allow.join(', '));
        if (!req.complete) closeAfterBody(req, res);
        sendJson(res, status, { error: message, code: errorCode(err) });
      });
  };
}

/** How long, and how many bytes, closeAfterBody reads of a body it drops. */
export interface Linger {
  maxMs: number;
  maxBytes: number;
}

/**
 * For an answer given before the request's body was read (413, 504, 404): reads the rest of the
 * body and drops it, then closes the connection (the rest must not be taken for a next request).
 * Closing at once instead made the client, which may still be sending (a proxy in between
 * always is), get a reset, or fail its write, rather than the answer. A body that goes on past
 * `linger` is cut off.
 */
export function closeAfterBody(
  req: IncomingMessage,
  res: ServerResponse,
  linger: Linger = { maxMs: 2_000, maxBytes: 64 * 2 ** 20 },
): void {
  const { socket } = req;
  let dropped = 0;
  const cut = setTimeout(() => socket.destroy(), linger.maxMs).unref();
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > linger.maxBytes) socket.destroy();
  });
  req.once('end', () => {
    clearTimeout(cut);
    if (res.writableFinished) socket.end();
    else res.once('finish', () => socket.end());
  });
  req.once('close', () => clearTimeout(cut));
  req.resume();
}

/** Starts listening; resolves with the bound address (port 0 asks for a free one). */
export function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** How often a closing server looks for connections that became idle (their request done). */
const DRAIN_CHECK_MS = 25;

/**
 * Stops accepting, closes idle keep-alive connections at once and each one as its request ends,
 * lets requests in flight finish for up to `graceMs`, then cuts the connections still open.
 */
export function close(server: Server, graceMs = 2_000): Promise<void> {
  return new Promise((resolve) => {
    const idle = setInterval(() => server.closeIdleConnections(), DRAIN_CHECK_MS);
    const cut = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearInterval(idle);
      clearTimeout(cut);
      resolve();
    });
    server.closeIdleConnections();
  });
}
