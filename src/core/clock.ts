/**
 * Time as an input. Strategies, the sampler's plan, the simulator and the agents take a Clock, so
 * a test (or the simulator's virtual time) decides what "now" is.
 */
export interface Clock {
  /** Wall-clock time, ms since the epoch: for timestamps people read and messages peers compare. */
  now(): number;
  /** Monotonic time, ms from an arbitrary origin: for durations, rates and deadlines. */
  monotonic(): number;
}

/** The machine's clocks. */
export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
};
