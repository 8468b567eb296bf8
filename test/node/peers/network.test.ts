import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gossipsub } from '@chainsafe/libp2p-gossipsub';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { identify } from '@libp2p/identify';
import { peerIdFromString } from '@libp2p/peer-id';
import { tcp } from '@libp2p/tcp';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import { silentLogger } from '../../../src/core/logger.js';
import { loadOrCreateIdentity, peerIdOf } from '../../../src/node/peers/identity.js';
import { PeerNetwork } from '../../../src/node/peers/network.js';
import { TOKEN_PROTOCOL, type TokenGrant } from '../../../src/node/peers/tokens.js';
import { DFAAS_TOPIC, type PeerMessage } from '../../../src/offload/messages.js';
import { waitFor } from '../../helpers/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'dfaas-peers-'));
const started: { stop(): unknown }[] = [];
afterAll(async () => {
  await Promise.all(started.map((n) => n.stop()));
  rmSync(dir, { recursive: true, force: true });
});

async function startNode(name: string, bootstrap: string[] = [], dht = false): Promise<PeerNetwork> {
  const network = await PeerNetwork.start({
    privateKey: await loadOrCreateIdentity(join(dir, `${name}.key`)),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    bootstrap,
    mdns: false,
    dht,
    logger: silentLogger,
    redialMs: 200,
  });
  started.push(network);
  return network;
}

