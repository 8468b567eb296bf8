import { beforeAll, describe, expect, it } from 'vitest';
import type { Indexes } from '../../src/sim/analysis/indexes.js';
import { type RunAnalysis, rejected } from '../../src/sim/analysis/success.js';
import type { CompatMode } from '../../src/sim/engines/rounds-result.js';
import {
  generateInstance,
  instantBounds,
  maxOverloaded,
  peakRate,
} from '../../src/sim/instances/generator.js';
import type { FunctionGroup, SimInstance, SimNode } from '../../src/sim/instances/instance.js';
import { frameworkAnalyticModel } from '../../src/sim/model/analytic.js';
import { FRAMEWORK_THRESHOLDS } from '../../src/sim/model/node-model.js';
import { analyzeRounds, DEFAULT_STRATEGIES, roundsOf } from '../../src/sim/run.js';

/**
 * The simulator against the DFaaS simulation framework (issue 16, "against the framework"): on
 * instances drawn by the framework's generator (10 nodes, p = 0.2, at most 60 % overloaded, seeds
 * 1–8), with the built-in framework-analytic node model and the framework's thresholds.
 *
 * What the framework published is one analyzer plot, "Success rate for function curl during 7
 * minutes of experiment" (unimib-datAI/dfaas, images/framework/comparison_curl.png; seed and size
 * not stated). Read off it, curl's success at t = 0..6:
 *   base          1.0  .64  .48  .36  .41  .72  1.0
 *   equal         1.0  .86  .66  .61  .65  .875 1.0
 *   node_margin   1.0  1.0  .86  .73  .825 1.0  1.0
 *   power_saving  1.0  1.0  .73  .55  .69  1.0  1.0
 * i.e. NodeMargin above PowerSaving ≈ Equal above Base, every curve lowest at the peak t = 3. A
 * reproduction of the framework with its regression models (10 nodes, p 0.3, 60 %, seed 701) gave
 * mean success rates of 89.0–89.8 (NodeMargin), 84.1–84.3 (PowerSaving), 80.5 (Equal), 76.6 (Base).
 *
 * Our numbers with --compat framework, mean success rate over seeds 1–8 (when they change, these
 * comments change with them): base 89.28, equal 93.27, node_margin 96.75, power_saving 92.65. So
 * NodeMargin first and Base last, as published; Equal and PowerSaving within 0.7 of each other,
 * which the framework leaves open too (the plot has Equal ahead at t = 3 and PowerSaving ahead at
 * t = 1 and 5; the reproduction has PowerSaving ahead at 10 nodes and Equal ahead at 20).
 */

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];
const NODES = 10;
const OVERLOADED_PERCENT = 60;
const instances: SimInstance[] = SEEDS.map((seed) =>
  generateInstance({ nodes: NODES, edgeProb: 0.2, overloadedPercent: OVERLOADED_PERCENT, seed }),
);

interface Analysed {
  analysis: RunAnalysis;
  indexes: Indexes;
}

