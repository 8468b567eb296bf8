import './node20.js';
import { gossipsub } from '@chainsafe/libp2p-gossipsub';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify } from '@libp2p/identify';
import type { PrivateKey, Stream } from '@libp2p/interface';
import { kadDHT } from '@libp2p/kad-dht';
import { mdns } from '@libp2p/mdns';
import { peerIdFromString } from '@libp2p/peer-id';
import { ping } from '@libp2p/ping';
import { tcp } from '@libp2p/tcp';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p, type Libp2p } from 'libp2p';
import type { Logger } from '../../core/logger.js';
import {
  DFAAS_TOPIC,
  DROP_REASONS,
  type DropReason,
  decodeMessage,
  encodeMessage,
  type PeerMessage,
} from '../../offload/messages.js';
import { MAX_GRANT_BYTES, TOKEN_PROTOCOL, type TokenGrant, TokenGrantSchema } from './tokens.js';

export interface PeerNetworkOptions {
  privateKey: PrivateKey;
  /** libp2p listen multiaddrs, e.g. /ip4/127.0.0.1/tcp/4001. */
  listen: string[];
  /** Multiaddrs ending in /p2p/<peer id>, dialled at start and re-dialled while disconnected. */
  bootstrap: string[];
  mdns: boolean;
  dht: boolean;
  logger: Logger;
  /** How often disconnected bootstrap peers are dialled again, ms (default 2000). */
  redialMs?: number;
}

export type MessageHandler = (from: string, message: PeerMessage) => void;
/** Takes a peer's token grant; the grant is acknowledged once the returned promise resolves. */
export type GrantHandler = (from: string, grant: TokenGrant) => Promise<void>;

/**
 * The node's peer-to-peer layer: libp2p over TCP with noise and yamux, identify and ping, and
 * gossipsub on /dfaasagent/1.0.0 carrying the reference agent's JSON messages. A message that is
 * oversized, not JSON, of an unknown type or with wrong fields is dropped and counted (never thrown).
 */
export class PeerNetwork {
  readonly dropped: Record<DropReason, number> = Object.fromEntries(
    DROP_REASONS.map((r) => [r, 0]),
  ) as Record<DropReason, number>;
  received = 0;
  private readonly handlers: MessageHandler[] = [];
  private grantHandler?: GrantHandler;
  /** Token grants refused (malformed, oversized, or arriving before a handler is set). */
  refusedGrants = 0;
  private redialTimer?: NodeJS.Timeout;

  private constructor(
    private readonly node: Libp2p<{
      pubsub: ReturnType<ReturnType<typeof gossipsub>>;
      ping: ReturnType<ReturnType<typeof ping>>;
    }>,
    private readonly options: PeerNetworkOptions,
  ) {}

  static async start(options: PeerNetworkOptions): Promise<PeerNetwork> {
    const node = await createLibp2p({
      privateKey: options.privateKey,
      addresses: { listen: options.listen },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      peerDiscovery: options.mdns ? [mdns()] : [],
      services: {
        identify: identify(),
        ping: ping(),
        // Alone on the topic (the first node of a cluster) publishing is not an error.
        pubsub: gossipsub({ allowPublishToZeroTopicPeers: true, emitSelf: false }),
        ...(options.dht ? { dht: kadDHT({ protocol: '/dfaasagent/kad/1.0.0', clientMode: false }) } : {}),
      },
    });
    const network = new PeerNetwork(node as never, options);
    network.listen();
    await network.redial();
    network.redialTimer = setInterval(() => void network.redial(), options.redialMs ?? 2000);
    network.redialTimer.unref();
    return network;
  }

  get peerId(): string {
    return this.node.peerId.toString();
  }

  /** Listen addresses with this node's /p2p/ id, for other nodes' bootstrap lists. */
  addresses(): string[] {
    return this.node.getMultiaddrs().map((a) => a.toString());
  }

  /** Peer ids connected now. */
  connectedPeers(): string[] {
    return [...new Set(this.node.getPeers().map((p) => p.toString()))].sort();
  }

  onMessage(handler: MessageHandler): void {
    this.handlers.push(handler);
  }

  /** Called with a peer's id when its last connection closes (e.g. the node was killed). */
  onPeerDisconnect(handler: (peer: string) => void): void {
    this.node.addEventListener('peer:disconnect', (event) => handler(event.detail.toString()));
  }

  /** Takes the token grants of connected peers (see tokens.ts). */
  onTokenGrant(handler: GrantHandler): void {
    this.grantHandler = handler;
  }

