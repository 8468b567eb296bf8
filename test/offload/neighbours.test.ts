import { describe, expect, it } from 'vitest';
import { holdersOf, NeighbourTable } from '../../src/offload/neighbours.js';
import { neighbour } from './strategies/helpers.js';

const recalcFrom = (funcLimits: Record<string, Record<string, number>>) =>
  ({
    MsgType: 'nodeinfoRecalc',
    HAProxyHost: '10.0.0.2',
    HAProxyPort: 8002,
    FuncLimits: funcLimits,
  }) as const;
const staticInfo = (functions: string[] | null) =>
  ({ MsgType: 'nodeinfoStatic', HAProxyHost: '10.0.0.3', HAProxyPort: 8003, Functions: functions }) as const;

describe('NeighbourTable.update', () => {
  it('takes from nodeinfoRecalc the endpoint, what we may send (FuncLimits[us]) and the functions', () => {
    const table = new NeighbourTable('me');
    expect(table.update('A', recalcFrom({ me: { f: 2.5, g: 0 }, other: { f: 9 } }), 1000)).toBe(true);
    expect(table.live(1000, 10)).toEqual([
      {
        id: 'A',
        endpoint: { host: '10.0.0.2', port: 8002 },
        lastSeen: 1000,
        functions: ['f', 'g'],
        limitsOut: { f: 2.5, g: 0 },
      },
    ]);
  });

  it('ignores a nodeinfoRecalc that does not list us, and our own messages', () => {
    const table = new NeighbourTable('me');
    expect(table.update('A', recalcFrom({ other: { f: 9 } }), 1000)).toBe(false);
    expect(table.update('me', staticInfo(['f']), 1000)).toBe(false);
    expect(table.size).toBe(0);
  });

  it('takes from nodeinfoNMS the node type, the thresholds of the metrics we know and the functions', () => {
    const table = new NeighbourTable('me');
    table.update(
      'A',
      {
        MsgType: 'nodeinfoNMS',
        HAProxyHost: 'a',
        HAProxyPort: 9000,
        NodeType: 2,
        MaxValues: { cpu_usage_node: 300, ram_usage_node: 4e9, gpu: 1 },
        Functions: ['f'],
      },
      1000,
    );
    expect(table.live(1000, 10)[0]).toMatchObject({
      endpoint: { host: 'a', port: 9000 },
      nodeType: 2,
      maxValues: { cpu_usage_node: 300, ram_usage_node: 4e9 },
      functions: ['f'],
    });
  });

  it('takes from nodemargininfoNMS the margin and each of the three group rates into its own field', () => {
    const table = new NeighbourTable('me');
    // Not known yet: a margin message carries no endpoint, so it cannot create an entry.
    const margin = {
      MsgType: 'nodemargininfoNMS',
      Margin: 12.5,
      Load: { RateHighUsage: 1, RateMediumUsage: 2, RateLowUsage: 3 },
    } as const;
    expect(table.update('A', margin, 1000)).toBe(false);
    expect(table.size).toBe(0);

    table.update('A', staticInfo(['f']), 1000);
    expect(table.update('A', margin, 2000)).toBe(true);
    // The reference wrote RateLowUsage into RateMediumUsage and never set RateLowUsage.
    expect(table.live(2000, 10)[0]).toMatchObject({
      margin: 12.5,
      load: { RateHighUsage: 1, RateMediumUsage: 2, RateLowUsage: 3 },
      lastSeen: 2000,
    });
  });

  it('takes from nodeinfoStatic the endpoint and functions (none when null)', () => {
    const table = new NeighbourTable('me');
    table.update('A', staticInfo(['f', 'g']), 1000);
    expect(table.live(1000, 10)[0]).toMatchObject({
      endpoint: { host: '10.0.0.3', port: 8003 },
      functions: ['f', 'g'],
    });
    table.update('A', staticInfo(null), 1001);
    expect(table.live(1001, 10)[0]?.functions).toEqual([]);
  });

  it('refreshes lastSeen of a known peer on text, and ignores text from an unknown one', () => {
    const table = new NeighbourTable('me');
    expect(table.update('A', { MsgType: 'text', Text: 'hi' }, 1000)).toBe(false);
    table.update('A', staticInfo(['f']), 1000);
    expect(table.update('A', { MsgType: 'text', Text: 'hi' }, 5000)).toBe(true);
    expect(table.live(5000, 10)[0]?.lastSeen).toBe(5000);
  });

  it('merges messages of different kinds into one entry', () => {
    const table = new NeighbourTable('me');
    table.update('A', recalcFrom({ me: { f: 4 } }), 1000);
    table.update('A', staticInfo(['f', 'g']), 1100);
    expect(table.live(1100, 10)[0]).toMatchObject({
      limitsOut: { f: 4 },
      functions: ['f', 'g'],
      lastSeen: 1100,
    });
  });
});

