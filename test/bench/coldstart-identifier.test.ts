import { afterEach, describe, expect, it } from 'vitest';
import { coldstartIdentifier } from '../../src/bench/experiments/coldstart-identifier.js';
import { type ReclaimingLab, startReclaimingLab } from './reclaiming-lab.js';

/** coldstart-identifier against a fake platform that reclaims an instance idle 437 s or more. */
let platform: ReclaimingLab | undefined;
afterEach(() => platform?.close());

const instanceOf = (ctx: {
  bench: { invocations: { identifier: string; instance_identifier?: unknown }[] };
}) => new Map(ctx.bench.invocations.map((r) => [r.identifier, String(r.instance_identifier)]));

describe('coldstart-identifier', () => {
  it("keeps the reference's parameters as defaults", () => {
    expect(coldstartIdentifier.params.parse({})).toEqual({
      function_name: 'function1',
      steps: [300, 60, 10],
      confirmations: 5,
      max_seconds: 86_400,
    });
  });

  it('searches 300 → 60 → 10 s by identity and writes a Coldstart row per probe, final on a confirmed change', async () => {
    platform = await startReclaimingLab({ reclaimSeconds: 437 });
    const ctx = platform.context();
    const p = coldstartIdentifier.params.parse({});
    await coldstartIdentifier.prepare?.(ctx, p);
    await coldstartIdentifier.run(ctx, p);

    // The coldtime (the provider cannot force), then each probe's idle time: the first call only
    // sets the identity, and no time passes during a call, so each wait is the idle time itself.
    expect(ctx.time.waits).toEqual([1200, 300, 600, 360, 420, 480, 430, 440, 440, 440, 440, 440, 440]);
    expect(platform.lab.calls).toHaveLength(13);
    expect(platform.lab.calls.every((c) => c.fn === 'function1')).toBe(true);

    const rows = ctx.recorded.get('Coldstart') ?? [];
    expect(rows.map((r) => [r.minutes, r.seconds, r.granularity, r.cold, r.final])).toEqual([
      [5, 0, 300, false, false],
      [10, 0, 300, true, false], // a new instance: back to 300, on by 60
      [6, 0, 60, false, false],
      [7, 0, 60, false, false],
      [8, 0, 60, true, false], // back to 420, on by 10
      [7, 10, 10, false, false],
      [7, 20, 10, true, false], // the candidate: 440 s
      [7, 20, 10, true, false],
      [7, 20, 10, true, false],
      [7, 20, 10, true, false],
      [7, 20, 10, true, false],
      [7, 20, 10, true, true],
    ]);
    for (const row of rows) expect(row).toMatchObject({ threads: 1, benchmark: 0 });

    // invo_id is the probe call's Invocation identifier (the reference's first-stage row put an
    // instance_identifier there), the calls after the identity-setting first one.
    expect(rows.map((r) => r.invo_id)).toEqual(Array.from({ length: 12 }, (_, i) => `function1-${i + 2}`));
    const instances = instanceOf(ctx);
    expect(rows.map((r) => instances.get(String(r.invo_id))?.replace('function1-instance-', ''))).toEqual([
      '1',
      '2',
      '2',
      '2',
      '3',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
    ]);

    // final marks a change of identity (the reference recorded it when the identifier was
    // unchanged): the final call's instance is not the one of the call before it.
    const final = rows.at(-1);
    expect(instances.get(String(final?.invo_id))).toBe('function1-instance-9');
    expect(instances.get('function1-12')).toBe('function1-instance-8');
    expect(coldstartIdentifier.process?.(ctx.recorded, p)).toEqual({
      idle_seconds: 440,
      confirmed: true,
      probes: 12,
    });
  });

  it('an unchanged identity during confirmation is warm: +10 s and the count starts again, no final until it changes 5 times in a row', async () => {
    // An instance idle 440 s survives once (the 8th call), as a platform reaping on a period might.
    let call = 0;
    platform = await startReclaimingLab({ reclaimSeconds: 437 });
    const ctx = platform.context({ force: true });
    const p = coldstartIdentifier.params.parse({});
    const probe = ctx.bench.invoke.bind(ctx.bench);
    ctx.bench.invoke = async (fn, args) => {
      call++;
      const result = await probe(fn, args);
      // The 9th call (the first confirmation at 440 s) answered by the instance before.
      if (call === 9 && result.ok && result.rows[0])
        result.rows[0].instance_identifier = 'function1-instance-4';
      return result;
    };
    await coldstartIdentifier.prepare?.(ctx, p);
    await coldstartIdentifier.run(ctx, p);
    expect(platform.forced).toEqual(['function1']);
    const rows = ctx.recorded.get('Coldstart') ?? [];
    const confirms = rows.slice(7).map((r) => [Number(r.minutes) * 60 + Number(r.seconds), r.cold, r.final]);
    expect(confirms).toEqual([
      [440, false, false],
      [450, true, false],
      [450, true, false],
      [450, true, false],
      [450, true, false],
      [450, true, true],
    ]);
    expect(rows.filter((r) => r.final)).toHaveLength(1);
  });
});
