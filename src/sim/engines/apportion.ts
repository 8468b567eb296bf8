/**
 * `total` (an integer ≥ 0) split in proportion to `weights` (≥ 0, some > 0) into integers that sum
 * to it exactly: each gets the floor of its share, and the units left go to the largest remainders
 * (ties to the earlier entry). So no request is lost to rounding, as the framework's int() loses them.
 */
export function largestRemainder(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((s, w) => s + w, 0);
  if (sum <= 0) throw new RangeError('largestRemainder needs a weight > 0');
  const exact = weights.map((w) => (total * w) / sum);
  const out = exact.map(Math.floor);
  let left = total - out.reduce((s, n) => s + n, 0);
  const order = exact
    .map((x, i) => [x - Math.floor(x), i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left <= 0) break;
    out[i] = (out[i] as number) + 1;
    left--;
  }
  return out;
}
