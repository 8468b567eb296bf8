import { afterEach, describe, expect, it } from 'vitest';
import { coldstartIdentifierNested } from '../../src/bench/experiments/coldstart-identifier-nested.js';
import { type ReclaimingLab, startReclaimingLab } from './reclaiming-lab.js';

/**
 * coldstart-identifier-nested against a fake platform on which function3 (the nested function) is
 * reclaimed after 437 s idle and function2 (the root) never: only the nested entry's identity
 * can tell.
 */
let platform: ReclaimingLab | undefined;
afterEach(() => platform?.close());

const DEFAULTS = coldstartIdentifierNested.params.parse({});

describe('coldstart-identifier-nested', () => {
  it("keeps the reference's parameters as defaults", () => {
    expect(DEFAULTS).toEqual({
      function_name: 'function2',
      nested_function: 'function3',
      steps: [60, 20],
      confirmations: 5,
      max_seconds: 86_400,
    });
  });

  it("searches 60 → 20 s (two stages) by the nested entry's identity, final on a confirmed change", async () => {
    platform = await startReclaimingLab({ reclaimSeconds: { function3: 437 } });
    const ctx = platform.context();
    await coldstartIdentifierNested.prepare?.(ctx, DEFAULTS);
    await coldstartIdentifierNested.run(ctx, DEFAULTS);

    // The cold wait, then the probes' idle times (60 … 480, then 440 × 6), waited at most 20 s
    // (the finest step) at a time with a call of the caller alone in between, which keeps it warm.
    const [coldWait, ...idle] = ctx.time.waits;
    expect(coldWait).toBe(1200);
    expect(Math.round(idle.reduce((a, b) => a + b, 0))).toBe(
      60 + 120 + 180 + 240 + 300 + 360 + 420 + 480 + 6 * 440,
    );
    expect(Math.max(...idle)).toBeLessThanOrEqual(20.5);
    const probes = platform.lab.calls.filter((c) => c.body.invoke_nested);
    const keepWarm = platform.lab.calls.filter((c) => !c.body.invoke_nested);
    expect(probes).toHaveLength(15);
    for (const call of probes)
      expect(call).toMatchObject({
        fn: 'function2',
        body: { invoke_nested: [{ function_name: 'function3', invoke_payload: {} }] },
      });
    expect(keepWarm.length).toBeGreaterThan(200);
    for (const call of keepWarm) expect(call).toMatchObject({ fn: 'function2', body: {} });
    // The root kept its one instance all along; the nested one started 8 instances (the first call, 480 s, 440 s × 6).
    expect(platform.starts.get('function2')).toBe(1);
    expect(platform.starts.get('function3')).toBe(8);

    const rows = ctx.recorded.get('Coldstart') ?? [];
    expect(
      rows.map((r) => [Number(r.minutes) * 60 + Number(r.seconds), r.granularity, r.cold, r.final]),
    ).toEqual([
      ...[60, 120, 180, 240, 300, 360, 420].map((idle) => [idle, 60, false, false]),
      [480, 60, true, false], // back to 420, on by 20
      [440, 20, true, false], // the candidate
      ...Array.from({ length: 4 }, () => [440, 20, true, false]),
      [440, 20, true, true],
    ]);
    for (const row of rows) expect(row).toMatchObject({ threads: 1, benchmark: 0 });
    // invo_id: the nested entry's identifier of each probe call (the calls after the first).
    expect(rows.map((r) => r.invo_id)).toEqual(
      probes.slice(1).map((c) => `function3-function2-${c.total}-0`),
    );
    const instance = new Map(ctx.bench.invocations.map((r) => [r.identifier, r.instance_identifier]));
    expect(instance.get(String(rows.at(-1)?.invo_id))).toBe('function3-instance-8');
    expect(instance.get(String(rows.at(-2)?.invo_id))).toBe('function3-instance-7');
    expect(coldstartIdentifierNested.process?.(ctx.recorded, DEFAULTS)).toEqual({
      idle_seconds: 440,
      confirmed: true,
      probes: 14,
    });
  });

  it('forces both functions cold where the provider can', async () => {
    platform = await startReclaimingLab({ reclaimSeconds: 437 });
    const ctx = platform.context({ force: true });
    await coldstartIdentifierNested.prepare?.(ctx, DEFAULTS);
    expect(platform.forced).toEqual(['function3', 'function2']);
    expect(ctx.time.waits).toEqual([]);
  });
});
