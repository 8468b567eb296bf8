import { describe, expect, it } from 'vitest';
import { allLocalDefinition } from '../../../src/offload/strategies/all-local.js';
import { expectValidMessages, fns, input, neighbour, selfNode } from './helpers.js';

describe('all-local', () => {
  it('serves every deployed function here and announces itself with nodeinfoStatic', async () => {
    const result = await allLocalDefinition.create({})(
      input({
        self: selfNode({ functions: fns(['figlet', 5], ['shasum', null]), userRates: { figlet: 50 } }),
        neighbours: [neighbour('A', { functions: ['figlet'], limitsOut: { figlet: 10 } })],
      }),
    );
    const route = { localLimit: null, weights: { local: 100 }, limitsIn: {} };
    expect(result.functions).toEqual({ figlet: route, shasum: route });
    expect(expectValidMessages(result)).toEqual([
      {
        MsgType: 'nodeinfoStatic',
        HAProxyHost: '10.0.0.1',
        HAProxyPort: 8001,
        Functions: ['figlet', 'shasum'],
      },
    ]);
  });
});
