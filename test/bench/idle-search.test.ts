import { describe, expect, it } from 'vitest';
import {
  COLDSTART_IDENTIFIER_STEPS,
  type IdleProbe,
  SIMPLE_COLD_FUNCTION_STEPS,
  searchIdleTime,
} from '../../src/bench/experiments/idle-search.js';

/** A platform that reclaims an instance idle for `reclaimSeconds` or more: a stand-in probe, no waiting. */
const reclaimsAfter =
  (reclaimSeconds: number): IdleProbe =>
  async (idle) =>
    idle >= reclaimSeconds;

const options = { confirmations: 5, maxSeconds: 24 * 3600 };

describe('the idle-time search (simple-cold-function, coldstart-identifier)', () => {
  it('walks 300 s steps, then back one and 60 s, then back one and 20 s, and confirms 5 times', async () => {
    const result = await searchIdleTime(reclaimsAfter(437), {
      ...options,
      stepsSeconds: SIMPLE_COLD_FUNCTION_STEPS,
    });
    expect(result.probes.map((p) => [p.phase, p.idleSeconds, p.cold])).toEqual([
      ['search', 300, false],
      ['search', 600, true], // cold: back to 300, on by 60
      ['search', 360, false],
      ['search', 420, false],
      ['search', 480, true], // cold: back to 420, on by 20
      ['search', 440, true], // cold at the finest step: the candidate
      ...Array.from({ length: 5 }, () => ['confirm', 440, true]),
    ]);
    expect(result).toMatchObject({ idleSeconds: 440, confirmed: true });
    // Within one finest step of the platform's reclaim time, for any reclaim time.
    for (const reclaim of [1, 59, 300, 301, 1199, 1200, 3601])
      for (const steps of [SIMPLE_COLD_FUNCTION_STEPS, COLDSTART_IDENTIFIER_STEPS]) {
        const found = await searchIdleTime(reclaimsAfter(reclaim), { ...options, stepsSeconds: steps });
        expect(found.confirmed, `${reclaim} s`).toBe(true);
        expect(found.idleSeconds - reclaim, `${reclaim} s with ${steps.join('/')}`).toBeGreaterThanOrEqual(0);
        expect(found.idleSeconds - reclaim).toBeLessThan(steps[steps.length - 1] as number);
      }
  });

  it('moves up one finest step when a confirmation is warm, and starts counting again', async () => {
    // A platform that reclaims at 440 s once in three times (a periodic reaper), then at 460 s.
    let calls = 0;
    const flaky: IdleProbe = async (idle) => {
      calls++;
      return idle >= 460 || (idle >= 440 && calls === 6);
    };
    const result = await searchIdleTime(flaky, { ...options, stepsSeconds: SIMPLE_COLD_FUNCTION_STEPS });
    const confirms = result.probes.filter((p) => p.phase === 'confirm');
    expect(confirms.map((p) => [p.idleSeconds, p.cold])).toEqual([
      [440, false],
      [460, true],
      [460, true],
      [460, true],
      [460, true],
      [460, true],
    ]);
    expect(result).toMatchObject({ idleSeconds: 460, confirmed: true });
  });

  it('gives up past the longest idle time (24 h), unconfirmed', async () => {
    const never: IdleProbe = async () => false;
    const result = await searchIdleTime(never, {
      confirmations: 5,
      maxSeconds: 1000,
      stepsSeconds: [300, 60],
    });
    expect(result).toMatchObject({ confirmed: false, idleSeconds: 1200 });
    expect(result.probes.map((p) => p.idleSeconds)).toEqual([300, 600, 900]);
    await expect(searchIdleTime(never, { ...options, stepsSeconds: [] })).rejects.toThrow(RangeError);
  });

  it('gives up with the probes it has when its time is out', async () => {
    let now = 0;
    const found = await searchIdleTime(
      async (idle) => {
        now += idle;
        return false;
      },
      {
        stepsSeconds: [300, 60, 10],
        confirmations: 5,
        maxSeconds: 86_400,
        outOfTime: (idle) => now + idle > 3600,
      },
    );
    // 300 + 600 + 900 + 1200 = 3000 s of probes; the next (1500 s) would end past 3600 s.
    expect(found).toMatchObject({ confirmed: false, idleSeconds: 1500 });
    expect(found.probes.map((p) => p.idleSeconds)).toEqual([300, 600, 900, 1200]);
  });
});
