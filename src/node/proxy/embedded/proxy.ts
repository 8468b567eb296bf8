import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { httpOrigin } from '../../../core/net.js';
import { LOCAL, NODE_ID_HEADER, NODE_TOKEN_HEADER, type PeerEndpoint } from '../../../offload/routing.js';
import {
  HEALTH_PATH,
  NOT_SERVED,
  type ProxyDriver,
  type ProxyOptions,
  UPSTREAM_TIMEOUT_S,
} from '../contract.js';
import { forward, hasBody, readSmallBody } from './forward.js';
import { type Admission, Router } from './router.js';

/** Bodies up to this size are read before going to a peer, so a refused one can be sent elsewhere. */
const RESENDABLE_BODY_BYTES = 1024 * 1024;
/** How many times a request refused by a peer is decided again: HAProxy's `retries 2` (config.ts). */
const MAX_REDISPATCHES = 2;
/** At stop, how long in-flight requests may finish before their connections are cut, in ms. */
const DRAIN_MS = 5_000;
const NODE_ID = NODE_ID_HEADER.toLowerCase();
const NODE_TOKEN = NODE_TOKEN_HEADER.toLowerCase();
const LOCAL_ONLY_HEADERS: ReadonlySet<string> = new Set([NODE_TOKEN]);
const FUNCTION_PREFIX = '/function/';

/** One request for a function, from its arrival to its answer. */
interface FunctionCall {
  req: IncomingMessage;
  res: ServerResponse;
  fn: string;
  /** Path and query, as received. */
  target: string;
}

/** A user request on its way to peers: who refused it so far, and its body once read. */
interface PeerAttempt {
  refused: Set<string>;
  /** Read before the first attempt when small (see RESENDABLE_BODY_BYTES). */
  body: Buffer | undefined;
}

/**
 * The proxy inside the node process: enforces the contract of ../../routing.ts with node:http in
 * front and undici keep-alive pools (one per upstream: the gateway and each peer's proxy) behind.
 * It serves /function/<name>[/...] and passes /healthz to the gateway; any other path is 404
 * (see NOT_SERVED in ../contract.ts).
 */
