import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../src/core/errors.js';
import { seededRandom } from '../../../../src/core/random.js';
import {
  DEFAULT_SARSA_EDGES,
  SarsaAgent,
  type SarsaOptions,
  sarsaState,
} from '../../../../src/workflow/autoscale/agents/sarsa.js';
import type { Action, Observation } from '../../../../src/workflow/autoscale/contract.js';

/** The reference's first observation: phase 1 pending, 12 workers, nothing collected yet. */
const A: Observation = [3, 0, 0, 0, 12, 1.5, 1.5, 0, 1];
/** A busy farm: bins (0, 4, 0, 0, 4, 3, 0, 4, 3). */
const B: Observation = [0, 10, 0, 100, 13, 3, 5, 5, 0.9];

const EXPLORE = { enqueuedTotal: 0, explore: true };
const GREEDY = { enqueuedTotal: 0, explore: false };

function agent(options: Partial<SarsaOptions> = {}): SarsaAgent {
  return new SarsaAgent({ rng: seededRandom(42), reward: { w_qos: 36 }, ...options });
}

/** An rng that answers the given numbers in turn. */
function sequence(...values: number[]): () => number {
  return () => {
    const v = values.shift();
    if (v === undefined) throw new Error('rng drawn more often than expected');
    return v;
  };
}

function step(observation: Observation, action: Action, reward: number, next: Observation, done = false) {
  return { observation, action, reward, next, done };
}

