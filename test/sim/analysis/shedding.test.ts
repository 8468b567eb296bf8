import { describe, expect, it } from 'vitest';
import { type ReceivedRate, SHED_START, shedNode, shedsByPower } from '../../../src/sim/analysis/shedding.js';
import type { NodeModel } from '../../../src/sim/model/node-model.js';
import { roundHalfEven } from '../../../src/sim/python-round.js';
import { TEST_MODEL, TEST_THRESHOLDS } from './fixtures.js';

const MAX = TEST_THRESHOLDS.LIGHT;

function shed(received: ReceivedRate[], byPower = false, model: NodeModel = TEST_MODEL) {
  return shedNode({ model, type: 'LIGHT', max: MAX, received, byPower });
}

describe('roundHalfEven (Python round)', () => {
  it('rounds ties to the even integer and the rest to the nearest', () => {
    expect([0.5, 1.5, 2.5, 3.5, -2.5].map(roundHalfEven)).toEqual([0, 2, 2, 4, -2]);
    expect([0.49999999999999994, 0.5000000000000001, 2.4, 2.6].map(roundHalfEven)).toEqual([0, 1, 2, 3]);
  });

  it('sees the products the framework computes: 10 × 0.05 = 0.5 → 0, 50 × 0.05 = 2.5 → 2', () => {
    expect(roundHalfEven(10 * 0.05)).toBe(0);
    expect(roundHalfEven(50 * 0.05)).toBe(2);
    // q after one growth step is 0.05 + 0.01 = 0.060000000000000005: 10 × q = 0.6000000000000001 → 1.
    expect(roundHalfEven(10 * (0.05 + 0.01))).toBe(1);
  });
});

