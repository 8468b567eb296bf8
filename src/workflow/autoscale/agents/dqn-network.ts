/**
 * The DQN's Q-network: a multilayer perceptron, inputs → hidden ReLU layers → one linear output
 * per action, held as tfjs variables. Weights travel as plain arrays (DenseWeights) in the model
 * file and between the online and target networks.
 */
import { seededRandom } from '../../../core/random.js';
import { tf } from './dqn-tf.js';

/** One dense layer, y = x·kernel + bias, as JSON. */
export interface DenseWeights {
  /** [inputs, units]. */
  shape: [number, number];
  /** inputs × units values, row-major (kernel[i·units + j] joins input i to unit j). */
  kernel: number[];
  /** units values. */
  bias: number[];
}

/** A network's layers, input side first. */
export type NetworkWeights = DenseWeights[];

interface DenseLayer {
  kernel: tf.Variable;
  bias: tf.Variable;
}

/**
 * Fresh weights for layer sizes [inputs, ...hidden, outputs], drawn from `seed` as PyTorch's
 * nn.Linear does by default (the reference's networks): every kernel and bias value uniform in
 * ±1/√inputs of its layer.
 */
export function initialWeights(sizes: readonly number[], seed: number): NetworkWeights {
  const random = seededRandom(seed);
  const uniform = (count: number, bound: number) =>
    Array.from({ length: count }, () => (2 * random() - 1) * bound);
  return layerShapes(sizes).map(([inputs, units]) => {
    const bound = 1 / Math.sqrt(inputs);
    return { shape: [inputs, units], kernel: uniform(inputs * units, bound), bias: uniform(units, bound) };
  });
}

/** The [inputs, units] of each layer of a network of these sizes. */
export function layerShapes(sizes: readonly number[]): [number, number][] {
  return sizes.slice(1).map((units, l) => [sizes[l] as number, units]);
}

export class QNetwork {
  private readonly layers: DenseLayer[];

  /** `weights` must have the shapes of the layers; `trainable` is false for a target network. */
  constructor(weights: NetworkWeights, trainable: boolean) {
    // tidy frees the initial-value tensors; the variables it made outlive it.
    this.layers = tf.tidy(() =>
      weights.map((w) => ({
        kernel: tf.variable(tf.tensor2d(w.kernel, w.shape), trainable),
        bias: tf.variable(tf.tensor1d(w.bias), trainable),
      })),
    );
  }

  /** The variables an optimiser updates. */
  get variables(): tf.Variable[] {
    return this.layers.flatMap((l) => [l.kernel, l.bias]);
  }

  /** Q-values [batch, actions] of inputs [batch, inputs]; call inside tf.tidy. */
  predict(inputs: tf.Tensor2D): tf.Tensor2D {
    let h: tf.Tensor2D = inputs;
    this.layers.forEach((layer, l) => {
      h = tf.add(tf.matMul(h, layer.kernel), layer.bias);
      if (l < this.layers.length - 1) h = tf.relu(h);
    });
    return h;
  }

  /** The weights as plain arrays (float32 values, exact through JSON). */
  weights(): NetworkWeights {
    return this.layers.map((l) => ({
      shape: l.kernel.shape as [number, number],
      kernel: Array.from(l.kernel.dataSync()),
      bias: Array.from(l.bias.dataSync()),
    }));
  }

  /** Replaces the weights (same shapes). */
  setWeights(weights: NetworkWeights): void {
    tf.tidy(() => {
      weights.forEach((w, l) => {
        const layer = this.layers[l] as DenseLayer;
        layer.kernel.assign(tf.tensor2d(w.kernel, w.shape));
        layer.bias.assign(tf.tensor1d(w.bias));
      });
    });
  }

  /** Polyak blend towards `source` (same shapes): θ ← τ·θ_source + (1 − τ)·θ. */
  blendFrom(source: QNetwork, tau: number): void {
    const from = source.variables;
    tf.tidy(() => {
      this.variables.forEach((v, i) => {
        v.assign(tf.add(tf.mul(from[i] as tf.Variable, tau), tf.mul(v, 1 - tau)));
      });
    });
  }

  dispose(): void {
    tf.dispose(this.variables);
  }
}
