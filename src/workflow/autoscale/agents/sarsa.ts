/**
 * Tabular SARSA(λ), the reference's agent (anchors §2.3): a Q-table over a fixed discretisation of
 * the 9-value observation, on-policy TD updates with accumulating eligibility traces, ε-greedy
 * exploration decayed once per episode, and greedy ties broken towards scale-up.
 */
import { z } from 'zod';
import { validateConfig } from '../../../config/read-file.js';
import { ConfigError } from '../../../core/errors.js';
import { VERSION } from '../../../core/version.js';
import {
  type Action,
  type AgentModel,
  type LearningAgent,
  OBSERVATION_NAMES,
  type Observation,
  type PolicyContext,
  type Transition,
} from '../contract.js';
import { ACTION_COUNT, type AgentInputs, agentModelSchema, EpsilonGreedy } from './exploration.js';

/**
 * The reference's bin edges per observation dimension (train_sarsa.py DEFAULT_DISCRETIZATION_EDGES),
 * in OBS order; an empty list is one bin. They give (4, 7, 1, 1, 8, 8, 1, 5, 6) bins, 53,760 states.
 */
export const DEFAULT_SARSA_EDGES: readonly (readonly number[])[] = [
  [0.5, 1.5, 2.5], // input_q
  [0.5, 2.5, 5.5, 9.5, 15.5, 30.5], // worker_q
  [], // result_q
  [], // output_q
  [3.5, 7.5, 11.5, 12.5, 16.5, 20.5, 24.5], // workers
  [0.5, 1, 2, 4, 8, 16, 32], // avg_time
  [], // max_time
  [0.15, 0.5, 1.5, 3.5], // arrival_rate
  [0.5, 0.8, 0.9, 0.95, 0.999], // qos_rate
];

const edgesSchema = z
  .array(
    z
      .array(z.number().finite())
      .refine((edges) => edges.every((e, i) => i === 0 || e > (edges[i - 1] as number)), {
        message: 'edges must be strictly increasing',
      }),
  )
  .length(OBSERVATION_NAMES.length, `one list of edges per observation value (${OBSERVATION_NAMES.length})`);

/** The hyper-parameters, with the reference's HEAD defaults (train_sarsa.py at 1c133a4). */
export const sarsaHyperParametersSchema = z.strictObject({
  /** Learning rate. */
  alpha: z.number().gt(0).max(1).default(0.025),
  /** Discount. */
  gamma: z.number().min(0).max(1).default(0.985),
  /** ε at the first episode. */
  epsilon: z.number().min(0).max(1).default(0.4),
  epsilonMin: z.number().min(0).max(1).default(0.1),
  /** ε ← max(epsilonMin, ε·epsilonDecay) after every episode. */
  epsilonDecay: z.number().gt(0).max(1).default(0.995),
  /** Trace decay λ; 0 is one-step SARSA. */
  lambda: z.number().min(0).max(1).default(0.5),
  /** A state's traces are dropped once all of them are below this. */
  traceThreshold: z.number().min(0).default(1e-5),
  /**
   * Bootstrap with Q(s′, a′) = 0 on the episode's last step. Off by default: the reference never
   * masks (its final step bootstraps from the next state too), and its published model learnt so.
   */
  terminalMasking: z.boolean().default(false),
  /** Bin edges per observation value, in OBS order (np.digitize semantics; [] is one bin). */
  edges: edgesSchema.default(DEFAULT_SARSA_EDGES.map((e) => [...e])),
});
export type SarsaHyperParameters = z.output<typeof sarsaHyperParametersSchema>;

export type SarsaOptions = z.input<typeof sarsaHyperParametersSchema> & AgentInputs;

/** Learned values saved in AgentModel.state. */
export interface SarsaState {
  /** The current ε, so training can resume where it stopped. */
  epsilon: number;
  /** Q-values [−1, 0, +1] per visited state key (its bin indexes joined by commas). */
  qTable: Record<string, number[]>;
}

const modelSchema = agentModelSchema('sarsa', sarsaHyperParametersSchema, {
  qTable: z.record(z.string(), z.array(z.number().finite()).length(ACTION_COUNT)),
});

/**
 * The bin index of each observation value, as np.digitize(value, edges) with right=False: the
 * number of edges ≤ value, so k edges give k + 1 bins and a value on an edge goes to the upper
 * bin. Both sides are rounded to float32 as the reference compares them.
 */
export function sarsaState(observation: Observation, edges: readonly (readonly number[])[]): number[] {
  if (observation.length !== edges.length) {
    throw new Error(`an observation of ${observation.length} values for ${edges.length} lists of edges`);
  }
  return edges.map((dimension, i) => {
    const value = Math.fround(observation[i] as number);
    let bin = 0;
    while (bin < dimension.length && Math.fround(dimension[bin] as number) <= value) bin++;
    return bin;
  });
}