describe('NeighbourTable.live', () => {
  it('keeps entries seen within ttl (inclusive), deletes the others, and sorts by id', () => {
    const table = new NeighbourTable('me');
    table.update('C', staticInfo(['f']), 1000);
    table.update('B', staticInfo(['f']), 2000);
    table.update('A', staticInfo(['f']), 1500);
    // ttl 1500 at 3000: C (2000 ms old) expires, A (exactly 1500 ms) stays.
    expect(table.live(3000, 1500).map((n) => n.id)).toEqual(['A', 'B']);
    expect(table.size).toBe(2);
    // Expired means deleted: going back in time does not revive C.
    expect(table.live(1000, 10_000).map((n) => n.id)).toEqual(['A', 'B']);
  });

  it('returns copies that a strategy cannot use to alter the table', () => {
    const table = new NeighbourTable('me');
    table.update('A', staticInfo(['f']), 1000);
    const [a] = table.live(1000, 10);
    a?.functions.push('evil');
    expect(table.live(1000, 10)[0]?.functions).toEqual(['f']);
  });
});

describe('NeighbourTable RTT and removal', () => {
  it('applies an RTT measured before the peer is known when it becomes known, and updates it after', () => {
    const table = new NeighbourTable('me');
    table.setRtt('A', 12);
    table.update('A', staticInfo(['f']), 1000);
    expect(table.live(1000, 10)[0]?.rttMs).toBe(12);
    table.setRtt('A', 7);
    expect(table.live(1000, 10)[0]?.rttMs).toBe(7);
    expect(() => table.setRtt('A', -1)).toThrow(RangeError);
  });

  it('forgets a removed peer, RTT included', () => {
    const table = new NeighbourTable('me');
    table.setRtt('A', 12);
    table.update('A', staticInfo(['f']), 1000);
    table.remove('A');
    expect(table.size).toBe(0);
    table.update('A', staticInfo(['f']), 2000);
    expect(table.live(2000, 10)[0]?.rttMs).toBeUndefined();
  });
});

describe('holdersOf', () => {
  it('keeps the neighbours that deploy the function', () => {
    const holders = holdersOf(
      [neighbour('A', { functions: ['f'] }), neighbour('B', { functions: ['g'] })],
      'f',
    );
    expect(holders.map((n) => n.id)).toEqual(['A']);
  });
});

describe('NeighbourTable.live copies', () => {
  it('hands out copies: a strategy altering what it got does not alter the table', () => {
    const table = new NeighbourTable('me');
    table.update(
      'A',
      {
        MsgType: 'nodeinfoNMS',
        HAProxyHost: 'h',
        HAProxyPort: 1,
        NodeType: 1,
        MaxValues: { cpu_usage_node: 200 },
        Functions: ['f'],
      },
      1000,
    );
    table.update(
      'A',
      {
        MsgType: 'nodemargininfoNMS',
        Margin: 5,
        Load: { RateHighUsage: 1, RateLowUsage: 2, RateMediumUsage: 3 },
      },
      1000,
    );
    const before = table.live(1000, 10);
    const got = table.live(1000, 10)[0];
    if (!got?.maxValues || !got.load) throw new Error('expected the NMS fields');
    got.functions.push('g');
    got.limitsOut.f = 9;
    got.endpoint.port = 2;
    got.maxValues.cpu_usage_node = 1;
    got.load.RateLowUsage = 99;
    expect(table.live(1000, 10)).toEqual(before);
  });
});
