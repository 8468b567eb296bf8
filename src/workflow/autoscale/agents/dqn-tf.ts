/**
 * TensorFlow.js for the DQN, on its pure-JavaScript CPU backend (never tfjs-node: no native
 * build). Import `tf` from here, not from '@tensorflow/tfjs', so the backend is chosen and the
 * banner silenced before any tensor exists.
 *
 * The CPU backend prints "Hi, looks like you are running TensorFlow.js in Node.js…" on its first
 * tensor write, and only when the IS_NODE flag is set. That first write is made here with the flag
 * off for its duration, then the flag is put back (tfjs's platform code reads it). Other tfjs
 * warnings are untouched.
 */
import * as tf from '@tensorflow/tfjs';

// The CPU backend initialises synchronously, so it is active when setBackend returns its promise.
void tf.setBackend('cpu');
const isNode = tf.env().getBool('IS_NODE');
tf.env().set('IS_NODE', false);
tf.scalar(0).dispose();
tf.env().set('IS_NODE', isNode);

export { tf };
