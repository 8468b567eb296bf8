import { existsSync, readFileSync } from 'node:fs';
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { ConfigError } from '../../core/errors.js';
import { writeFileAtomic } from '../../core/files.js';

/**
 * A node's ed25519 identity, kept in a file (libp2p's protobuf encoding, as go-libp2p's
 * crypto.MarshalPrivateKey writes it). The peer id derives from it, so a restarted node keeps its
 * id and its peers' limits and weights still apply to it.
 */
export async function loadOrCreateIdentity(file: string): Promise<PrivateKey> {
  if (existsSync(file)) {
    try {
      return privateKeyFromProtobuf(readFileSync(file));
    } catch (err) {
      throw new ConfigError(file, [
        { field: '', message: `not a libp2p private key (${(err as Error).message})` },
      ]);
    }
  }
  const key = await generateKeyPair('Ed25519');
  writeFileAtomic(file, privateKeyToProtobuf(key), 0o600);
  return key;
}

export function peerIdOf(key: PrivateKey): string {
  return peerIdFromPrivateKey(key).toString();
}
