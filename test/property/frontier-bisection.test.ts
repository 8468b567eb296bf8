import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type FrontierSegment, midpoint, narrow } from '../../src/sampler/frontier.js';
import { runs } from '../helpers/property.js';

/**
 * Frontier refinement's bisection (src/sampler/frontier.ts): whatever the ends, the step and the
 * node's verdicts, it ends, within about log2(gap / step) + 1 runs, and every configuration it
 * runs lies between the ends, on the step grid of the lower end, and is run once.
 */
const rate = fc.integer({ min: 0, max: 400 });

describe('frontier bisection', () => {
  it('ends, runs each configuration once, between the ends and on the step grid', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(rate, rate), { minLength: 1, maxLength: 3 }),
        fc.constantFrom(1, 2.5, 5, 10, 30),
        fc.infiniteStream(fc.boolean()),
        (pairs, step, verdicts) => {
          const names = pairs.map((_, i) => `f${i}`);
          const below = Object.fromEntries(pairs.map(([a, b], i) => [names[i], Math.min(a, b)]));
          const above = Object.fromEntries(pairs.map(([a, b], i) => [names[i], Math.max(a, b)]));
          const widest = Math.max(...names.map((n) => (above[n] as number) - (below[n] as number)));
          const bound = Math.ceil(Math.log2(Math.max(1, widest / step))) + 2;
          let segment: FrontierSegment = { below, above };
          const seen = new Set<string>();
          const overloaded = verdicts[Symbol.iterator]();
          for (let mid = midpoint(segment, step); mid; mid = midpoint(segment, step)) {
            const key = JSON.stringify(mid);
            expect(seen.has(key)).toBe(false);
            seen.add(key);
            expect(seen.size).toBeLessThanOrEqual(bound);
            for (const n of names) {
              const m = mid[n] as number;
              expect(m).toBeGreaterThanOrEqual(below[n] as number);
              expect(m).toBeLessThanOrEqual(above[n] as number);
              const steps = (m - (below[n] as number)) / step;
              expect(Math.abs(steps - Math.round(steps)) < 1e-6 || m === above[n]).toBe(true);
            }
            segment = narrow(segment, mid, overloaded.next().value as boolean);
          }
          // Refined: no rate of the ends is more than a step apart, or the ends are the same.
          const gaps = names.map((n) => (segment.above[n] as number) - (segment.below[n] as number));
          expect(gaps.every((g) => g <= step + 1e-9) || midpoint(segment, step) === undefined).toBe(true);
        },
      ),
      runs(300),
    );
  });
});