export class SarsaAgent implements LearningAgent {
  readonly name = 'sarsa';
  readonly hyperParameters: SarsaHyperParameters;
  private readonly reward: Record<string, number>;
  private readonly q = new Map<string, number[]>();
  /** Eligibility traces of the current episode, per state key. */
  private readonly traces = new Map<string, number[]>();
  private exploration: EpsilonGreedy;

  /** Bad hyper-parameters are a ConfigError naming them. */
  constructor(options: SarsaOptions) {
    const { rng, reward, ...hyperParameters } = options;
    this.hyperParameters = validateConfig(
      sarsaHyperParametersSchema,
      hyperParameters,
      'SARSA hyper-parameters',
    );
    this.reward = { ...reward };
    this.exploration = new EpsilonGreedy(this.hyperParameters.epsilon, this.hyperParameters, rng);
  }

  /** Rebuilds a saved agent; a model that is not a SARSA model dfaas wrote is a ConfigError. */
  static fromModel(model: AgentModel, rng: () => number): SarsaAgent {
    const parsed = validateConfig(modelSchema, model, 'SARSA model');
    const agent = new SarsaAgent({ ...parsed.hyperParameters, rng, reward: parsed.reward });
    const bins = agent.hyperParameters.edges.map((e) => e.length + 1);
    for (const [key, values] of Object.entries(parsed.state.qTable)) {
      if (!isStateKey(key, bins)) {
        throw new ConfigError('SARSA model', [
          {
            field: `state.qTable.${key}`,
            message: `not a state of the model's edges (bins ${bins.join(', ')})`,
          },
        ]);
      }
      agent.q.set(key, [...values]);
    }
    agent.exploration = new EpsilonGreedy(parsed.state.epsilon, agent.hyperParameters, rng, parsed.episodes);
    return agent;
  }

  get epsilon(): number {
    return this.exploration.epsilon;
  }

  get episodes(): number {
    return this.exploration.episodes;
  }

  /** States with a live eligibility trace (the reference's trace statistics). */
  get tracedStates(): number {
    return this.traces.size;
  }

  /** Q-values [−1, 0, +1] of the observation's state (zeros when never visited). */
  qValues(observation: Observation): number[] {
    return [...this.values(this.key(observation))];
  }

  act(observation: Observation, context: PolicyContext): Action {
    return this.exploration.choose(context.explore, () => this.values(this.key(observation)));
  }

  beginEpisode(): void {
    this.traces.clear();
  }

  learn(transition: Transition, nextAction: Action): void {
    const { alpha, gamma, lambda, traceThreshold, terminalMasking } = this.hyperParameters;
    const state = this.key(transition.observation);
    const next = this.key(transition.next);
    const bootstrap = terminalMasking && transition.done ? 0 : (this.values(next)[nextAction] as number);
    const qsa = this.values(state)[transition.action] as number;
    const delta = transition.reward + gamma * bootstrap - qsa;

    const trace = this.traces.get(state) ?? new Array<number>(ACTION_COUNT).fill(0);
    trace[transition.action] = (trace[transition.action] as number) + 1;
    this.traces.set(state, trace);

    for (const [key, e] of this.traces) {
      const q = this.entry(key);
      for (let a = 0; a < ACTION_COUNT; a++) q[a] = (q[a] as number) + alpha * delta * (e[a] as number);
      for (let a = 0; a < ACTION_COUNT; a++) e[a] = (e[a] as number) * gamma * lambda;
      if (e.every((v) => Math.abs(v) < traceThreshold)) this.traces.delete(key);
    }
  }

  endEpisode(): void {
    this.exploration.endEpisode();
  }

  toModel(): AgentModel {
    const state: SarsaState = {
      epsilon: this.exploration.epsilon,
      qTable: Object.fromEntries([...this.q].map(([key, values]) => [key, [...values]])),
    };
    return {
      kind: 'sarsa',
      version: VERSION,
      hyperParameters: structuredClone(this.hyperParameters),
      reward: { ...this.reward },
      episodes: this.exploration.episodes,
      state,
    };
  }

  private key(observation: Observation): string {
    return sarsaState(observation, this.hyperParameters.edges).join(',');
  }

  private values(key: string): readonly number[] {
    return this.q.get(key) ?? ZEROS;
  }

  /** The state's Q-values, created as zeros on first write. */
  private entry(key: string): number[] {
    let q = this.q.get(key);
    if (q === undefined) {
      q = new Array<number>(ACTION_COUNT).fill(0);
      this.q.set(key, q);
    }
    return q;
  }
}

const ZEROS: readonly number[] = new Array<number>(ACTION_COUNT).fill(0);

/** A key of comma-separated bin indexes, one per dimension, each within its dimension's bins. */
function isStateKey(key: string, bins: readonly number[]): boolean {
  const parts = key.split(',');
  return (
    parts.length === bins.length && parts.every((p, i) => /^\d+$/.test(p) && Number(p) < (bins[i] as number))
  );
}
