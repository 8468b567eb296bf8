import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../src/core/errors.js';
import { seededRandom } from '../../../../src/core/random.js';
import { DqnAgent, type DqnOptions, type DqnState } from '../../../../src/workflow/autoscale/agents/dqn.js';
import { tf } from '../../../../src/workflow/autoscale/agents/dqn-tf.js';
import {
  clipByGlobalNorm,
  doubleDqnTargets,
  tdLoss,
} from '../../../../src/workflow/autoscale/agents/dqn-update.js';
import { greedyAction } from '../../../../src/workflow/autoscale/agents/exploration.js';
import type {
  Action,
  AgentModel,
  Observation,
  Transition,
} from '../../../../src/workflow/autoscale/contract.js';

const GREEDY = { enqueuedTotal: 0, explore: false };
const EXPLORE = { enqueuedTotal: 0, explore: true };
const OBSERVATION: Observation = [1, 40, 2, 300, 12, 5, 9, 2, 0.9];

/** A small, quick-to-train agent (the default network, a short warm-up and batch). */
function agent(options: Partial<DqnOptions> = {}): DqnAgent {
  return new DqnAgent({
    rng: seededRandom(7),
    reward: { qos: 36 },
    warmUpSteps: 8,
    batchSize: 8,
    ...options,
  });
}

/** Varied transitions from a seeded stream. */
function transitions(count: number, seed = 3): Transition[] {
  const random = seededRandom(seed);
  const observation = (): Observation => [3, 800, 10, 1140, 32, 150, 160, 12, 1].map((hi) => hi * random());
  return Array.from({ length: count }, (_, i) => ({
    observation: observation(),
    action: (i % 3) as Action,
    reward: 20 * random() - 10,
    next: observation(),
    done: i % 10 === 9,
  }));
}

function train(a: DqnAgent, steps: readonly Transition[]): void {
  for (const t of steps) a.learn(t);
}

function state(a: DqnAgent): DqnState {
  return a.toModel().state as DqnState;
}

