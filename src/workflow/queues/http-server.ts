/**
 * The embedded queues served to the workflow's other processes (the roles' replicas) over
 * loopback HTTP: one `POST /OPERATION` per operation of the Queues contract, a small JSON body in
 * and `{"value": …}` out (errors as the HTTP kit answers them, `{"error", "code"}`). popWait and
 * take are long polls, each capped (30 s; the client asks again for the rest); one
 * whose client goes away stops waiting, and closing the server answers the pending ones null.
 * No authentication: loopback only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { z } from 'zod';
import { ConfigError, issuesFromZod } from '../../core/errors.js';
import {
  close,
  handleErrors,
  listen,
  MethodNotAllowedError,
  NotFoundError,
  readJsonBody,
  sendJson,
} from '../../core/http.js';
import { type Logger, silentLogger } from '../../core/logger.js';
import { httpOrigin, isLoopbackHost } from '../../core/net.js';
import { QueueError } from './errors.js';
import type { MemoryQueues } from './memory.js';

/** The longest a popWait or take request waits before it answers null (by default). */
const LONG_POLL_CAP_MS = 30_000;

/** Requests carry a few small messages; a push of many is still far below this. */
const BODY_LIMIT_BYTES = 16 * 2 ** 20;

const key = z.string().min(1);
const consumer = z.string().min(1);
const waitMs = z.number().finite().min(0);
const leaseMs = z.number().finite().positive();

/** One operation: its body's schema and what it does with the queues. */
interface Route<S extends z.ZodType, V> {
  body: S;
  run(queues: MemoryQueues, body: z.infer<S>, wait: Wait): Promise<V>;
}

/** How a long poll waits: at most `capMs`, and no longer than its client is there. */
interface Wait {
  capMs: number;
  signal: AbortSignal;
}

function route<S extends z.ZodType, V>(
  body: S,
  run: (queues: MemoryQueues, body: z.infer<S>, wait: Wait) => Promise<V>,
): Route<S, V> {
  return { body, run };
}

const ROUTES = {
  push: route(z.object({ key, messages: z.array(z.string()) }), (q, b) => q.push(b.key, ...b.messages)),
  'push-counted': route(z.object({ key, counterKey: key, message: z.string() }), (q, b) =>
    q.pushCounted(b.key, b.counterKey, b.message),
  ),
  pop: route(z.object({ key }), (q, b) => q.pop(b.key)),
  'pop-wait': route(z.object({ key, timeoutMs: waitMs }), (q, b, w) =>
    q.popWait(b.key, Math.min(b.timeoutMs, w.capMs), w.signal),
  ),
  length: route(z.object({ key }), (q, b) => q.length(b.key)),
  range: route(z.object({ key }), (q, b) => q.range(b.key)),
  counter: route(z.object({ key }), (q, b) => q.counter(b.key)),
  clear: route(z.object({ keys: z.array(key) }), (q, b) => q.clear(b.keys)),
  take: route(z.object({ key, consumer, timeoutMs: waitMs, leaseMs }), (q, b, w) =>
    q.take(b.key, b.consumer, Math.min(b.timeoutMs, w.capMs), b.leaseMs, w.signal),
  ),
  complete: route(z.object({ key, consumer, message: z.string() }), (q, b) =>
    q.complete(b.key, b.consumer, b.message),
  ),
  renew: route(z.object({ key, consumer, leaseMs }), (q, b) => q.renew(b.key, b.consumer, b.leaseMs)),
  reclaim: route(z.object({ key }), (q, b) => q.reclaim(b.key)),
  'in-flight': route(z.object({ key }), (q, b) => q.inFlight(b.key)),
};

type Routes = typeof ROUTES;

/** What the client sends to and gets from each route (for http-client.ts). */
export type QueueRoutes = {
  [K in keyof Routes]: Routes[K] extends Route<infer S, infer V> ? { body: z.input<S>; value: V } : never;
};

export interface ServeQueuesOptions {
  /** A loopback address (default 127.0.0.1). */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** The longest one popWait or take request waits, ms (default 30 s). */
  longPollCapMs?: number;
  logger?: Logger;
}

export interface QueueServer {
  /** http://HOST:PORT, the URL the roles are given (`--queue`). */
  url: string;
  /** Answers the pending long polls null, lets the other requests finish, and stops. */
  close(): Promise<void>;
}

export async function serveQueues(
  queues: MemoryQueues,
  options: ServeQueuesOptions = {},
): Promise<QueueServer> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) {
    throw new ConfigError('queue server', [
      { field: 'host', message: `${host} is not a loopback address; the queue server has no authentication` },
    ]);
  }
  /** The requests in progress, aborted when the server closes (their waits answer null). */
  const pending = new Set<AbortController>();
  const capMs = options.longPollCapMs ?? LONG_POLL_CAP_MS;
  let closing = false;
  let url = '';

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const name = (req.url ?? '').slice(1);
    if (!Object.hasOwn(ROUTES, name)) throw new NotFoundError(`no queue operation at ${req.url}`);
    if (req.method !== 'POST') throw new MethodNotAllowedError(req.method ?? '', req.url ?? '', ['POST']);
    if (closing) throw new QueueError(url, 'the queue server is closing');
    const op = ROUTES[name as keyof Routes] as Route<z.ZodType, unknown>;
    const parsed = op.body.safeParse(await readJsonBody(req, { limitBytes: BODY_LIMIT_BYTES }));
    if (!parsed.success) throw new ConfigError(`POST /${name}`, issuesFromZod(parsed.error));
    const aborter = new AbortController();
    pending.add(aborter);
    // The client went away before its answer: stop waiting for it.
    const gone = () => {
      if (!res.writableEnded) aborter.abort();
    };
    res.once('close', gone);
    try {
      const value = await op.run(queues, parsed.data, { capMs, signal: aborter.signal });
      if (!res.destroyed) sendJson(res, 200, { value: value ?? null });
    } finally {
      pending.delete(aborter);
      res.off('close', gone);
    }
  };

  const server = createServer(handleErrors(handle, options.logger ?? silentLogger));
  const address = await listen(server, host, options.port ?? 0);
  url = httpOrigin(host, address.port);
  return {
    url,
    close: async () => {
      closing = true;
      for (const aborter of pending) aborter.abort();
      await close(server);
    },
  };
}
