import { describe, expect, it } from 'vitest';
import { Router } from '../../../../src/node/proxy/embedded/router.js';
import { type FunctionRoute, LOCAL, type RoutingTable } from '../../../../src/offload/routing.js';

const peers = { a: { host: '127.0.0.1', port: 1 }, b: { host: '127.0.0.1', port: 2 } };

function table(functions: Record<string, Partial<FunctionRoute>>): RoutingTable {
  return {
    functions: Object.fromEntries(
      Object.entries(functions).map(([name, r]) => [
        name,
        { localLimit: null, weights: {}, limitsIn: {}, ...r },
      ]),
    ),
    peers,
    tokens: { own: 'own', peers: { a: ['token-a'], b: ['token-b'] } },
  };
}

function destinations(router: Router, fn: string, n: number, from?: string): string[] {
  return Array.from({ length: n }, () => {
    const admission = router.admit(fn, from, from === undefined ? undefined : `token-${from}`);
    return admission.to === 'peer' ? admission.peerId : admission.to === 'local' ? LOCAL : admission.reason;
  });
}

describe('Router', () => {
  it('interleaves the local share by weight and caps it at the limit over the last second', () => {
    let now = 0;
    const router = new Router(() => now);
    router.apply(table({ f: { localLimit: 2, weights: { [LOCAL]: 1, a: 1 } } }));
    // Local and a alternate; the third local pick is over the limit and goes to a instead.
    expect(destinations(router, 'f', 6)).toEqual(['a', LOCAL, 'a', LOCAL, 'a', 'a']);
    now = 1_000;
    expect(destinations(router, 'f', 4).filter((d) => d === LOCAL)).toHaveLength(2);
  });

  it('over the limit with no peer weight, refuses with no_capacity', () => {
    const router = new Router(() => 0);
    router.apply(table({ f: { localLimit: 1, weights: { [LOCAL]: 100, a: 0 } } }));
    expect(destinations(router, 'f', 2)).toEqual([LOCAL, 'no_capacity']);
  });

  it('keeps the round-robin state when an equal table is applied, restarts it when weights change', () => {
    const router = new Router(() => 0);
    const t = table({ f: { weights: { a: 3, b: 1 } } });
    router.apply(t);
    expect(destinations(router, 'f', 2)).toEqual(['a', 'a']);
    router.apply(structuredClone(t));
    expect(destinations(router, 'f', 2)).toEqual(['b', 'a']);
    router.apply(table({ f: { weights: { a: 1, b: 1 } } }));
    expect(destinations(router, 'f', 2)).toEqual(['a', 'b']);
  });

  it('leaves out weights of peers the table has no address for', () => {
    const router = new Router(() => 0);
    router.apply(table({ f: { weights: { a: 1, ghost: 100 } }, g: { weights: { ghost: 1 } } }));
    expect(destinations(router, 'f', 2)).toEqual(['a', 'a']);
    expect(destinations(router, 'g', 1)).toEqual(['no_capacity']);
  });

  it('bounds each peer by its limitsIn over the last second and counts every arrival, and who served when told', () => {
    let now = 0;
    const router = new Router(() => now);
    router.apply(table({ f: { localLimit: 0, weights: { b: 1 }, limitsIn: { a: 2 } } }));
    expect(destinations(router, 'f', 3, 'a')).toEqual([LOCAL, LOCAL, 'peer_limit']);
    expect(destinations(router, 'f', 2, 'b')).toEqual([LOCAL, LOCAL]);
    expect(destinations(router, 'f', 1, 'c')).toEqual(['unknown_peer']);
    now = 1_000;
    expect(destinations(router, 'f', 1, 'a')).toEqual([LOCAL]);
    for (let i = 0; i < 5; i++) router.served('f', LOCAL);
    expect(router.counters().f).toEqual({
      user: 0,
      local: 5,
      forwarded: {},
      fromPeers: { a: 4, b: 2 },
      rejected: { unknown_peer: 1, peer_limit: 1, no_capacity: 0 },
    });
  });

  it('does not count peer requests into the local user rate', () => {
    const router = new Router(() => 0);
    router.apply(table({ f: { localLimit: 1, weights: { [LOCAL]: 1 } }, g: { weights: {} } }));
    destinations(router, 'f', 3, 'b');
    expect(destinations(router, 'f', 2)).toEqual([LOCAL, 'no_capacity']);
  });

  it('decides again without the peers that refused, under the local limit, counting the user once', () => {
    const router = new Router(() => 0);
    router.apply(table({ f: { localLimit: 1, weights: { [LOCAL]: 1, a: 1, b: 1 } } }));
    expect(destinations(router, 'f', 1)).toEqual(['a']);
    // a refused: the round robin goes on over b and LOCAL (b first on the tie).
    expect(router.readmit('f', new Set(['a']))).toMatchObject({ to: 'peer', peerId: 'b' });
    // b refused too: LOCAL is left, once, then it is at its limit and nobody can take it.
    expect(router.readmit('f', new Set(['a', 'b']))).toEqual({ to: 'local' });
    expect(router.readmit('f', new Set(['a', 'b']))).toMatchObject({ to: 'reject', reason: 'no_capacity' });
    router.served('f', 'b');
    expect(router.counters().f).toMatchObject({
      user: 1,
      local: 0,
      forwarded: { b: 1 },
      rejected: { no_capacity: 1 },
    });
  });
});
