/**
 * Double DQN, the reference's neural agent (anchors §2.4): an MLP over the normalised 9-value
 * observation, trained from a uniform replay with the Huber loss, Adam and a clipped gradient
 * norm; the online network picks the next action and a slowly blended target network values it.
 * ε-greedy exploration decays once per episode; greedy ties go to scale-up.
 *
 * Reference quirk kept with its defaults: the target network is blended (τ = 0.01) only every 600
 * updates, so after ~80 episodes of ~28 steps (~1,840 updates, 3 blends) it has moved 1 − 0.99³ ≈ 3 %
 * of the way from its initial weights: the bootstrap values come essentially from the untrained
 * network. Set a larger tau or a smaller targetUpdateEvery for a target that follows.
 *
 * Not saved in the model (the reference's checkpoint holds them): the replay buffer and Adam's
 * moments. A rebuilt agent fills its replay again (warm-up counts stored transitions) and restarts
 * Adam.
 */
import { z } from 'zod';
import { validateConfig } from '../../../config/read-file.js';
import { ConfigError, type ConfigIssue } from '../../../core/errors.js';
import { VERSION } from '../../../core/version.js';
import type { ObservationBounds } from '../config.js';
import {
  type Action,
  type AgentModel,
  type LearningAgent,
  OBSERVATION_NAMES,
  type Observation,
  type PolicyContext,
  type Transition,
} from '../contract.js';
import { normaliseObservation } from '../observe.js';
import { initialWeights, layerShapes, type NetworkWeights, QNetwork } from './dqn-network.js';
import { ReplayBuffer } from './dqn-replay.js';
import { tf } from './dqn-tf.js';
import { clipByGlobalNorm, doubleDqnTargets, tdLoss } from './dqn-update.js';
import { ACTION_COUNT, type AgentInputs, agentModelSchema, EpsilonGreedy } from './exploration.js';

/** The environment's observation Box (anchors §2.1), in OBS order. */
export const DEFAULT_OBSERVATION_BOUNDS: ObservationBounds = {
  low: [0, 0, 0, 0, 1, 0, 0, 0, 0],
  high: [3, 800, 10, 1140, 32, 150, 160, 12, 1],
};

const bound = z
  .array(z.number().finite())
  .length(OBSERVATION_NAMES.length, `one bound per observation value (${OBSERVATION_NAMES.length})`);
const boundsSchema = z
  .strictObject({ low: bound, high: bound })
  .refine((b) => b.high.every((hi, i) => hi > (b.low[i] as number)), {
    message: 'every high must be above its low',
    path: ['high'],
  });

/** The hyper-parameters, with the reference's defaults (dqn_agent.py / train_dqn.py at b3ef19f = HEAD). */
export const dqnHyperParametersSchema = z
  .strictObject({
    /** Seeds the initial weights. */
    seed: z.number().int().default(42),
    /** Units of each hidden ReLU layer. */
    hiddenLayers: z.array(z.number().int().positive()).min(1).default([128, 64]),
    /** Adam's learning rate. */
    learningRate: z.number().positive().default(3e-4),
    /** Discount. */
    gamma: z.number().min(0).max(1).default(0.97),
    /** ε at the first episode. */
    epsilon: z.number().min(0).max(1).default(0.8),
    epsilonMin: z.number().min(0).max(1).default(0.05),
    /** ε ← max(epsilonMin, ε·epsilonDecay) after every episode. */
    epsilonDecay: z.number().gt(0).max(1).default(0.98),
    batchSize: z.number().int().positive().default(64),
    /** Transitions the uniform replay keeps (the latest). */
    replayCapacity: z.number().int().positive().default(75_000),
    /** Transitions stored before the first update (then one update per step). */
    warmUpSteps: z.number().int().min(0).default(400),
    /** Updates between two target-network blends. */
    targetUpdateEvery: z.number().int().positive().default(600),
    /** Polyak weight of the online network in a blend (1 copies it). */
    tau: z.number().gt(0).max(1).default(0.01),
    /** Rewards are clipped to ±rewardClip before they are stored. */
    rewardClip: z.number().positive().default(100),
    /** Global L2 norm the gradients are clipped to. */
    gradientClipNorm: z.number().positive().default(3),
    /** Per-value bounds of the normalisation (clip(x, lo, hi) − lo)/(hi − lo). */
    observationBounds: boundsSchema.default(structuredClone(DEFAULT_OBSERVATION_BOUNDS)),
  })
  .refine((h) => h.batchSize <= h.replayCapacity, {
    message: 'batchSize must not exceed replayCapacity',
    path: ['batchSize'],
  });
