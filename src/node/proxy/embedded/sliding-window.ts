/** Milliseconds from some fixed origin, e.g. performance.now(); injected so tests control time. */
export type Clock = () => number;

export interface SlidingWindowOptions {
  /** Length of the window, in ms (default 1000). */
  windowMs?: number;
  /** How many buckets the window is cut into (default 10): the precision of its trailing edge. */
  buckets?: number;
  now?: Clock;
}

/**
 * Counts events over the last `windowMs`, in a ring of buckets. The count covers the current
 * (partial) bucket and the `buckets - 1` before it, so an event leaves the count between
 * windowMs - windowMs/buckets and windowMs after it happened. Constant memory and O(buckets) per
 * count, whatever the rate.
 */
export class SlidingWindow {
  private readonly bucketMs: number;
  private readonly now: Clock;
  private readonly counts: number[];
  /** The absolute bucket number (time / bucketMs) each slot of the ring holds. */
  private readonly epochs: number[];

  constructor({ windowMs = 1000, buckets = 10, now = () => performance.now() }: SlidingWindowOptions = {}) {
    if (!(windowMs > 0) || !Number.isInteger(buckets) || buckets < 1)
      throw new RangeError(`bad sliding window: ${windowMs} ms in ${buckets} buckets`);
    this.bucketMs = windowMs / buckets;
    this.now = now;
    this.counts = new Array<number>(buckets).fill(0);
    this.epochs = new Array<number>(buckets).fill(Number.NEGATIVE_INFINITY);
  }

  add(n = 1): void {
    const epoch = this.epoch();
    const slot = epoch % this.counts.length;
    if (this.epochs[slot] !== epoch) {
      this.epochs[slot] = epoch;
      this.counts[slot] = 0;
    }
    this.counts[slot] = (this.counts[slot] as number) + n;
  }

  count(): number {
    const oldest = this.epoch() - this.counts.length;
    let sum = 0;
    for (let i = 0; i < this.counts.length; i++)
      if ((this.epochs[i] as number) > oldest) sum += this.counts[i] as number;
    return sum;
  }

  private epoch(): number {
    return Math.floor(this.now() / this.bucketMs);
  }
}