export async function startEmbeddedProxy(options: ProxyOptions): Promise<ProxyDriver> {
  const { nodeId, logger } = options;
  const router = new Router();
  const gatewayBase = new URL(options.gatewayUrl);
  const gatewayPrefix = gatewayBase.pathname.replace(/\/+$/, '');
  const gateway = newPool(gatewayBase.origin);
  /** By origin, created on first use; closed (once idle) when no peer of the table has that origin. */
  const peerPools = new Map<string, Pool>();
  let inflight = 0;
  let drained: (() => void) | undefined;

  let stopping = false;
  const server = createServer((req, res) => {
    inflight++;
    res.once('close', () => {
      inflight--;
      if (inflight === 0) drained?.();
    });
    // Once stopping, nothing new starts (a request on a busy keep-alive connection): as the gateway.
    if (stopping) {
      res.setHeader('retry-after', '1');
      res.setHeader('connection', 'close');
      sendText(res, 503, 'this node is shutting down');
    } else handle(req, res);
  });
  server.keepAliveTimeout = 65_000;

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const target = req.url ?? '/';
    const fn = functionOf(target);
    if (fn === undefined) {
      if (isHealthCheck(target)) toGateway(req, res, target);
      else sendText(res, 404, NOT_SERVED);
      return;
    }
    const from = req.headers[NODE_ID];
    const token = req.headers[NODE_TOKEN];
    follow(
      { req, res, fn, target },
      router.admit(
        fn,
        typeof from === 'string' ? from : undefined,
        typeof token === 'string' ? token : undefined,
      ),
    );
  }

  function follow(call: FunctionCall, admission: Admission, attempt?: PeerAttempt): void {
    if (admission.to === 'local') toGateway(call.req, call.res, call.target, call.fn, attempt?.body);
    else if (admission.to === 'peer') {
      if (attempt) toPeer(call, admission.peerId, admission.endpoint, attempt);
      else
        readSmallBody(call.req, RESENDABLE_BODY_BYTES).then(
          (body) => toPeer(call, admission.peerId, admission.endpoint, { refused: new Set(), body }),
          (err: unknown) => fail(call.res, 'request body', err),
        );
    } else sendText(call.res, admission.status, admission.message);
  }

  // The gateway call is dispatched synchronously after the admission, a peer call once its small
  // body is read, on the pool taken at admission (a peer that left the table meanwhile: 502).
  function toGateway(
    req: IncomingMessage,
    res: ServerResponse,
    target: string,
    fn?: string,
    body?: Buffer,
  ): void {
    forward(req, res, {
      dispatcher: gateway,
      path: gatewayPrefix + target,
      servedBy: { value: nodeId, override: true },
      // A peer's token stays here: the functions of this node must not learn it.
      dropHeaders: LOCAL_ONLY_HEADERS,
      ...(body ? { body } : {}),
      ...(fn !== undefined ? { onResponse: () => router.served(fn, LOCAL) } : {}),
    }).catch((err: unknown) => fail(res, `no answer from the gateway at ${gatewayBase.origin}`, err));
  }

  function toPeer(call: FunctionCall, peerId: string, endpoint: PeerEndpoint, attempt: PeerAttempt): void {
    const { req, res, fn, target } = call;
    const origin = originOf(endpoint);
    let pool = peerPools.get(origin);
    if (!pool) {
      pool = newPool(origin);
      peerPools.set(origin, pool);
    }
    forward(req, res, {
      dispatcher: pool,
      path: target,
      setHeaders: { [NODE_ID]: nodeId, [NODE_TOKEN]: router.ownToken },
      servedBy: { value: peerId, override: false },
      onResponse: () => router.served(fn, peerId),
      ...(attempt.body ? { body: attempt.body } : {}),
    }).catch((err: unknown) => {
      // A peer that refuses the connection never saw the request, so it is decided again without
      // that peer (HAProxy's redispatch): a peer that just died costs only the requests that were
      // in flight to it. That needs the body again, hence small bodies are read before they go.
      const resendable = attempt.body !== undefined || !hasBody(req);
      if (refused(err) && !res.headersSent && resendable && attempt.refused.size < MAX_REDISPATCHES) {
        attempt.refused.add(peerId);
        follow(call, router.readmit(fn, attempt.refused), attempt);
      } else fail(res, `no answer from peer ${peerId} at ${origin}`, err);
    });
  }

  function fail(res: ServerResponse, what: string, err: unknown): void {
    const message = `${what}: ${(err as Error)?.message ?? String(err)}`;
    logger.debug('proxy upstream failed', { error: message });
    if (res.headersSent || res.destroyed) res.destroy();
    else sendText(res, 502, message);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = httpOrigin(address.address, address.port);
  logger.debug('embedded proxy listening', { url, nodeId });
  let stopped: Promise<void> | undefined;

  return {
    kind: 'embedded',
    url,
    async apply(table) {
      router.apply(table);
      const origins = new Set([...router.peers.values()].map(originOf));
      for (const [origin, pool] of peerPools) {
        if (origins.has(origin)) continue;
        peerPools.delete(origin);
        void pool.close().catch(() => {});
      }
    },
    async counters() {
      return router.counters();
    },
    stop() {
      stopped ??= (async () => {
        stopping = true;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        if (inflight > 0) {
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([
            new Promise<void>((resolve) => (drained = resolve)),
            new Promise<void>((resolve) => (timer = setTimeout(resolve, DRAIN_MS))),
          ]);
          clearTimeout(timer);
        }
        server.closeAllConnections();
        await closed;
        await Promise.all([gateway, ...peerPools.values()].map((pool) => pool.destroy()));
      })();
      return stopped;
    },
  };
}

function refused(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } } | undefined;
  return e?.code === 'ECONNREFUSED' || e?.cause?.code === 'ECONNREFUSED';
}

function newPool(origin: string): Pool {
  const timeout = UPSTREAM_TIMEOUT_S * 1000;
  return new Pool(origin, { keepAliveTimeout: 30_000, headersTimeout: timeout, bodyTimeout: timeout });
}

function originOf({ host, port }: PeerEndpoint): string {
  return httpOrigin(host, port);
}

/** /healthz, with or without a query: the one path besides /function/* a node's proxy serves. */
function isHealthCheck(target: string): boolean {
  return target === HEALTH_PATH || target.startsWith(`${HEALTH_PATH}?`);
}

/**
 * The function a /function/<name>[/...][?...] target calls; undefined for any other path. The name
 * is taken as sent, not percent-decoded, as HAProxy does: function names are DNS labels, which
 * need no escapes.
 */
function functionOf(target: string): string | undefined {
  if (!target.startsWith(FUNCTION_PREFIX)) return undefined;
  const rest = target.slice(FUNCTION_PREFIX.length);
  const end = rest.search(/[/?]/);
  const name = end < 0 ? rest : rest.slice(0, end);
  return name || undefined;
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${text}\n`);
}