describe('sarsaState', () => {
  it('bins the reference first observation as np.digitize does', () => {
    expect(sarsaState(A, DEFAULT_SARSA_EDGES)).toEqual([3, 0, 0, 0, 3, 2, 0, 0, 5]);
    expect(sarsaState(B, DEFAULT_SARSA_EDGES)).toEqual([0, 4, 0, 0, 4, 3, 0, 4, 3]);
  });

  it('puts a value on an edge in the upper bin, below all in 0 and above all in the last', () => {
    const on = [0.5, 2.5, 7, 7, 12.5, 32, 7, 0.15, 0.999];
    expect(sarsaState(on, DEFAULT_SARSA_EDGES)).toEqual([1, 2, 0, 0, 4, 7, 0, 1, 5]);
    const below = [0.49, 0.49, 0, 0, 3.49, 0.49, 0, 0.149, 0.49];
    expect(sarsaState(below, DEFAULT_SARSA_EDGES)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const above = [99, 800, 10, 1140, 32, 150, 160, 12, 1];
    expect(sarsaState(above, DEFAULT_SARSA_EDGES)).toEqual([3, 6, 0, 0, 7, 7, 0, 4, 5]);
  });

  it('refuses an observation of another length than the edges', () => {
    expect(() => sarsaState([1, 2], DEFAULT_SARSA_EDGES)).toThrow(/2 values for 9/);
  });
});

describe('SarsaAgent', () => {
  it('has the reference HEAD defaults', () => {
    const { edges, ...rest } = agent().hyperParameters;
    expect(rest).toEqual({
      alpha: 0.025,
      gamma: 0.985,
      epsilon: 0.4,
      epsilonMin: 0.1,
      epsilonDecay: 0.995,
      lambda: 0.5,
      traceThreshold: 1e-5,
      terminalMasking: false,
    });
    expect(edges).toEqual(DEFAULT_SARSA_EDGES);
  });

  it('applies accumulating traces over two steps (worked by hand)', () => {
    // α 0.5, γ 0.9, λ 0.5: traces decay by γλ = 0.45 per step.
    const sarsa = agent({ alpha: 0.5, gamma: 0.9, lambda: 0.5 });
    sarsa.beginEpisode();
    // δ1 = 1 + 0.9·Q(B,0) − Q(A,2) = 1; e(A,2) = 1 → Q(A,2) = 0.5; then e(A,2) = 0.45.
    sarsa.learn(step(A, 2, 1, B), 0);
    expect(sarsa.qValues(A)).toEqual([0, 0, 0.5]);
    // δ2 = 2 + 0.9·Q(A,2) − Q(B,0) = 2.45; e(B,0) = 1:
    // Q(A,2) = 0.5 + 0.5·2.45·0.45 = 1.05125, Q(B,0) = 0.5·2.45·1 = 1.225.
    sarsa.learn(step(B, 0, 2, A), 2);
    expect(sarsa.qValues(A)[2]).toBeCloseTo(1.05125, 12);
    expect(sarsa.qValues(B)).toEqual([1.225, 0, 0]);
    expect(sarsa.tracedStates).toBe(2);

    // No terminal masking (the reference): the last step bootstraps from Q(B,0) too.
    // δ3 = 0 + 0.9·1.225 − 1.05125 = 0.05125; e(A,2) = 0.2025 + 1, e(B,0) = 0.45.
    sarsa.learn(step(A, 2, 0, B, true), 0);
    expect(sarsa.qValues(A)[2]).toBeCloseTo(1.05125 + 0.5 * 0.05125 * 1.2025, 12);
    expect(sarsa.qValues(B)[0]).toBeCloseTo(1.225 + 0.5 * 0.05125 * 0.45, 12);
  });

  it('masks the bootstrap on the last step when terminalMasking is on', () => {
    const sarsa = agent({ alpha: 0.5, gamma: 0.9, lambda: 0.5, terminalMasking: true });
    sarsa.learn(step(A, 2, 1, B), 0);
    sarsa.learn(step(B, 0, 2, A), 2);
    // δ3 = 0 − Q(A,2) = −1.05125.
    sarsa.learn(step(A, 2, 0, B, true), 0);
    expect(sarsa.qValues(A)[2]).toBeCloseTo(1.05125 - 0.5 * 1.05125 * 1.2025, 12);
  });

  it('drops traces below the threshold, so λ = 0 is one-step SARSA', () => {
    const sarsa = agent({ alpha: 0.5, gamma: 0.9, lambda: 0 });
    sarsa.learn(step(A, 2, 1, B), 0);
    expect(sarsa.tracedStates).toBe(0);
    sarsa.learn(step(B, 0, 2, A), 2);
    expect(sarsa.qValues(A)).toEqual([0, 0, 0.5]);
    expect(sarsa.qValues(B)[0]).toBeCloseTo(0.5 * (2 + 0.9 * 0.5), 12);
  });

  it('resets its traces at the start of an episode', () => {
    const sarsa = agent({ alpha: 0.5, gamma: 0.9, lambda: 0.5 });
    sarsa.learn(step(A, 2, 1, B), 0);
    sarsa.beginEpisode();
    expect(sarsa.tracedStates).toBe(0);
    sarsa.learn(step(B, 0, 2, A), 2);
    expect(sarsa.qValues(A)).toEqual([0, 0, 0.5]);
  });

  it('breaks greedy ties towards the highest action', () => {
    const sarsa = agent({ alpha: 0.5, lambda: 0 });
    expect(sarsa.act(A, GREEDY)).toBe(2);
    sarsa.learn(step(A, 2, -1, B), 1);
    expect(sarsa.qValues(A)).toEqual([0, 0, -0.5]);
    expect(sarsa.act(A, GREEDY)).toBe(1);
    sarsa.learn(step(A, 1, -1, B), 1);
    expect(sarsa.act(A, GREEDY)).toBe(0);
  });

  it('explores with probability ε and never when evaluating', () => {
    expect(agent({ rng: sequence(0.39, 0.1) }).act(A, EXPLORE)).toBe(0);
    expect(agent({ rng: sequence(0.39, 0.5) }).act(A, EXPLORE)).toBe(1);
    expect(agent({ rng: sequence(0.4) }).act(A, EXPLORE)).toBe(2);
    expect(agent({ rng: sequence() }).act(A, GREEDY)).toBe(2);
  });

  it('decays ε once per episode down to its minimum', () => {
    const sarsa = agent();
    sarsa.endEpisode();
    expect(sarsa.epsilon).toBeCloseTo(0.398, 12);
    expect(sarsa.episodes).toBe(1);
    // 0.4·0.995^n reaches 0.1 at n = 277 (ln 0.25 / ln 0.995 = 276.6).
    for (let i = 1; i < 276; i++) sarsa.endEpisode();
    expect(sarsa.epsilon).toBeGreaterThan(0.1);
    sarsa.endEpisode();
    expect(sarsa.epsilon).toBe(0.1);
    sarsa.endEpisode();
    expect(sarsa.epsilon).toBe(0.1);
  });

  it('is deterministic for a seed', () => {
    const run = (): Action[] => {
      const sarsa = agent({ rng: seededRandom(7) });
      const actions: Action[] = [];
      let action = sarsa.act(A, EXPLORE);
      for (let i = 0; i < 50; i++) {
        const [observation, next] = i % 2 === 0 ? [A, B] : [B, A];
        const nextAction = sarsa.act(next, EXPLORE);
        sarsa.learn(step(observation, action, i % 3, next), nextAction);
        actions.push(nextAction);
        action = nextAction;
      }
      return actions;
    };
    expect(run()).toEqual(run());
  });

  it('saves and rebuilds its model through JSON', () => {
    const sarsa = agent({ alpha: 0.5, gamma: 0.9 });
    sarsa.learn(step(A, 2, 1, B), 0);
    sarsa.learn(step(B, 0, 2, A), 2);
    sarsa.endEpisode();
    const model = sarsa.toModel();
    expect(model).toMatchObject({
      kind: 'sarsa',
      reward: { w_qos: 36 },
      episodes: 1,
      hyperParameters: { alpha: 0.5, gamma: 0.9, edges: DEFAULT_SARSA_EDGES },
    });
    expect((model.state as { epsilon: number }).epsilon).toBeCloseTo(0.398, 12);
    expect(Object.keys((model.state as { qTable: object }).qTable).sort()).toEqual([
      '0,4,0,0,4,3,0,4,3',
      '3,0,0,0,3,2,0,0,5',
    ]);

    const rebuilt = SarsaAgent.fromModel(JSON.parse(JSON.stringify(model)), seededRandom(1));
    expect(rebuilt.toModel()).toEqual(model);
    expect(rebuilt.qValues(B)).toEqual(sarsa.qValues(B));
    expect(rebuilt.epsilon).toBe(sarsa.epsilon);
    expect(rebuilt.episodes).toBe(1);
  });

  it('refuses a model that is not a SARSA model of its edges', () => {
    const model = agent().toModel();
    expect(() => SarsaAgent.fromModel({ ...model, kind: 'dqn' }, seededRandom(1))).toThrow(ConfigError);
    const badKey = { ...model, state: { epsilon: 0.4, qTable: { '9,0,0,0,0,0,0,0,0': [0, 0, 0] } } };
    expect(() => SarsaAgent.fromModel(badKey, seededRandom(1))).toThrow(/state\.qTable\.9,0/);
    const badAlpha = { ...model, hyperParameters: { ...model.hyperParameters, alpha: 2 } };
    expect(() => SarsaAgent.fromModel(badAlpha, seededRandom(1))).toThrow(/hyperParameters\.alpha/);
  });

  it('refuses edges that are not increasing or not one list per observation value', () => {
    const edges = DEFAULT_SARSA_EDGES.map((e) => [...e]);
    edges[0] = [1.5, 0.5];
    expect(() => agent({ edges })).toThrow(ConfigError);
    expect(() => agent({ edges: [[0.5]] })).toThrow(ConfigError);
  });
});