export type DqnHyperParameters = z.output<typeof dqnHyperParametersSchema>;

export type DqnOptions = z.input<typeof dqnHyperParametersSchema> & AgentInputs;

/** Learned values saved in AgentModel.state. */
export interface DqnState {
  /** The current ε, so training can resume where it stopped. */
  epsilon: number;
  /** Updates made, so the target blends keep their schedule. */
  updates: number;
  online: NetworkWeights;
  target: NetworkWeights;
}

const denseSchema = z.strictObject({
  shape: z.tuple([z.number().int().positive(), z.number().int().positive()]),
  kernel: z.array(z.number().finite()),
  bias: z.array(z.number().finite()),
});

const modelSchema = agentModelSchema('dqn', dqnHyperParametersSchema, {
  updates: z.number().int().min(0),
  online: z.array(denseSchema),
  target: z.array(denseSchema),
});

export class DqnAgent implements LearningAgent {
  readonly name = 'dqn';
  readonly hyperParameters: DqnHyperParameters;
  private readonly rng: () => number;
  private readonly reward: Record<string, number>;
  private readonly online: QNetwork;
  private readonly target: QNetwork;
  private readonly optimizer: tf.AdamOptimizer;
  private readonly replay: ReplayBuffer;
  private exploration: EpsilonGreedy;
  private updatesMade = 0;
  private latestLoss: number | undefined;

  /** Bad hyper-parameters are a ConfigError naming them. */
  constructor(options: DqnOptions) {
    const { rng, reward, ...hyperParameters } = options;
    this.hyperParameters = validateConfig(dqnHyperParametersSchema, hyperParameters, 'DQN hyper-parameters');
    const h = this.hyperParameters;
    this.rng = rng;
    this.reward = { ...reward };
    this.exploration = new EpsilonGreedy(h.epsilon, h, rng);
    const weights = initialWeights(layerSizes(h), h.seed);
    this.online = new QNetwork(weights, true);
    this.target = new QNetwork(weights, false);
    // PyTorch's Adam defaults (β 0.9 / 0.999, ε 1e-8); tfjs's own ε default is 1e-7.
    this.optimizer = tf.train.adam(h.learningRate, 0.9, 0.999, 1e-8);
    this.replay = new ReplayBuffer(h.replayCapacity, OBSERVATION_NAMES.length);
  }

  /** Rebuilds a saved agent; a model that is not a DQN model dfaas wrote is a ConfigError. */
  static fromModel(model: AgentModel, rng: () => number): DqnAgent {
    const parsed = validateConfig(modelSchema, model, 'DQN model');
    const shapes = layerShapes(layerSizes(parsed.hyperParameters));
    const issues = [
      ...weightIssues(parsed.state.online, shapes, 'state.online'),
      ...weightIssues(parsed.state.target, shapes, 'state.target'),
    ];
    if (issues.length > 0) throw new ConfigError('DQN model', issues);
    const agent = new DqnAgent({ ...parsed.hyperParameters, rng, reward: parsed.reward });
    agent.online.setWeights(parsed.state.online);
    agent.target.setWeights(parsed.state.target);
    agent.exploration = new EpsilonGreedy(parsed.state.epsilon, agent.hyperParameters, rng, parsed.episodes);
    agent.updatesMade = parsed.state.updates;
    return agent;
  }

  get epsilon(): number {
    return this.exploration.epsilon;
  }

  get episodes(): number {
    return this.exploration.episodes;
  }

  /** Gradient updates made so far. */
  get updates(): number {
    return this.updatesMade;
  }

  /** The TD loss of the latest update (undefined before the first). */
  get lastLoss(): number | undefined {
    return this.latestLoss;
  }

  /** The online network's Q-values [−1, 0, +1] of an observation (raw, normalised here). */
  qValues(observation: Observation): number[] {
    return Array.from(this.predictOne(observation));
  }

  act(observation: Observation, context: PolicyContext): Action {
    return this.exploration.choose(context.explore, () => this.predictOne(observation));
  }

