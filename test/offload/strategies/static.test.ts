import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import { createStrategy } from '../../../src/offload/strategies/index.js';
import { staticDefinition } from '../../../src/offload/strategies/static.js';
import { expectValidMessages, fns, input, neighbour, selfNode } from './helpers.js';

/** The static strategy serving `localShare` here (default: the parameter's default, 0.6). */
const staticStrategy = (localShare?: number) =>
  staticDefinition.create(staticDefinition.params.parse({ static_local_share: localShare }));

const self = selfNode({ functions: fns(['f', null], ['g', null], ['h', null]) });

describe('static', () => {
  it('splits 40% among the holders of each function only, never to peers lacking it', async () => {
    const result = await staticStrategy()(
      input({
        self,
        neighbours: [
          neighbour('A', { functions: ['f'] }),
          neighbour('B', { functions: ['f', 'g'] }),
          neighbour('C', { functions: ['x'] }),
        ],
      }),
    );
    expect(result.functions.f).toEqual({
      localLimit: null,
      weights: { local: 60, A: 20, B: 20 },
      limitsIn: {},
    });
    expect(result.functions.g).toEqual({ localLimit: null, weights: { local: 60, B: 40 }, limitsIn: {} });
    // Nobody else deploys h: everything stays here.
    expect(result.functions.h).toEqual({ localLimit: null, weights: { local: 100 }, limitsIn: {} });
    expect(result.decisions).toEqual({ localShare: 0.6, holders: { f: ['A', 'B'], g: ['B'], h: [] } });
    expect(expectValidMessages(result)).toEqual([
      { MsgType: 'nodeinfoStatic', HAProxyHost: '10.0.0.1', HAProxyPort: 8001, Functions: ['f', 'g', 'h'] },
    ]);
  });

  it('rounds each holder share, and keeps at least 1 when the share rounds to 0', async () => {
    const three = ['A', 'B', 'C'].map((id) => neighbour(id, { functions: ['f'] }));
    // 0.3 local: 70 / 3 = 23.33 → 23 each.
    const thirds = await staticStrategy(0.3)(input({ self, neighbours: three }));
    expect(thirds.functions.f?.weights).toEqual({ local: 30, A: 23, B: 23, C: 23 });

    // 0.99 local: 1 / 3 = 0.33 rounds to 0, kept at 1.
    const tiny = await staticStrategy(0.99)(input({ self, neighbours: three }));
    expect(tiny.functions.f?.weights).toEqual({ local: 99, A: 1, B: 1, C: 1 });
  });

  it('gives holders 0 with localShare 1 and everything with localShare 0', async () => {
    const neighbours = [neighbour('A', { functions: ['f'] })];
    const allHere = await staticStrategy(1)(input({ self, neighbours }));
    expect(allHere.functions.f?.weights).toEqual({ local: 100, A: 0 });
    const allAway = await staticStrategy(0)(input({ self, neighbours }));
    expect(allAway.functions.f?.weights).toEqual({ local: 0, A: 100 });
  });

  it('rejects a share outside 0-1, naming the parameter', () => {
    for (const share of [1.5, -0.1, Number.NaN]) {
      expect(() => createStrategy('static', { static_local_share: share })).toThrow(ConfigError);
      expect(() => createStrategy('static', { static_local_share: share })).toThrow(/static_local_share/);
    }
  });
});
