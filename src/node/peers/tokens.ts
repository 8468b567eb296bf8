import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { NodeTokens } from '../../offload/routing.js';

/**
 * Data-path tokens: how a node proves, on a request it forwards, that it is the peer its
 * DFaaS-Node-ID names. Every period a node draws a fresh random token and hands it to each
 * connected neighbour over TOKEN_PROTOCOL, a libp2p stream (the connection is authenticated by
 * noise, so each side knows the other's peer id); the neighbour's proxy accepts it once the
 * neighbour has acknowledged it, and until it expires. A client that copies a peer's public id
 * has no token (403); a token older than its validity is refused too.
 *
 * The token is the sender's, the same for all its neighbours: HAProxy can set a header only
 * before it picks the server, so a token per receiving peer cannot be sent by the haproxy
 * driver. A neighbour could therefore present another neighbour's token (see docs/security.md).
 */
export const TOKEN_PROTOCOL = '/dfaas/node-token/1.0.0';

/** The grant a node sends: its new token and how long the receiver should accept it. */
export const TokenGrantSchema = z.object({
  token: z.string().regex(/^[0-9a-f]{64}$/, '64 lower-case hex digits'),
  validForMs: z
    .number()
    .int()
    .positive()
    .max(24 * 3600 * 1000),
});
export type TokenGrant = z.infer<typeof TokenGrantSchema>;

/** A grant is a few dozen bytes; anything bigger is not one. */
export const MAX_GRANT_BYTES = 1024;

/** A fresh token: 32 random bytes, hex (no character HAProxy's map keys or headers mind). */
export function newToken(): string {
  return randomBytes(32).toString('hex');
}

/** The tokens this node issued and the ones its peers granted it, with their expiry. */
export class TokenBook {
  private own = '';
  /** By peer id: token → when it stops being accepted (monotonic ms). */
  private readonly granted = new Map<string, Map<string, number>>();

  /** From now on this node presents `token`. */
  present(token: string): void {
    this.own = token;
  }

  /** A peer granted `grant` at monotonic time `now`. */
  receive(peer: string, grant: TokenGrant, now: number): void {
    let tokens = this.granted.get(peer);
    if (!tokens) {
      tokens = new Map();
      this.granted.set(peer, tokens);
    }
    tokens.set(grant.token, now + grant.validForMs);
  }

  /** What the proxy enforces at monotonic time `now`: expired tokens are dropped here. */
  tokens(now: number): NodeTokens {
    const peers: Record<string, string[]> = {};
    for (const [peer, tokens] of this.granted) {
      for (const [token, until] of tokens) if (until <= now) tokens.delete(token);
      if (tokens.size === 0) this.granted.delete(peer);
      else peers[peer] = [...tokens.keys()];
    }
    return { own: this.own, peers };
  }
}
