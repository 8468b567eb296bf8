import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { PeerEndpoint } from '../../../offload/routing.js';

/** A resolver that does not answer must not hold up a period's weights for long. */
const LOOKUP_TIMEOUT_MS = 2_000;

export interface ResolvedPeers {
  /** By peer id, each host an IP address. */
  resolved: Record<string, PeerEndpoint>;
  /** By peer id: why its host name did not resolve. */
  unresolved: Record<string, string>;
}

/**
 * Turns the peers' host names (a HAProxyHost such as `node-b.lab`) into IP addresses, since the
 * Runtime API's `add server` and `set server addr` take addresses only. Each name is looked up
 * once per call, as the system resolver (/etc/hosts, DNS) answers it now.
 */
export async function resolvePeers(peers: Record<string, PeerEndpoint>): Promise<ResolvedPeers> {
  const names = [...new Set(Object.values(peers).map((p) => p.host))].filter((host) => isIP(host) === 0);
  type Answer = { address: string } | { error: string };
  const answers = new Map<string, Answer>(
    await Promise.all(
      names.map(async (name): Promise<[string, Answer]> => {
        let timer: NodeJS.Timeout | undefined;
        // Internal: caught below, where it becomes this peer's "unresolved" reason.
        const deadline = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${LOOKUP_TIMEOUT_MS} ms`)),
            LOOKUP_TIMEOUT_MS,
          );
        });
        try {
          return [name, { address: (await Promise.race([lookup(name), deadline])).address }];
        } catch (error) {
          return [name, { error: `${name}: ${(error as Error).message}` }];
        } finally {
          clearTimeout(timer);
        }
      }),
    ),
  );
  const out: ResolvedPeers = { resolved: {}, unresolved: {} };
  for (const [id, endpoint] of Object.entries(peers)) {
    const answer = answers.get(endpoint.host);
    if (answer === undefined) out.resolved[id] = endpoint;
    else if ('address' in answer) out.resolved[id] = { host: answer.address, port: endpoint.port };
    else out.unresolved[id] = answer.error;
  }
  return out;
}
