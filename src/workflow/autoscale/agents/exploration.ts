/**
 * What SARSA and DQN share in acting: the greedy choice (ties to the highest index, scale up, as
 * the reference breaks them) and ε-greedy exploration with ε decayed once per episode.
 */
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
