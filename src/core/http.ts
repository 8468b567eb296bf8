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
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (err instanceof MethodNotAllowedError) headers.allow = err.allow.join(', ');
        answerDroppingBody(
          req,
          res,
          status,
          headers,
          JSON.stringify({ error: message, code: errorCode(err) }),
        );
      });
  };
}

/** How long, and how many bytes, of a body answerDroppingBody reads and drops. */
export interface Linger {
  maxMs: number;
  maxBytes: number;
}

const DEFAULT_LINGER: Linger = { maxMs: 2_000, maxBytes: 64 * 2 ** 20 };

/**
 * Answers `text` to a request whose body may not have been read (an error: 413, 504, 404, ...).
 * A body that is all in is dropped, and the connection stays open. One still coming must not be
 * taken for a next request, so the answer says `Connection: close`; it is written at once, but
 * the response ends only when the rest of the body has been read and dropped: the client, which
 * may still be sending (a proxy in between always is), gets its status rather than a reset or a
 * failed write. A body that goes on past `linger` is cut off. (Ending the response at once makes
 * node:http close the socket with the body still arriving.)
 */
export function answerDroppingBody(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  text: string,
  linger: Linger = DEFAULT_LINGER,
): void {
  const body = Buffer.from(text);
  if (req.complete) {
    res.writeHead(status, { ...headers, 'content-length': body.length }).end(body);
    return;
  }
  res.writeHead(status, { ...headers, 'content-length': body.length, connection: 'close' }).write(body);
  let dropped = 0;
  const cut = setTimeout(() => req.socket.destroy(), linger.maxMs).unref();
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > linger.maxBytes) req.socket.destroy();
  });
  req.once('end', () => res.end());
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
