import { describe, expect, it } from 'vitest';
import type { PeerMessage } from '../../../src/offload/messages.js';
import type { FunctionRoute } from '../../../src/offload/routing.js';
import { latencyAware } from '../../../src/offload/strategies/latency-aware.js';
import { recalcDefinition } from '../../../src/offload/strategies/recalc.js';
import type { Strategy } from '../../../src/offload/strategies/types.js';
import { expectValidMessages, fns, input, neighbour, selfNode } from './helpers.js';

/** B nearest, then C, then A; D never measured. */
const neighbours = [
  neighbour('A', { rttMs: 30 }),
  neighbour('B', { rttMs: 10 }),
  neighbour('C', { rttMs: 20 }),
  neighbour('D'),
];

const message: PeerMessage = { MsgType: 'text', Text: 'from base' };

/** A base strategy returning fixed routes, so that only latency-aware's arithmetic is under test. */
function fixed(functions: Record<string, FunctionRoute>): Strategy {
  return async () => ({ functions, messages: [message], decisions: { base: true } });
}

const route = (localLimit: number | null, weights: Record<string, number>): FunctionRoute => ({
  localLimit,
  weights,
  limitsIn: { A: 1.5, B: 0 },
});

describe('latency-aware', () => {
  it('keeps the k nearest weighted peers and gives them the others’ weight in proportion', async () => {
    const base = fixed({ f: route(null, { local: 40, A: 20, B: 20, C: 10, D: 10 }) });
    const result = await latencyAware(base, { k: 2 })(input({ neighbours }));
    // Kept B (10 ms) and C (20 ms) with 20 and 10; the peers' 60 splits 40 / 20.
    expect(result.functions.f).toEqual(route(null, { local: 40, A: 0, B: 40, C: 20, D: 0 }));
    expect(result.decisions).toEqual({ base: true, nearest: { f: ['B', 'C'] } });
    expect(result.messages).toEqual([message]);
  });

  it('rounds by largest remainder so the peers’ total is preserved: 50 over 1, 1, 1 → 17, 17, 16', async () => {
    const base = fixed({ f: route(null, { local: 50, A: 1, B: 1, C: 1, D: 47 }) });
    const result = await latencyAware(base, { k: 3 })(input({ neighbours }));
    // Equal remainders go to the nearest first: B, then C.
    expect(result.functions.f?.weights).toEqual({ local: 50, A: 16, B: 17, C: 17, D: 0 });
  });

  it('skips peers the base gave no weight and peers without an RTT', async () => {
    const base = fixed({ f: route(null, { local: 50, B: 0, C: 0, A: 20, D: 30 }) });
    const result = await latencyAware(base, { k: 1 })(input({ neighbours }));
    expect(result.functions.f?.weights).toEqual({ local: 50, A: 50, B: 0, C: 0, D: 0 });
    expect(result.decisions.nearest).toEqual({ f: ['A'] });
  });

  it('gives the dropped weight to LOCAL when no peer is kept and the weights alone decide', async () => {
    const base = fixed({ f: route(null, { local: 60, D: 40 }) });
    const result = await latencyAware(base, { k: 2 })(input({ neighbours }));
    expect(result.functions.f?.weights).toEqual({ local: 100, D: 0 });
  });

  it('drops the weight when no peer is kept and a local limit serves here first', async () => {
    const base = fixed({ f: route(10, { D: 40 }) });
    const result = await latencyAware(base, { k: 2 })(input({ neighbours }));
    expect(result.functions.f).toEqual(route(10, { D: 0 }));
  });

  it('narrows recalc: offers 3 (far) and 1 (near) with k = 1 → all to the near one', async () => {
    const strategy = latencyAware(recalcDefinition.create({}), { k: 1 });
    const result = await strategy(
      input({
        self: selfNode({ functions: fns(['f', 10]), userRates: { f: 12 } }),
        neighbours: [
          neighbour('A', { functions: ['f'], limitsOut: { f: 3 }, rttMs: 50 }),
          neighbour('B', { functions: ['f'], limitsOut: { f: 1 }, rttMs: 5 }),
        ],
      }),
    );
    // recalc alone: local 83, A 13, B 4; B is the nearest and gets A's 13 too.
    expect(result.functions.f).toEqual({
      localLimit: 10,
      weights: { local: 83, A: 0, B: 17 },
      limitsIn: { A: 0, B: 0 },
    });
    expect(expectValidMessages(result)).toHaveLength(1);
  });
});
