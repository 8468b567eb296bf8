import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Dispatcher } from 'undici';
import { endToEndHeaders } from '../../../core/http-headers.js';
import { SERVED_BY_HEADER } from '../../../offload/routing.js';

const SERVED_BY = SERVED_BY_HEADER.toLowerCase();

export interface Forwarding {
  dispatcher: Dispatcher;
  /** Path and query sent upstream. */
  path: string;
  /** Request headers to set, replacing any the client sent (lower-case names). */
  setHeaders?: Record<string, string>;
  /** Request headers the client sent that are not passed on (lower-case names). */
  dropHeaders?: ReadonlySet<string>;
  /** DFaaS-Served-By of the response: always `value`, or only when the upstream sent none. */
  servedBy: { value: string; override: boolean };
  /** The request body already read (so it can be sent again); absent: `req` is streamed. */
  body?: Buffer;
  /** Called when the upstream's response headers arrive, before they are sent on. */
  onResponse?: () => void;
}

/**
 * Streams the request to the upstream and its answer back, status and end-to-end headers
 * included. Rejects when the upstream fails: before the response headers nothing was sent and the
 * caller answers; after them the response is cut. A client that goes away aborts the upstream call.
 */
export async function forward(req: IncomingMessage, res: ServerResponse, to: Forwarding): Promise<void> {
  const abort = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  const upstream = await to.dispatcher.request({
    method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
    path: to.path,
    headers: { ...endToEndHeaders(req.headers, to.dropHeaders), ...to.setHeaders },
    body: to.body ?? (hasBody(req) ? req : null),
    signal: abort.signal,
  });
  to.onResponse?.();
  const headers = endToEndHeaders(upstream.headers);
  if (to.servedBy.override || headers[SERVED_BY] === undefined) headers[SERVED_BY] = to.servedBy.value;
  res.writeHead(upstream.statusCode, headers);
  await pipeline(upstream.body, res);
}

/**
 * Reads a request body of a known length up to `max` bytes, so that it can be sent a second time
 * (undici destroys a streamed body when the upstream fails). Undefined for a body too big or of
 * unknown length, which must be streamed once.
 */
export async function readSmallBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  const length = Number(req.headers['content-length'] ?? Number.NaN);
  if (req.headers['transfer-encoding'] !== undefined || !(length <= max)) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}
