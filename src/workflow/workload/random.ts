/**
 * Samplers over an injected uniform `() => number` in [0, 1) (src/core/random.ts `seededRandom`),
 * so a workload is the same for a seed. Our own rather than a package: of @stdlib only the
 * t-quantile's dependencies are installed (no @stdlib/random-base-*), and these three are short.
 * Each sampler draws a fixed number of uniforms per accepted try, so the order of draws is part
 * of a schedule's determinism.
 */

/** A uniform in [0, 1). */
export type Uniform = () => number;

/** Exponential with the given mean, by inversion (1 − u is in (0, 1], so the log is finite). */
export function exponential(rng: Uniform, mean: number): number {
  if (!(mean > 0)) throw new RangeError(`exponential: mean must be > 0, got ${mean}`);
  return -mean * Math.log(1 - rng());
}

/** Standard normal by Box–Muller (two uniforms, the second variate is dropped to keep no state). */
export function standardNormal(rng: Uniform): number {
  const radius = Math.sqrt(-2 * Math.log(1 - rng()));
  return radius * Math.cos(2 * Math.PI * rng());
}

/**
 * Gamma(shape, scale), mean shape·scale: Marsaglia & Tsang (2000), with their boost for
 * shape < 1: Gamma(shape) = Gamma(shape + 1) · U^(1/shape).
 */
export function gamma(rng: Uniform, shape: number, scale: number): number {
  if (!(shape > 0) || !(scale > 0)) {
    throw new RangeError(`gamma: shape and scale must be > 0, got ${shape}, ${scale}`);
  }
  if (shape < 1) return gamma(rng, shape + 1, scale) * rng() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = standardNormal(rng);
    const cube = 1 + c * x;
    if (cube <= 0) continue;
    const v = cube * cube * cube;
    const u = rng();
    // The squeeze accepts most draws without a logarithm.
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
      return d * v * scale;
    }
  }
}

/** Below this mean Knuth's product method is fast and exact; above it, PTRS. */
const PTRS_FROM_MEAN = 10;

/**
 * Poisson(mean). Exact at every mean: Knuth's product of uniforms below 10 (mean + 1 uniforms on
 * average), Hörmann's transformed rejection with squeeze (PTRS, 1993) from 10 up (about two
 * uniforms per draw, valid for any larger mean). A mean of 0 gives 0 and draws nothing.
 */
export function poisson(rng: Uniform, mean: number): number {
  if (!(mean >= 0) || !Number.isFinite(mean)) {
    throw new RangeError(`poisson: mean must be finite and >= 0, got ${mean}`);
  }
  if (mean === 0) return 0;
  return mean < PTRS_FROM_MEAN ? poissonByProduct(rng, mean) : poissonPtrs(rng, mean);
}

function poissonByProduct(rng: Uniform, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let product = rng();
  while (product > limit) {
    k++;
    product *= rng();
  }
  return k;
}

function poissonPtrs(rng: Uniform, mean: number): number {
  const logMean = Math.log(mean);
  const b = 0.931 + 2.53 * Math.sqrt(mean);
  const a = -0.059 + 0.02483 * b;
  const logInvAlpha = Math.log(1.1239 + 1.1328 / (b - 3.4));
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = rng() - 0.5;
    const v = rng();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + logInvAlpha - Math.log(a / (us * us) + b) <= -mean + k * logMean - logFactorial(k)) {
      return k;
    }
  }
}

/** ln k! exactly for small k, by Stirling's series (error < 1e-10) from k = 10. */
function logFactorial(k: number): number {
  if (k < SMALL_LOG_FACTORIALS.length) return SMALL_LOG_FACTORIALS[k] as number;
  const x = k + 1;
  const x2 = x * x;
  return (
    (x - 0.5) * Math.log(x) -
    x +
    0.5 * Math.log(2 * Math.PI) +
    (1 / 12 - (1 / 360 - 1 / (1260 * x2)) / x2) / x
  );
}

const SMALL_LOG_FACTORIALS: number[] = [0];
for (let k = 1; k < 10; k++) SMALL_LOG_FACTORIALS.push((SMALL_LOG_FACTORIALS[k - 1] as number) + Math.log(k));