describe('shedNode', () => {
  it('r = 10 over a 9 req/s node: nothing at q = 0.05 (0.5 → 0), 1 at q = 0.06', () => {
    // The node is overloaded above 10 req/s; take 11 = 10 (figlet) + 1 (curl).
    // q = 0.05: round(0.5) = 0 and round(0.05) = 0 → every share 0 → q = 0.060000000000000005:
    // round(0.6000000000000001) = 1, round(0.06) = 0 → figlet 9, curl 1: 10 req/s, not overloaded.
    const r = shed([
      { name: 'figlet', group: 'LOW_USAGE', rate: 10 },
      { name: 'curl', group: 'MEDIUM_USAGE', rate: 1 },
    ]);
    expect(r.shed).toEqual({ figlet: 1, curl: 0 });
    expect(r.served).toEqual({ figlet: 9, curl: 1 });
    expect(r.steps).toBe(1);
    expect(r.share).toBe(0.05 + 0.01);
    expect(r.overloadedBefore).toBe(true);
    expect(r.overloadedAfter).toBe(false);
    expect(r.powerAfter).toBe(1000 + 100 * 10);
  });

  it('keeps q between steps and grows it only while every share rounds to 0', () => {
    // 12 req/s of figlet: q = 0.05 → round(0.6000000000000001) = 1 → 11 req/s, still over 10;
    // same q: round(0.55) = 1 → 10 req/s: done, q never grew.
    const a = shed([{ name: 'figlet', group: 'LOW_USAGE', rate: 12 }]);
    expect(a.shed.figlet).toBe(2);
    expect(a.steps).toBe(2);
    expect(a.share).toBe(SHED_START);

    // 3 req/s on a node that must fall to 1 (a model overloaded above 1 req/s).
    // Step 1: 3q rounds to 0 up to q = 0.16 (0.48); q = 0.17 gives 0.51 → 1, after 12 growths → 2 left.
    // Step 2: 2 × 0.17 = 0.34 → 0; q grows to 0.25000000000000006 (8 more growths, the float sum of
    // 0.05 and twenty 0.01s), 2q = 0.5000000000000001 → 1 (an exact 0.25 would tie to 0). 1 left.
    const tight: NodeModel = {
      name: 'over-1',
      predict: (_t, r) => ({ cpu_usage_node: 100 * (r.HIGH_USAGE + r.LOW_USAGE + r.MEDIUM_USAGE) }),
    };
    const b = shed([{ name: 'nmap', group: 'HIGH_USAGE', rate: 3 }], false, tight);
    expect(b.shed.nmap).toBe(2);
    expect(b.steps).toBe(2);
    let q = 0.05;
    for (let i = 0; i < 20; i++) q += 0.01;
    expect(q).toBe(0.25000000000000006);
    expect(b.share).toBe(q);
  });

  it('sheds round(r × q) from every function with a rate', () => {
    // figlet 8 + curl 6 = 14 req/s, env 0:
    // q 0.05: 0.4, 0.3 → 0, 0 · q 0.06: 0.48, 0.36 → 0, 0 · q 0.07: 0.56, 0.42 → 1, 0 → 7 + 6 = 13;
    // q 0.07: 0.49000000000000005, 0.42 → 0, 0 · q 0.08: 0.56, 0.48 → 1, 0 → 6 + 6 = 12;
    // q 0.08: 0.48, 0.48 → 0, 0 · q 0.09: 0.54, 0.54 → 1, 1 → 5 + 5 = 10: not overloaded.
    const r = shed([
      { name: 'figlet', group: 'LOW_USAGE', rate: 8 },
      { name: 'curl', group: 'MEDIUM_USAGE', rate: 6 },
      { name: 'env', group: 'LOW_USAGE', rate: 0 },
    ]);
    expect(r.shed).toEqual({ figlet: 3, curl: 1, env: 0 });
    expect(r.served).toEqual({ figlet: 5, curl: 5, env: 0 });
    expect(r.steps).toBe(3);
    expect(r.share).toBe(0.09);
  });

  it('stops at once when the node is not overloaded', () => {
    const r = shed([{ name: 'figlet', group: 'LOW_USAGE', rate: 10 }]);
    expect(r).toMatchObject({ steps: 0, overloadedBefore: false, overloadedAfter: false, powerAfter: 2000 });
    expect(r.shed).toEqual({ figlet: 0 });
  });

  it('sheds by power only for power-saving: power > 0.7 × Pmax', () => {
    // A model never overloaded by CPU whose power is 100 µW per req/s: 80 req/s = 8,000 µW > 7,000.
    const powerOnly: NodeModel = {
      name: 'power',
      predict: (_t, r) => ({ cpu_usage_node: 0, power_usage_node: 100 * (r.LOW_USAGE + r.MEDIUM_USAGE) }),
    };
    const received: ReceivedRate[] = [{ name: 'figlet', group: 'LOW_USAGE', rate: 80 }];
    const plain = shed(received, false, powerOnly);
    expect(plain.steps).toBe(0);
    expect(plain.powerAfter).toBe(8000);

    // q = 0.05: 80 → 76 (4) → 72 (3.8 → 4) → 68 (3.6 → 4): 6,800 µW ≤ 7,000, 12 shed in 3 steps.
    const saving = shed(received, true, powerOnly);
    expect(saving.overloadedBefore).toBe(false);
    expect(saving.shed.figlet).toBe(12);
    expect(saving.steps).toBe(3);
    expect(saving.powerAfter).toBe(6800);

    expect(shedsByPower('power_saving')).toBe(true);
    expect(shedsByPower('power-saving')).toBe(true);
    expect(['base', 'equal', 'node_margin', 'node-margin', 'all-local'].some(shedsByPower)).toBe(false);
  });

  it('ends when nothing is left, even if the node is still predicted overloaded', () => {
    // Overloaded at any load (the framework would loop for ever): everything goes, then it stops.
    const always: NodeModel = { name: 'always', predict: () => ({ cpu_usage_node: 1000 }) };
    const r = shed([{ name: 'figlet', group: 'LOW_USAGE', rate: 4 }], false, always);
    expect(r.shed.figlet).toBe(4);
    expect(r.overloadedAfter).toBe(true);
    expect(r.powerAfter).toBeUndefined();
    const empty = shed([], false, always);
    expect(empty).toMatchObject({ steps: 0, overloadedBefore: true, overloadedAfter: true });
  });

  it('sheds a fractional rate below 0.5 req/s whole once q passes 1', () => {
    // 0.3 × q ≤ 0.5 for every q ≤ 1: no share ever rounds to 1, so past q = 1 it all goes.
    const always: NodeModel = { name: 'always', predict: () => ({ cpu_usage_node: 1000 }) };
    const r = shed([{ name: 'figlet', group: 'LOW_USAGE', rate: 0.3 }], false, always);
    expect(r.shed.figlet).toBe(0.3);
    expect(r.served.figlet).toBe(0);
    expect(r.share).toBeGreaterThan(1);
  });
});
