/**
 * The DQN's uniform experience replay: a ring of the latest `capacity` transitions (observations
 * already normalised, rewards already clipped) in flat typed arrays, sampled without replacement
 * as the reference's random.sample does.
 */

/** `count` transitions, row i of each array belonging together. */
export interface ReplayBatch {
  /** count × width values. */
  observations: Float32Array;
  actions: Int32Array;
  rewards: Float32Array;
  /** count × width values. */
  next: Float32Array;
  /** 1 where the transition ended its episode. */
  dones: Uint8Array;
}

export class ReplayBuffer {
  private readonly observations: Float32Array;
  private readonly actions: Int32Array;
  private readonly rewards: Float32Array;
  private readonly next: Float32Array;
  private readonly dones: Uint8Array;
  private stored = 0;
  /** The slot the next transition goes to (the oldest once full). */
  private position = 0;

  constructor(
    readonly capacity: number,
    /** Values per observation. */
    readonly width: number,
  ) {
    this.observations = new Float32Array(capacity * width);
    this.actions = new Int32Array(capacity);
    this.rewards = new Float32Array(capacity);
    this.next = new Float32Array(capacity * width);
    this.dones = new Uint8Array(capacity);
  }

  get size(): number {
    return this.stored;
  }

  /** Stores a transition, over the oldest when full. */
  push(observation: Float32Array, action: number, reward: number, next: Float32Array, done: boolean): void {
    const slot = this.position;
    this.observations.set(observation, slot * this.width);
    this.actions[slot] = action;
    this.rewards[slot] = reward;
    this.next.set(next, slot * this.width);
    this.dones[slot] = done ? 1 : 0;
    this.position = (slot + 1) % this.capacity;
    this.stored = Math.min(this.stored + 1, this.capacity);
  }

  /** `count` distinct stored transitions (count ≤ size), chosen uniformly with `random`. */
  sample(count: number, random: () => number): ReplayBatch {
    if (count > this.stored) throw new Error(`cannot sample ${count} of ${this.stored} transitions`);
    const w = this.width;
    const batch: ReplayBatch = {
      observations: new Float32Array(count * w),
      actions: new Int32Array(count),
      rewards: new Float32Array(count),
      next: new Float32Array(count * w),
      dones: new Uint8Array(count),
    };
    distinctIndexes(count, this.stored, random).forEach((slot, i) => {
      batch.observations.set(this.observations.subarray(slot * w, slot * w + w), i * w);
      batch.actions[i] = this.actions[slot] as number;
      batch.rewards[i] = this.rewards[slot] as number;
      batch.next.set(this.next.subarray(slot * w, slot * w + w), i * w);
      batch.dones[i] = this.dones[slot] as number;
    });
    return batch;
  }
}

/** `count` distinct integers in [0, n), uniformly (Floyd's algorithm: exactly `count` draws). */
function distinctIndexes(count: number, n: number, random: () => number): number[] {
  const chosen = new Set<number>();
  for (let j = n - count; j < n; j++) {
    const t = Math.floor(random() * (j + 1));
    chosen.add(chosen.has(t) ? j : t);
  }
  return [...chosen];
}