  /**
   * Gives a connected peer this node's token over TOKEN_PROTOCOL. True once the peer has
   * acknowledged it, i.e. its proxy accepts the token; false when it could not be delivered
   * (the peer is gone, does not speak the protocol, or did not answer within `timeoutMs`).
   */
  async grantToken(peer: string, grant: TokenGrant, timeoutMs = 2000): Promise<boolean> {
    const signal = AbortSignal.timeout(timeoutMs);
    let stream: Stream | undefined;
    try {
      stream = await this.node.dialProtocol(peerIdFromString(peer), TOKEN_PROTOCOL, { signal });
      await stream.sink([new TextEncoder().encode(JSON.stringify(grant))]);
      const ack = JSON.parse(new TextDecoder().decode(await readAll(stream, MAX_GRANT_BYTES))) as {
        ok?: unknown;
      };
      return ack.ok === true;
    } catch (err) {
      stream?.abort(err as Error);
      this.options.logger.debug('token grant not delivered', { peer, error: (err as Error).message });
      return false;
    }
  }

  async publish(message: PeerMessage): Promise<void> {
    await this.node.services.pubsub.publish(DFAAS_TOPIC, encodeMessage(message));
  }

  /** Round-trip time to a connected peer, ms (libp2p ping); undefined when it does not answer. */
  async rtt(peer: string, timeoutMs = 1000): Promise<number | undefined> {
    try {
      return await this.node.services.ping.ping(peerIdFromString(peer), {
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch {
      return undefined;
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.redialTimer);
    await this.node.stop();
  }

  private listen(): void {
    const pubsub = this.node.services.pubsub;
    pubsub.subscribe(DFAAS_TOPIC);
    pubsub.addEventListener('message', (event) => {
      const { topic, data } = event.detail;
      if (topic !== DFAAS_TOPIC || event.detail.type !== 'signed') return;
      const from = event.detail.from.toString();
      const decoded = decodeMessage(data);
      if (!decoded.ok) {
        this.dropped[decoded.reason]++;
        this.options.logger.debug('peer message dropped', {
          from,
          reason: decoded.reason,
          detail: decoded.detail,
        });
        return;
      }
      this.received++;
      // A listener's exception would end the process (libp2p re-throws it): one message must not.
      for (const handler of this.handlers) {
        try {
          handler(from, decoded.message);
        } catch (err) {
          this.options.logger.error('peer message handler failed', { from, error: (err as Error).message });
        }
      }
    });
    void this.node.handle(TOKEN_PROTOCOL, ({ stream, connection }) =>
      this.takeGrant(connection.remotePeer.toString(), stream),
    );
    this.node.addEventListener('peer:discovery', (event) => {
      const { id, multiaddrs } = event.detail;
      if (multiaddrs.length > 0) void this.node.dial(id).catch(() => undefined);
    });
  }

  /** Reads one grant from a peer's stream, hands it to the handler, then acknowledges it. */
  private async takeGrant(from: string, stream: Stream): Promise<void> {
    try {
      const bytes = await readAll(stream, MAX_GRANT_BYTES);
      const grant = TokenGrantSchema.parse(
        JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)),
      );
      if (!this.grantHandler) throw new Error('no handler for token grants yet');
      await this.grantHandler(from, grant);
      await stream.sink([new TextEncoder().encode('{"ok":true}')]);
    } catch (err) {
      this.refusedGrants++;
      this.options.logger.debug('token grant refused', { from, error: (err as Error).message });
      stream.abort(err as Error);
    }
  }

  /** Dials every bootstrap peer that is not connected (a restarted peer is found again this way). */
  private async redial(): Promise<void> {
    const connected = new Set(this.connectedPeers());
    await Promise.all(
      this.options.bootstrap.map(async (address) => {
        const ma = multiaddr(address);
        const id = ma.getPeerId();
        if (id === this.peerId || (id && connected.has(id))) return;
        try {
          await this.node.dial(ma, { signal: AbortSignal.timeout(2000) });
        } catch (err) {
          this.options.logger.debug('bootstrap peer not reachable', {
            address,
            error: (err as Error).message,
          });
        }
      }),
    );
  }
}

/** The bytes of a stream until the remote closes its side; more than `maxBytes` is an error. */
async function readAll(stream: Stream, maxBytes: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream.source) {
    const bytes = chunk.subarray();
    size += bytes.byteLength;
    if (size > maxBytes) throw new Error(`more than ${maxBytes} bytes`);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}
