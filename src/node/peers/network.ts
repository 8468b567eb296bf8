import './node20.js';
import { gossipsub } from '@chainsafe/libp2p-gossipsub';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify } from '@libp2p/identify';
import type { PrivateKey } from '@libp2p/interface';
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
      for (const handler of this.handlers) handler(from, decoded.message);
    });
    this.node.addEventListener('peer:discovery', (event) => {
      const { id, multiaddrs } = event.detail;
      if (multiaddrs.length > 0) void this.node.dial(id).catch(() => undefined);
    });
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
