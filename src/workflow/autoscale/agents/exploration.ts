/**
 * What SARSA and DQN share: the greedy choice (ties to the highest index, scale up, as the
 * reference breaks them), ε-greedy exploration with ε decayed once per episode, what they are
 * given and how their models are shaped.
 */
import { z } from 'zod';
import { ACTION_DELTAS, type Action } from '../contract.js';

export const ACTION_COUNT = ACTION_DELTAS.length;

/** The best action of the ACTION_COUNT Q-values starting at `offset`; among equals the highest index. */
export function greedyAction(q: ArrayLike<number>, offset = 0): Action {
  let best = 0;
  for (let a = 1; a < ACTION_COUNT; a++) {
    if ((q[offset + a] as number) >= (q[offset + best] as number)) best = a;
  }
  return best as Action;
}

/** ε and the episodes trained, as an agent's model saves them. */
export class EpsilonGreedy {
  constructor(
    private epsilonNow: number,
    private readonly schedule: { epsilonMin: number; epsilonDecay: number },
    private readonly rng: () => number,
    private episodesDone = 0,
  ) {}

  get epsilon(): number {
    return this.epsilonNow;
  }

  get episodes(): number {
    return this.episodesDone;
  }

  /** A random action with probability ε when exploring (two draws), else the greedy one of `q()`. */
  choose(explore: boolean, q: () => ArrayLike<number>): Action {
    if (explore && this.rng() < this.epsilonNow) return Math.floor(this.rng() * ACTION_COUNT) as Action;
    return greedyAction(q());
  }

  /** ε ← max(ε_min, ε·decay), once per episode. */
  endEpisode(): void {
    this.epsilonNow = Math.max(this.schedule.epsilonMin, this.epsilonNow * this.schedule.epsilonDecay);
    this.episodesDone++;
  }
}

/** What a learned agent is given beside its hyper-parameters. */
export interface AgentInputs {
  /** Uniform [0, 1) source for exploration (and DQN's replay sampling): src/core/random.ts seededRandom. */
  rng: () => number;
  /** The reward configuration the agent trains under, recorded in its model. */
  reward: Record<string, number>;
}

/** The schema of a saved agent (AgentModel) of `kind`: its hyper-parameters, and ε beside its own state. */
export function agentModelSchema<K extends string, H extends z.ZodType, S extends z.ZodRawShape>(
  kind: K,
  hyperParameters: H,
  state: S,
) {
  return z.object({
    kind: z.literal(kind),
    version: z.string(),
    hyperParameters,
    reward: z.record(z.string(), z.number()),
    episodes: z.number().int().min(0),
    state: z.strictObject({ epsilon: z.number().min(0).max(1), ...state }),
  });
}