  /** Nothing to reset: the replay and the networks span episodes. */
  beginEpisode(): void {}

  /** Stores the transition and, once warmed up, makes one update (DQN is off-policy: nextAction is unused). */
  learn(transition: Transition): void {
    const { rewardClip, warmUpSteps, batchSize } = this.hyperParameters;
    const reward = Math.min(Math.max(transition.reward, -rewardClip), rewardClip);
    this.replay.push(
      this.normalise(transition.observation),
      transition.action,
      reward,
      this.normalise(transition.next),
      transition.done,
    );
    if (this.replay.size >= Math.max(warmUpSteps, batchSize)) this.update();
  }

  endEpisode(): void {
    this.exploration.endEpisode();
  }

  toModel(): AgentModel {
    const state: DqnState = {
      epsilon: this.exploration.epsilon,
      updates: this.updatesMade,
      online: this.online.weights(),
      target: this.target.weights(),
    };
    return {
      kind: 'dqn',
      version: VERSION,
      hyperParameters: structuredClone(this.hyperParameters),
      reward: { ...this.reward },
      episodes: this.exploration.episodes,
      state,
    };
  }

  /** Frees the networks' and the optimiser's tensors; the agent is unusable afterwards. */
  dispose(): void {
    this.online.dispose();
    this.target.dispose();
    this.optimizer.dispose();
  }

  /** One gradient step on a uniform batch, then the target blend when it is due. */
  private update(): void {
    const { batchSize, gamma, gradientClipNorm, targetUpdateEvery, tau } = this.hyperParameters;
    const width = this.replay.width;
    const batch = this.replay.sample(batchSize, this.rng);
    const [nextOnline, nextTarget] = tf.tidy(() => {
      const next = tf.tensor2d(batch.next, [batchSize, width]);
      return [
        this.online.predict(next).dataSync<'float32'>(),
        this.target.predict(next).dataSync<'float32'>(),
      ];
    });
    const targets = doubleDqnTargets(batch.rewards, batch.dones, nextOnline, nextTarget, gamma);
    this.latestLoss = tf.tidy(() => {
      const observations = tf.tensor2d(batch.observations, [batchSize, width]);
      const { value, grads } = tf.variableGrads(
        () => tdLoss(this.online.predict(observations), batch.actions, targets),
        this.online.variables,
      );
      this.optimizer.applyGradients(clipByGlobalNorm(grads, gradientClipNorm));
      return value.dataSync()[0] as number;
    });
    this.updatesMade++;
    if (this.updatesMade % targetUpdateEvery === 0) this.target.blendFrom(this.online, tau);
  }

  private predictOne(observation: Observation): Float32Array {
    const input = this.normalise(observation);
    return tf.tidy(() => this.online.predict(tf.tensor2d(input, [1, input.length])).dataSync<'float32'>());
  }

  private normalise(observation: Observation): Float32Array {
    return Float32Array.from(normaliseObservation(observation, this.hyperParameters.observationBounds));
  }
}

/** [inputs, ...hidden, actions]. */
function layerSizes(h: DqnHyperParameters): number[] {
  return [OBSERVATION_NAMES.length, ...h.hiddenLayers, ACTION_COUNT];
}

/** What is wrong with saved weights for layers of these shapes. */
function weightIssues(weights: NetworkWeights, shapes: [number, number][], field: string): ConfigIssue[] {
  if (weights.length !== shapes.length) {
    return [{ field, message: `${weights.length} layers where the hyper-parameters give ${shapes.length}` }];
  }
  return weights.flatMap((w, l) => {
    const [inputs, units] = shapes[l] as [number, number];
    const at = `${field}[${l}]`;
    if (w.shape[0] !== inputs || w.shape[1] !== units) {
      return [
        { field: `${at}.shape`, message: `expected [${inputs}, ${units}], got [${w.shape.join(', ')}]` },
      ];
    }
    const issues: ConfigIssue[] = [];
    if (w.kernel.length !== inputs * units) {
      issues.push({
        field: `${at}.kernel`,
        message: `expected ${inputs * units} values, got ${w.kernel.length}`,
      });
    }
    if (w.bias.length !== units) {
      issues.push({ field: `${at}.bias`, message: `expected ${units} values, got ${w.bias.length}` });
    }
    return issues;
  });
}
