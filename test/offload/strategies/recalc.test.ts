import { describe, expect, it } from 'vitest';
import type { NodeInfoRecalc } from '../../../src/offload/messages.js';
import { recalcDefinition } from '../../../src/offload/strategies/recalc.js';
import { expectValidMessages, fns, input, neighbour, selfNode } from './helpers.js';

const recalc = recalcDefinition.create({});

describe('recalc, not overloaded', () => {
  it('offers maxrate − rate to the holders, split evenly: maxrate 10, rate 4, two holders → 3 each', async () => {
    const result = await recalc(
      input({
        self: selfNode({ functions: fns(['f', 10]), userRates: { f: 4 } }),
        neighbours: [
          neighbour('A', { functions: ['f'] }),
          neighbour('B', { functions: ['f'] }),
          neighbour('C', { functions: ['g'] }),
        ],
      }),
    );
    expect(result.functions.f).toEqual({
      localLimit: 10,
      weights: { local: 100, A: 0, B: 0, C: 0 },
      limitsIn: { A: 3, B: 3, C: 0 },
    });
    expect(result.decisions).toEqual({
      functions: { f: { rate: 4, maxRate: 10, overloaded: false, margin: 6 } },
    });
  });

  it('keeps a fractional margin: 0.5 over 2 holders is 0.25 each, not 0', async () => {
    const result = await recalc(
      input({
        self: selfNode({ functions: fns(['f', 10]), userRates: { f: 9.5 } }),
        neighbours: [neighbour('A', { functions: ['f'] }), neighbour('B', { functions: ['f'] })],
      }),
    );
    expect(result.functions.f?.limitsIn).toEqual({ A: 0.25, B: 0.25 });
  });

  it('counts a function without a rate as rate 0', async () => {
    const result = await recalc(
      input({
        self: selfNode({ functions: fns(['f', 8]) }),
        neighbours: [neighbour('A', { functions: ['f'] })],
      }),
    );
    expect(result.functions.f?.limitsIn).toEqual({ A: 8 });
  });
});

describe('recalc, overloaded', () => {
  it('keeps maxrate/rate locally and weights the holders by their offers, closing itself to everyone', async () => {
    // rate 12, maxrate 10: local round(100 × 10/12) = 83; the other 17 split 3:1 → 12.75 and 4.25.
    const result = await recalc(
      input({
        self: selfNode({ functions: fns(['f', 10]), userRates: { f: 12 } }),
        neighbours: [
          neighbour('A', { functions: ['f'], limitsOut: { f: 3 } }),
          neighbour('B', { functions: ['f'], limitsOut: { f: 1 } }),
          neighbour('C', { functions: ['f'], limitsOut: { f: 0 } }),
          neighbour('D', { functions: ['g'], limitsOut: { g: 5 } }),
        ],
      }),
    );
    expect(result.functions.f).toEqual({
      localLimit: 10,
      weights: { local: 83, A: 13, B: 4, C: 0, D: 0 },
      limitsIn: { A: 0, B: 0, C: 0, D: 0 },
    });
    expect(result.decisions).toEqual({
      functions: { f: { rate: 12, maxRate: 10, overloaded: true, margin: 0 } },
    });
  });

  it('is overloaded at exactly maxrate (all local by weight, the holder kept at weight 1)', async () => {
    const result = await recalc(
      input({
        self: selfNode({ functions: fns(['f', 10]), userRates: { f: 10 } }),
        neighbours: [neighbour('A', { functions: ['f'], limitsOut: { f: 2 } })],
      }),
    );
    expect(result.functions.f).toEqual({ localLimit: 10, weights: { local: 100, A: 1 }, limitsIn: { A: 0 } });
  });

  it('keeps a small offer at weight 1: rate 50 keeps 20 locally; 0.2 and 99.8 of the other 80 → 1 and 80', async () => {
    const result = await recalc(
      input({
        self: selfNode({ functions: fns(['f', 10]), userRates: { f: 50 } }),
        neighbours: [
          neighbour('A', { functions: ['f'], limitsOut: { f: 0.2 } }),
          neighbour('B', { functions: ['f'], limitsOut: { f: 99.8 } }),
        ],
      }),
    );
    expect(result.functions.f?.weights).toEqual({ local: 20, A: 1, B: 80 });
  });

  it('has no peer weight > 0 when nobody offers anything (the proxy answers 503 past the local limit)', async () => {
    const result = await recalc(
      input({
        self: selfNode({ functions: fns(['f', 10]), userRates: { f: 20 } }),
        neighbours: [neighbour('A', { functions: ['f'], limitsOut: { f: 0 } })],
      }),
    );
    expect(result.functions.f).toEqual({ localLimit: 10, weights: { local: 50, A: 0 }, limitsIn: { A: 0 } });
  });
});

describe('recalc, functions without maxrate', () => {
  it('serves them here, never forwards, and offers 0 to everyone', async () => {
    const result = await recalc(
      input({
        self: selfNode({ functions: fns(['f', null]), userRates: { f: 1000 } }),
        neighbours: [neighbour('A', { functions: ['f'], limitsOut: { f: 50 } })],
      }),
    );
    expect(result.functions.f).toEqual({ localLimit: null, weights: { local: 100 }, limitsIn: { A: 0 } });
    expect(result.decisions).toEqual({
      functions: { f: { rate: 1000, maxRate: null, overloaded: false, margin: 0 } },
    });
  });
});

describe('recalc messages', () => {
  it('lists every deployed function for every connected or known peer, 0 when nothing is offered', async () => {
    const result = await recalc(
      input({
        self: selfNode({ functions: fns(['f', 10], ['g', 10], ['n', null]), userRates: { f: 4, g: 30 } }),
        neighbours: [
          neighbour('B', { functions: ['f', 'g'], limitsOut: { g: 2 } }),
          neighbour('C', { functions: ['f'] }),
        ],
        // A is connected but has not sent anything yet; our own id is never listed.
        connectedPeers: ['self', 'C', 'A'],
      }),
    );
    const [message, ...rest] = expectValidMessages(result);
    expect(rest).toEqual([]);
    expect(message).toEqual({
      MsgType: 'nodeinfoRecalc',
      HAProxyHost: '10.0.0.1',
      HAProxyPort: 8001,
      FuncLimits: {
        A: { f: 0, g: 0, n: 0 },
        B: { f: 3, g: 0, n: 0 },
        C: { f: 3, g: 0, n: 0 },
      },
    } satisfies NodeInfoRecalc);
    expect(Object.keys((message as NodeInfoRecalc).FuncLimits)).toEqual(['A', 'B', 'C']);
  });

  it('publishes an empty FuncLimits when alone', async () => {
    const result = await recalc(input({ self: selfNode({ functions: fns(['f', 10]) }) }));
    expect(expectValidMessages(result)).toEqual([
      { MsgType: 'nodeinfoRecalc', HAProxyHost: '10.0.0.1', HAProxyPort: 8001, FuncLimits: {} },
    ]);
  });
});
