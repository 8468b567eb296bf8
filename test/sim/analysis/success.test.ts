import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import { analyzeRun, instanceFunctions, rejected } from '../../../src/sim/analysis/success.js';
import {
  type Flow,
  instanceOf,
  type Refusal,
  runOf,
  TEST_MODEL,
  TEST_THRESHOLDS,
  twoNodeCase,
} from './fixtures.js';

const OPTIONS = { model: TEST_MODEL, thresholds: TEST_THRESHOLDS };
const FRAMEWORK_FUNCTIONS = ['eat-memory', 'nmap', 'env', 'figlet', 'shasum', 'curl'];

describe('instanceFunctions', () => {
  it("is the framework's six functions in group order, loaded or not", () => {
    expect(instanceFunctions(twoNodeCase().instance)).toEqual(FRAMEWORK_FUNCTIONS);
  });

  it('appends functions the instance or the run names beyond the groups', () => {
    const instance = instanceOf([{ functions: { figlet: 'LOW_USAGE', resize: 'HIGH_USAGE' }, load: [{}] }]);
    const run = runOf('all-local', 'fixed', [[['ocr', 'node_0', 'node_0', 1]]]);
    expect(instanceFunctions(instance, undefined, run)).toEqual([...FRAMEWORK_FUNCTIONS, 'resize', 'ocr']);
    const groups = { HIGH_USAGE: [], LOW_USAGE: ['figlet'], MEDIUM_USAGE: [] };
    expect(instanceFunctions(instance, groups)).toEqual(['figlet', 'resize']);
  });
});

describe('analyzeRun', () => {
  it('success per function and instant on the worked 2-node run', () => {
    const { instance, run } = twoNodeCase();
    const a = analyzeRun(run, instance, OPTIONS);
    expect(a.functions).toEqual(FRAMEWORK_FUNCTIONS);
    const success = (f: string) => a.instants.map((i) => i.functions[f]?.success);
    expect(success('figlet')).toEqual([1, 1, 10 / 12, 10 / 14, 1, 1, 1]);
    expect(success('curl')).toEqual([1, 1, 1, 1, 10 / 11, 1, 1]);
    // Functions nobody offers count 1.0 (the framework's D8).
    expect(success('nmap')).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(a.instants.map((i) => i.overloadedNodes)).toEqual([0, 0, 1, 0, 1, 0, 0]);
    expect(a.instants.map((i) => i.meanPower)).toEqual([1200, 1500, 2000, 2000, 1900, 1400, 1000]);
    expect(a.instants.map((i) => i.maxPower)).toEqual([1200, 1600, 2000, 2000, 2000, 1400, 1000]);
  });

  it('rejects what reaches a node without the function, before shedding', () => {
    // t = 3: node_0 keeps 10 figlet, sends 4 to node_1, which deploys curl only. node_1's model
    // sees only curl (10 req/s): not overloaded, nothing shed.
    const { instance, run } = twoNodeCase();
    const t3 = analyzeRun(run, instance, OPTIONS).instants[3];
    expect(t3?.functions.figlet).toMatchObject({ offered: 14, served: 10, missingFunction: 4, shed: 0 });
    expect(t3?.functions.curl).toMatchObject({ offered: 10, served: 10, missingFunction: 0, shed: 0 });
    expect(t3?.nodes[1]).toMatchObject({ id: 'node_1', received: 14, served: 10, overloadedBefore: false });
  });

  it('fixed mode: offered = served + rejected (missing, shed, refused) at every instant', () => {
    // node_0's users offer figlet f: it keeps up to 12, sends up to 3 to node_1 (no figlet there),
    // and its proxy refuses the rest. node_1's users offer curl 6, kept.
    // t = 0, f = 20: kept 12 → shed 1 + 1 → served 10; missing 3; refused 5: S = 10/20.
    const figlet = [20, 5, 30, 0, 14, 9, 11];
    const instance = instanceOf([
      { functions: { figlet: 'LOW_USAGE' }, load: figlet.map((r) => ({ figlet: r })) },
      { functions: { curl: 'MEDIUM_USAGE' }, load: figlet.map(() => ({ curl: 6 })) },
    ]);
    const flows: Flow[][] = [];
    const refusals: Refusal[][] = [];
    for (const f of figlet) {
      const kept = Math.min(f, 12);
      const sent = Math.min(f - kept, 3);
      flows.push([
        ['figlet', 'node_0', 'node_0', kept],
        ['figlet', 'node_0', 'node_1', sent],
        ['curl', 'node_1', 'node_1', 6],
      ]);
      refusals.push([['figlet', 'node_0', f - kept - sent]]);
    }
    const a = analyzeRun(runOf('recalc', 'fixed', flows, refusals), instance, OPTIONS);
    expect(a.instants[0]?.functions.figlet).toEqual({
      offered: 20,
      served: 10,
      missingFunction: 3,
      shed: 2,
      refused: 5,
      success: 0.5,
    });
    for (const i of a.instants) {
      expect(i.total.offered).toBe(i.total.served + rejected(i.total));
      expect(i.total.offered).toBe(i.userLoad);
      for (const f of a.functions) {
        const t = i.functions[f];
        expect(t?.offered).toBe((t?.served ?? 0) + rejected(t ?? i.total));
      }
    }
  });

  it('framework mode: truncated requests are in the user load but not offered (D4)', () => {
    // The users offer 10 figlet; int() truncation leaves 9 in the table.
    const instance = instanceOf([{ functions: { figlet: 'LOW_USAGE' }, load: [{ figlet: 10 }] }]);
    const run = runOf('equal', 'framework', [[['figlet', 'node_0', 'node_0', 9]]]);
    const [t0] = analyzeRun(run, instance, OPTIONS).instants;
    expect(t0?.userLoad).toBe(10);
    expect(t0?.total).toMatchObject({ offered: 9, served: 9 });
    expect(t0?.functions.figlet?.success).toBe(1);
  });

  it('refuses a run that sends to an unknown node or outlasts the instance', () => {
    const instance = instanceOf([{ functions: { figlet: 'LOW_USAGE' }, load: [{ figlet: 1 }] }]);
    expect(() =>
      analyzeRun(runOf('x', 'fixed', [[['figlet', 'node_0', 'node_9', 1]]]), instance, OPTIONS),
    ).toThrow(ConfigError);
    expect(() => analyzeRun(runOf('x', 'fixed', [[], []]), instance, OPTIONS)).toThrow(/2 instants/);
  });
});