describe('peer network (libp2p gossipsub on loopback)', () => {
  it('keeps the identity in a private file, so a restarted node has the same peer id', async () => {
    const file = join(dir, 'same.key');
    const first = peerIdOf(await loadOrCreateIdentity(file));
    expect(peerIdOf(await loadOrCreateIdentity(file))).toBe(first);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses an identity file that is not a key, as bad input naming the file', async () => {
    const file = join(dir, 'garbage.key');
    writeFileSync(file, 'not a key');
    const loading = loadOrCreateIdentity(file);
    await expect(loading).rejects.toThrow(ConfigError);
    await expect(loading).rejects.toThrow(`${file}: not a libp2p private key`);
  });

  it('delivers messages between bootstrapped peers, drops and counts bad ones, and measures RTT', async () => {
    const a = await startNode('a');
    const b = await startNode('b', a.addresses());
    const c = await startNode('c', a.addresses());
    const got: { from: string; message: PeerMessage }[] = [];
    c.onMessage((from, message) => got.push({ from, message }));
    await waitFor('a connected to b and c', () => a.connectedPeers().length === 2);

    // A foreign peer on the topic sending garbage must not disturb c.
    const rogue = await createLibp2p({
      privateKey: await generateKeyPair('Ed25519'),
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { identify: identify(), pubsub: gossipsub({ allowPublishToZeroTopicPeers: true }) },
    });
    started.push(rogue);
    rogue.services.pubsub.subscribe(DFAAS_TOPIC);
    await rogue.dial(multiaddr(c.addresses()[0] as string));

    const text: PeerMessage = { MsgType: 'text', Text: 'hello' };
    await waitFor("c to get b's message", async () => {
      await b.publish(text);
      return got.length > 0;
    });
    expect(got[0]).toEqual({ from: b.peerId, message: text });

    const enc = (s: string) => new TextEncoder().encode(s);
    await waitFor('c to drop each kind of bad message', async () => {
      // The deep one ended the node once (a stack overflow thrown from the message listener).
      const deep = `{"MsgType":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
      for (const bad of [
        'not json',
        '{"MsgType":"nope"}',
        '{"MsgType":"nodeinfoStatic","HAProxyPort":-1}',
        deep,
      ])
        await rogue.services.pubsub.publish(DFAAS_TOPIC, enc(bad));
      return c.dropped.not_json > 0 && c.dropped.unknown_type > 0 && c.dropped.bad_fields > 0;
    });
    expect(got.every((g) => g.message.MsgType === 'text')).toBe(true);

    const rtt = await a.rtt(b.peerId);
    expect(rtt).toBeGreaterThanOrEqual(0);
    expect(await a.rtt(peerIdOf(await loadOrCreateIdentity(join(dir, 'nobody.key'))), 300)).toBeUndefined();
  }, 30_000);

  it('hands a token to a peer over its authenticated connection, and refuses what is not a grant', async () => {
    const a = await startNode('token-a');
    const b = await startNode('token-b', a.addresses());
    await waitFor('a and b connected', () => a.connectedPeers().includes(b.peerId));
    const grants: { from: string; grant: TokenGrant }[] = [];
    let fail = false;
    b.onTokenGrant(async (from, grant) => {
      if (fail) throw new Error('proxy refused the table');
      grants.push({ from, grant });
    });
    const grant = { token: 'ab'.repeat(32), validForMs: 3000 };
    expect(await a.grantToken(b.peerId, grant)).toBe(true);
    // The sender is who the noise handshake proved, whatever the grant says.
    expect(grants).toEqual([{ from: a.peerId, grant }]);

    // Not acknowledged when the receiver could not put it in force.
    fail = true;
    expect(await a.grantToken(b.peerId, grant)).toBe(false);
    fail = false;

    // A peer that does not speak the protocol (a reference agent) does not acknowledge.
    const plain = await createLibp2p({
      privateKey: await generateKeyPair('Ed25519'),
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { identify: identify() },
    });
    started.push(plain);
    await plain.dial(multiaddr(a.addresses()[0] as string));
    await plain.dial(multiaddr(b.addresses()[0] as string));
    expect(await a.grantToken(plain.peerId.toString(), grant, 1000)).toBe(false);

    // What is not a grant is refused and counted, and nothing reaches the handler.
    const refusedBefore = b.refusedGrants;
    for (const bad of ['{"token":"short","validForMs":1}', 'not json', 'x'.repeat(5000)]) {
      const stream = await plain.dialProtocol(peerIdFromString(b.peerId), TOKEN_PROTOCOL);
      await stream.sink([new TextEncoder().encode(bad)]).catch(() => undefined);
      // b answers nothing and resets the stream.
      await expect(readToEnd(stream.source)).rejects.toThrow();
    }
    await waitFor('three refusals', () => b.refusedGrants === refusedBefore + 3);
    expect(grants).toHaveLength(1);
  }, 30_000);

  it('gossips with the Kademlia DHT enabled too', async () => {
    const a = await startNode('dht-a', [], true);
    const b = await startNode('dht-b', a.addresses(), true);
    const got: PeerMessage[] = [];
    a.onMessage((_from, message) => got.push(message));
    await waitFor("a to get b's message", async () => {
      await b.publish({ MsgType: 'text', Text: 'over dht' });
      return got.length > 0;
    });
  }, 30_000);

  it('re-dials a bootstrap peer that restarts with the same identity', async () => {
    const first = await startNode('r1');
    const address = first.addresses()[0] as string;
    const port = Number(address.split('/')[4]);
    const other = await startNode('r2', first.addresses());
    await waitFor('r2 connected to r1', () => other.connectedPeers().includes(first.peerId));
    await first.stop();
    await waitFor('r2 to see r1 gone', () => !other.connectedPeers().includes(first.peerId));
    const again = await PeerNetwork.start({
      privateKey: await loadOrCreateIdentity(join(dir, 'r1.key')),
      listen: [`/ip4/127.0.0.1/tcp/${port}`],
      bootstrap: [],
      mdns: false,
      dht: false,
      logger: silentLogger,
    });
    started.push(again);
    expect(again.peerId).toBe(first.peerId);
    await waitFor('r2 to re-dial r1', () => other.connectedPeers().includes(first.peerId));
  }, 30_000);
});

async function readToEnd(source: AsyncIterable<unknown>): Promise<number> {
  let chunks = 0;
  for await (const _ of source) chunks++;
  return chunks;
}