/** Every strategy of the mode's default four on every instance: by strategy, one result per seed. */
async function runAll(compat: CompatMode): Promise<Map<string, Analysed[]>> {
  const out = new Map<string, Analysed[]>();
  for (const strategy of DEFAULT_STRATEGIES[compat]) {
    const results: Analysed[] = [];
    for (const instance of instances) {
      const run = await roundsOf(instance, strategy, {
        compat,
        model: frameworkAnalyticModel,
        thresholds: FRAMEWORK_THRESHOLDS,
      });
      results.push(analyzeRounds(run, instance, frameworkAnalyticModel, FRAMEWORK_THRESHOLDS));
    }
    out.set(strategy, results);
  }
  return out;
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

describe('--compat framework against the published curve', () => {
  let framework: Map<string, Analysed[]>;
  beforeAll(async () => {
    framework = await runAll('framework');
  });
  const of = (strategy: string) => framework.get(strategy) ?? [];

  it('orders the mean success rate as published: node_margin first, base last', () => {
    const success = (strategy: string) => mean(of(strategy).map((r) => r.indexes['Mean success rate']));
    const [base, equal, nodeMargin, powerSaving] = ['base', 'equal', 'node_margin', 'power_saving'].map(
      success,
    );
    expect(nodeMargin).toBeGreaterThan(powerSaving as number);
    expect(nodeMargin).toBeGreaterThan(equal as number);
    expect(equal).toBeGreaterThanOrEqual(base as number);
    expect(powerSaving).toBeGreaterThanOrEqual(base as number);
  });

  it("draws curl's curve as published: lowest at the peak t = 3, node_margin highest there and base lowest", () => {
    // Our curl curves, mean over seeds (t = 0..6): base 1 .973 .789 .600 .787 .982 1, equal 1 .997
    // .915 .794 .915 .999 1, node_margin 1 1 .979 .816 .960 1 1, power_saving 1 .989 .895 .672 .879 .999 1.
    const curl = (strategy: string) =>
      Array.from({ length: 7 }, (_, t) =>
        mean(of(strategy).map((r) => r.analysis.instants[t]?.functions.curl?.success ?? Number.NaN)),
      );
    const curves = new Map(DEFAULT_STRATEGIES.framework.map((s) => [s, curl(s)]));
    for (const [strategy, curve] of curves) {
      expect(Math.min(...curve), strategy).toBe(curve[3]);
      expect(curve[0], strategy).toBe(1);
      expect(curve[6], strategy).toBe(1);
    }
    const atPeak = [...curves].map(([strategy, curve]) => ({ strategy, success: curve[3] as number }));
    atPeak.sort((a, b) => b.success - a.success);
    expect(atPeak[0]?.strategy).toBe('node_margin');
    expect(atPeak.at(-1)?.strategy).toBe('base');
  });

  it('loses requests to int() truncation where the framework does (Equal), and none where it keeps all (Base)', () => {
    // The framework's Equal sends int(w·rate) to each node: at node_2/figlet/t=3 of its seed 701
    // instance, 24+21+21+21+21 sent and 190 kept, 298 of the 303 offered (its defect D4). The
    // analyzer counts only what the tables hold, so the users offered more than the nodes received.
    const lost = (strategy: string) =>
      of(strategy).flatMap((r) => r.analysis.instants.map((i) => i.userLoad - i.total.offered));
    expect(Math.max(...lost('equal'))).toBeGreaterThan(0);
    expect(Math.min(...lost('equal'))).toBeGreaterThanOrEqual(0);
    // Base's weight 1 to itself truncates nothing.
    expect(lost('base').every((n) => n === 0)).toBe(true);
  });
});

describe("the generator's load against the framework's bounds", () => {
  /**
   * Whether a node's every group load at every instant lies in instantBounds for the peak the node
   * has when it is (or is not) overloaded. At the peak instant t = 3 the two ranges are disjoint
   * ([3M/4, M] against [0.1125·M, 0.15·M]; e.g. a LIGHT node's HIGH_USAGE group, M = 40: [30, 40]
   * against [4, 6]), so at most one of the two explains a node's load.
   */
  function withinBounds(node: SimNode, overloaded: boolean): boolean {
    return node.load.every((instant, t) =>
      (Object.entries(instant) as [FunctionGroup, { totalRate: number }][]).every(([group, g]) => {
        const [lo, hi] = instantBounds(t, peakRate(node.type, group, overloaded), node.load.length);
        return g.totalRate >= lo && g.totalRate <= hi;
      }),
    );
  }

  it('puts each group load within the bounds of its node’s peak, at most 60 % of the nodes overloaded', () => {
    for (const instance of instances) {
      let overloadedNodes = 0;
      for (const node of instance.nodes) {
        const fits = [true, false].filter((overloaded) => withinBounds(node, overloaded));
        expect(fits, `seed ${instance.seed} ${node.id}`).toHaveLength(1);
        if (fits[0]) overloadedNodes++;
      }
      // round(0.6 × 10) = 6 overloaded nodes at most.
      expect(overloadedNodes).toBeLessThanOrEqual(maxOverloaded(OVERLOADED_PERCENT, NODES));
      expect(maxOverloaded(OVERLOADED_PERCENT, NODES)).toBe(6);
    }
  });
});

describe('fixed mode (the default) accounts for every request', () => {
  let fixed: Map<string, Analysed[]>;
  beforeAll(async () => {
    fixed = await runAll('fixed');
  });

  it('all-local, equal, node-margin and power-saving: offered = served + rejected = the users’ load, at every instant', () => {
    expect([...fixed.keys()]).toEqual(['all-local', 'equal', 'node-margin', 'power-saving']);
    for (const [strategy, results] of fixed)
      for (const [k, { analysis }] of results.entries())
        for (const [t, instant] of analysis.instants.entries()) {
          const where = `${strategy} seed ${SEEDS[k]} t=${t}`;
          expect(instant.total.offered, where).toBe(instant.userLoad);
          expect(instant.total.served + rejected(instant.total), where).toBe(instant.total.offered);
          for (const [fn, f] of Object.entries(instant.functions))
            expect(f.served + rejected(f), `${where} ${fn}`).toBe(f.offered);
        }
  });

  it('moves load between nodes (so the accounting above covers forwarded requests), all-local none', () => {
    // A node receives other than its own users' load only when some was forwarded (to or from it).
    const ownLoad = (node: SimNode, t: number) =>
      Object.values(node.load[t] ?? {}).reduce((s, g) => s + (g?.totalRate ?? 0), 0);
    const moved = (strategy: string) =>
      (fixed.get(strategy) ?? []).some(({ analysis }, k) =>
        analysis.instants.some((instant, t) =>
          instant.nodes.some((n, i) => n.received !== ownLoad(instances[k]?.nodes[i] as SimNode, t)),
        ),
      );
    expect(moved('all-local')).toBe(false);
    expect(moved('equal')).toBe(true);
    expect(moved('node-margin')).toBe(true);
    expect(moved('power-saving')).toBe(true);
  });
});