describe('DqnAgent', () => {
  it('builds the reference network, 9 → 128 → 64 → 3, with the target a copy of the online net', () => {
    const a = agent();
    const { online, target } = state(a);
    expect(online.map((l) => l.shape)).toEqual([
      [9, 128],
      [128, 64],
      [64, 3],
    ]);
    expect(online.map((l) => [l.kernel.length, l.bias.length])).toEqual([
      [9 * 128, 128],
      [128 * 64, 64],
      [64 * 3, 3],
    ]);
    expect(target).toEqual(online);
    // PyTorch's default init: every value within ±1/√inputs of its layer.
    expect(online[0]?.kernel.every((w) => Math.abs(w) <= 1 / 3)).toBe(true);
    expect(a.qValues(OBSERVATION)).toHaveLength(3);
    a.dispose();
  });

  it('takes the hidden layers from its options', () => {
    const a = agent({ hiddenLayers: [5] });
    expect(state(a).online.map((l) => l.shape)).toEqual([
      [9, 5],
      [5, 3],
    ]);
    a.dispose();
  });

  it('feeds the network observations clipped and scaled by its bounds', () => {
    const a = agent();
    const withBacklog = (workerQueue: number): Observation =>
      OBSERVATION.map((x, i) => (i === 1 ? workerQueue : x));
    // The §2.1 Box caps worker_q at 800: anything above looks the same.
    expect(a.qValues(withBacklog(5000))).toEqual(a.qValues(withBacklog(800)));
    expect(a.qValues(withBacklog(400))).not.toEqual(a.qValues(withBacklog(800)));
    const wide = agent({
      observationBounds: { low: [0, 0, 0, 0, 1, 0, 0, 0, 0], high: [3, 1600, 10, 1140, 32, 150, 160, 12, 1] },
    });
    expect(wide.qValues(withBacklog(800))).toEqual(a.qValues(withBacklog(400)));
    a.dispose();
    wide.dispose();
  });

  it('gives identical Q-values for the same seed and transitions, other ones for another seed', () => {
    const steps = transitions(30);
    const [a, b] = [agent(), agent()];
    train(a, steps);
    train(b, steps);
    expect(a.updates).toBe(23);
    expect(a.qValues(OBSERVATION)).toEqual(b.qValues(OBSERVATION));
    expect(state(a)).toEqual(state(b));
    const [c, d] = [agent({ seed: 43 }), agent()];
    expect(c.qValues(OBSERVATION)).not.toEqual(d.qValues(OBSERVATION));
    for (const x of [a, b, c, d]) x.dispose();
  });

  it('makes no update before the warm-up, then one per step', () => {
    const a = agent({ warmUpSteps: 12 });
    const steps = transitions(14);
    train(a, steps.slice(0, 11));
    expect(a.updates).toBe(0);
    expect(a.lastLoss).toBeUndefined();
    train(a, steps.slice(11));
    expect(a.updates).toBe(3);
    expect(a.lastLoss).toBeGreaterThanOrEqual(0);
    a.dispose();
  });

  it('clips rewards to ±rewardClip before storing them', () => {
    const steps = transitions(20);
    const clipped = agent({ rewardClip: 5 });
    const extreme = agent({ rewardClip: 5 });
    train(
      clipped,
      steps.map((t) => ({ ...t, reward: Math.sign(t.reward) * 5 })),
    );
    train(
      extreme,
      steps.map((t) => ({ ...t, reward: Math.sign(t.reward) * 1000 })),
    );
    expect(extreme.qValues(OBSERVATION)).toEqual(clipped.qValues(OBSERVATION));
    clipped.dispose();
    extreme.dispose();
  });

  it('blends the target network every targetUpdateEvery updates with weight tau', () => {
    const a = agent({ targetUpdateEvery: 2, tau: 0.25 });
    const initial = state(a).online;
    const steps = transitions(9);
    train(a, steps.slice(0, 8));
    expect(a.updates).toBe(1);
    expect(state(a).target).toEqual(initial);
    train(a, steps.slice(8));
    const { online, target } = state(a);
    const blended = 0.25 * (online[2]?.bias[0] as number) + 0.75 * (initial[2]?.bias[0] as number);
    expect(target[2]?.bias[0]).toBeCloseTo(blended, 6);
    expect(target[2]?.bias[0]).not.toBe(initial[2]?.bias[0]);
    a.dispose();
  });

  it('explores with probability ε while training, is greedy otherwise, and decays ε per episode', () => {
    const never = agent({ epsilon: 0 });
    const always = agent({ epsilon: 1 });
    const greedy = never.act(OBSERVATION, GREEDY);
    expect(never.act(OBSERVATION, EXPLORE)).toBe(greedy);
    const explored = new Set(Array.from({ length: 50 }, () => always.act(OBSERVATION, EXPLORE)));
    expect(explored).toEqual(new Set([0, 1, 2]));
    expect(always.act(OBSERVATION, GREEDY)).toBe(always.act(OBSERVATION, GREEDY));

    const decaying = agent({ epsilon: 0.8, epsilonMin: 0.7, epsilonDecay: 0.98 });
    decaying.endEpisode();
    expect(decaying.epsilon).toBeCloseTo(0.784, 12);
    for (let i = 0; i < 20; i++) decaying.endEpisode();
    expect(decaying.epsilon).toBe(0.7);
    expect(decaying.episodes).toBe(21);
    for (const x of [never, always, decaying]) x.dispose();
  });

  it('learns a one-step bandit: action +1 pays 1, the others 0', () => {
    const a = agent({ warmUpSteps: 16, batchSize: 16 });
    for (let i = 0; i < 216; i++) {
      const action = (i % 3) as Action;
      a.learn({
        observation: OBSERVATION,
        action,
        reward: action === 2 ? 1 : 0,
        next: OBSERVATION,
        done: true,
      });
    }
    expect(a.updates).toBe(201);
    expect(a.act(OBSERVATION, GREEDY)).toBe(2);
    const [down, stay, up] = a.qValues(OBSERVATION) as [number, number, number];
    expect(up).toBeCloseTo(1, 1);
    expect(down).toBeCloseTo(0, 1);
    expect(stay).toBeCloseTo(0, 1);
    a.dispose();
  });

  it('round-trips through its model (JSON) to identical Q-values', () => {
    const a = agent({ targetUpdateEvery: 3, tau: 0.5 });
    train(a, transitions(20));
    a.endEpisode();
    const model = JSON.parse(JSON.stringify(a.toModel())) as AgentModel;
    expect(model).toMatchObject({ kind: 'dqn', reward: { qos: 36 }, episodes: 1 });
    expect(model.hyperParameters).toMatchObject({
      gamma: 0.97,
      tau: 0.5,
      batchSize: 8,
      replayCapacity: 75_000,
    });
    const b = DqnAgent.fromModel(model, seededRandom(1));
    for (const t of transitions(5, 11)) expect(b.qValues(t.observation)).toEqual(a.qValues(t.observation));
    expect(state(b)).toEqual(state(a));
    expect([b.epsilon, b.episodes, b.updates]).toEqual([a.epsilon, a.episodes, a.updates]);
    expect(b.toModel().hyperParameters).toEqual(a.toModel().hyperParameters);
    a.dispose();
    b.dispose();
  });

  it('rejects a model of another kind or with weights of the wrong shape', () => {
    const a = agent();
    const model = a.toModel();
    expect(() => DqnAgent.fromModel({ ...model, kind: 'sarsa' }, seededRandom(1))).toThrow(ConfigError);
    const s = structuredClone(model.state) as DqnState;
    s.online[1] = { ...(s.online[1] as DqnState['online'][number]), shape: [128, 32] };
    s.target[2]?.bias.pop();
    try {
      DqnAgent.fromModel({ ...model, state: s }, seededRandom(1));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).issues.map((i) => i.field)).toEqual([
        'state.online[1].shape',
        'state.target[2].bias',
      ]);
    }
    a.dispose();
  });

  it('rejects bad hyper-parameters', () => {
    expect(() => agent({ batchSize: 10, replayCapacity: 5 })).toThrow(ConfigError);
    const low = [0, 0, 0, 0, 1, 0, 0, 0, 0];
    expect(() => agent({ observationBounds: { low, high: [1, 1, 1, 1, 1, 1, 1, 1, 1] } })).toThrow(
      /observationBounds\.high/,
    );
    expect(() => agent({ observationBounds: { low: [0, 1], high: [1, 2] } })).toThrow(ConfigError);
  });

  it('keeps the tensor count steady over many updates and frees everything on dispose', () => {
    const before = tf.memory().numTensors;
    const a = agent();
    const steps = transitions(110);
    train(a, steps.slice(0, 10));
    const warmed = tf.memory().numTensors;
    train(a, steps.slice(10));
    for (const t of steps) a.act(t.observation, EXPLORE);
    a.toModel();
    expect(a.updates).toBe(103);
    expect(tf.memory().numTensors).toBe(warmed);
    a.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('the update pieces', () => {
  it('computes Double DQN targets: online argmax, target value, no bootstrap when done', () => {
    const targets = doubleDqnTargets(
      [1, 2, -1],
      [0, 0, 1],
      [0.1, 0.5, 0.2, /* tie → highest index */ 1, 1, 0, 9, 9, 9],
      [10, 20, 30, 4, 5, 6, 7, 8, 9],
      0.5,
    );
    // Row 0 bootstraps from the target's value of the online choice (20), not the target's max (30).
    expect(Array.from(targets)).toEqual([11, 4.5, -1]);
    expect(() => doubleDqnTargets([1], [0], [1, 2], [1, 2, 3], 0.5)).toThrow();
  });

  it('takes the mean Huber loss (δ = 1) of the chosen actions', () => {
    const loss = tf.tidy(() =>
      tdLoss(
        tf.tensor2d([
          [0, 1, 2],
          [3, 3, 3],
        ]),
        [2, 0],
        [2.5, 0],
      ).dataSync(),
    );
    // |δ| 0.5 → 0.5·0.5² = 0.125; |δ| 3 → 3 − 0.5 = 2.5; mean 1.3125.
    expect(loss[0]).toBeCloseTo(1.3125, 6);
  });

  it('clips gradients to a global norm', () => {
    const [large, small] = tf.tidy(() => [
      clipByGlobalNorm({ a: tf.tensor1d([3]), b: tf.tensor1d([4]) }, 1).map((g) => g.tensor.dataSync()[0]),
      clipByGlobalNorm({ a: tf.tensor1d([0.3]), b: tf.tensor1d([0.4]) }, 1).map(
        (g) => g.tensor.dataSync()[0],
      ),
    ]);
    expect(large?.[0]).toBeCloseTo(0.6, 5);
    expect(large?.[1]).toBeCloseTo(0.8, 5);
    expect(small?.[0]).toBeCloseTo(0.3, 6);
    expect(small?.[1]).toBeCloseTo(0.4, 6);
  });

  it('breaks greedy ties towards the highest action', () => {
    expect(greedyAction([1, 1, 0])).toBe(1);
    expect(greedyAction([2, 2, 2])).toBe(2);
    expect(greedyAction([9, 0, 5, 1, 0, 1], 3)).toBe(2);
  });
});
