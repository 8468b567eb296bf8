/**
 * The pieces of one DQN update, pure so they can be checked on worked cases: the Double DQN
 * targets, the Huber TD loss and the gradient-norm clip.
 */
import { tf } from './dqn-tf.js';
import { ACTION_COUNT, greedyAction } from './exploration.js';

/**
 * Double DQN targets y_i = r_i + γ·(1 − done_i)·Q_target(s′_i, argmax_a′ Q_online(s′_i, a′)): the
 * online network picks the next action, the target network values it, and an episode's last
 * step does not bootstrap. The Q arrays are rows of ACTION_COUNT values, one row per transition.
 */
export function doubleDqnTargets(
  rewards: ArrayLike<number>,
  dones: ArrayLike<number | boolean>,
  nextOnlineQ: ArrayLike<number>,
  nextTargetQ: ArrayLike<number>,
  gamma: number,
): Float32Array {
  const n = rewards.length;
  if (
    dones.length !== n ||
    nextOnlineQ.length !== n * ACTION_COUNT ||
    nextTargetQ.length !== n * ACTION_COUNT
  ) {
    throw new Error(`doubleDqnTargets: ${n} rewards need ${n} dones and ${n}×${ACTION_COUNT} Q-values`);
  }
  const targets = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const reward = rewards[i] as number;
    if (dones[i]) {
      targets[i] = reward;
    } else {
      const row = i * ACTION_COUNT;
      targets[i] = reward + gamma * (nextTargetQ[row + greedyAction(nextOnlineQ, row)] as number);
    }
  }
  return targets;
}

/**
 * The TD loss of a batch: the mean Huber loss (δ = 1, PyTorch's smooth_l1_loss) between each
 * row's Q-value of its action and its target.
 */
export function tdLoss(q: tf.Tensor2D, actions: ArrayLike<number>, targets: ArrayLike<number>): tf.Scalar {
  return tf.tidy(() => {
    const picked = Int32Array.from(
      { length: actions.length },
      (_, i) => i * ACTION_COUNT + (actions[i] as number),
    );
    const chosen = tf.gather(tf.reshape(q, [-1]), tf.tensor1d(picked, 'int32'));
    return tf.losses.huberLoss(
      tf.tensor1d(Float32Array.from(targets)),
      chosen,
      undefined,
      1,
      tf.Reduction.MEAN,
    );
  });
}

/**
 * Gradients scaled so their global L2 norm is at most `maxNorm`, as torch's clip_grad_norm_
 * (scale maxNorm / (norm + 1e-6) when below 1), in the list form an optimiser applies.
 */
export function clipByGlobalNorm(
  grads: tf.NamedTensorMap,
  maxNorm: number,
): { name: string; tensor: tf.Tensor }[] {
  return tf.tidy(() => {
    const squares = Object.values(grads).map((g) => tf.sum(tf.square(g)));
    const norm = tf.sqrt(tf.addN(squares));
    const scale = tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6)));
    return Object.entries(grads).map(([name, g]) => ({ name, tensor: tf.mul(g, scale) }));
  });
}
