/** Python's rounding, which the simulation framework's numbers go through: round(x) and round(x, digits). */

/** Python's round(x) to an integer: the nearest, an exact half to the even one (2.5 → 2, 3.5 → 4). */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor; // exact for every double with a fractional part
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * Python's `round(x, digits)` for floats, which the simulation framework applies to its margins and
 * weights: the decimal with `digits` places nearest to x's exact binary value, an exact tie going
 * to the even last digit, read back as the nearest double. `Math.round(x * 10^d) / 10^d` differs
 * (the product is itself rounded, and ties go up): round(0.03125, 4) is 0.0312 in Python, a weight
 * of 1 request in 32.
 */
export function pyRound(x: number, digits: number): number {
  // toFixed switches to exponent notation from 1e21; such floats have no fractional part anyway.
  if (!Number.isFinite(x) || Math.abs(x) >= 1e21) return x;
  const a = Math.abs(x);
  // toFixed rounds the exact binary value to nearest, ties up: right everywhere but on exact ties.
  let rounded = a.toFixed(digits);
  if (isExactTie(a, digits)) {
    const down = truncate(a, digits);
    if (Number(down.at(-1)) % 2 === 0) rounded = down;
  }
  const y = Number(rounded);
  return x < 0 ? -y : y;
}

/** Whether a ≥ 0 is exactly halfway between two decimals of `digits` places. */
function isExactTie(a: number, digits: number): boolean {
  const scaled = a * 10 ** digits;
  // Cheap rejection: far from a half, it cannot be one (below 1e9, the product's error is far
  // below 1e-6; the framework rounds weights and margins, which stay below a few hundred).
  if (Math.abs(scaled - Math.floor(scaled) - 0.5) > 1e-6) return false;
  // A tie has exactly digits + 1 decimals, its last a 5; toFixed(100) gives a double's full expansion
  // far enough to see any other digit behind it.
  const tail = a.toFixed(100).split('.')[1]?.slice(digits) ?? '';
  return /^50*$/.test(tail);
}

/** a ≥ 0 cut (not rounded) to `digits` places, as a decimal string. */
function truncate(a: number, digits: number): string {
  const [int, frac = ''] = a.toFixed(100).split('.');
  return digits === 0 ? `${int}` : `${int}.${frac.slice(0, digits)}`;
}
