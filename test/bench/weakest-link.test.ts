import { afterEach, describe, expect, it } from 'vitest';
import { weakestLink, weakestLinkRounds } from '../../src/bench/experiments/weakest-link.js';
import { type LabStandIn, labContext, startLabStandIn } from './lab-stand-in.js';

let lab: LabStandIn | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

const DEFAULTS = weakestLink.params.parse({});
const CHAIN = ['function1', 'function2', 'function3', 'monolith'];
const REVERSED = [...CHAIN].reverse();

/** The client's calls, one list per iteration (each ends with the chain call). */
function iterations(calls: LabStandIn['calls']): { fn: string; body: Record<string, unknown> }[][] {
  const out: { fn: string; body: Record<string, unknown> }[][] = [[]];
  for (const c of calls.filter((c) => c.from === 'client')) {
    (out.at(-1) as { fn: string; body: Record<string, unknown> }[]).push(c);
    if (c.body.invoke_nested) out.push([]);
  }
  return out.slice(0, -1);
}

describe('weakest-link', () => {
  it("keeps the reference's parameters as defaults", () => {
    expect(DEFAULTS).toEqual({
      function_names: CHAIN,
      throughput_time: 1,
      hot: [0, 1, 2, 3, 4],
      iterations: 5,
      reversed_hot: 1,
    });
    expect(weakestLinkRounds(DEFAULTS)).toEqual([
      ...[0, 1, 2, 3, 4].map((hot) => ({ chain: CHAIN, hot })),
      { chain: REVERSED, hot: 1 },
    ]);
    expect(weakestLink.params.safeParse({ hot: '0,5' }).success).toBe(false);
    expect(weakestLink.params.safeParse({ hot: '1.5' }).success).toBe(false);
  });

  it('for each hot: goes cold, pre-warms the first `hot` links, calls the chain; 5 times; then reversed with hot 1', async () => {
    lab = await startLabStandIn();
    const ctx = labContext(lab);
    await weakestLink.run(ctx, DEFAULTS);
    const its = iterations(lab.calls);
    expect(its).toHaveLength(30);
    // Every function of the chain forced cold before each of the 30 iterations.
    expect(lab.forced).toEqual([...Array(25).fill(CHAIN).flat(), ...Array(5).fill(REVERSED).flat()]);
    expect(ctx.time.waits).toEqual([]);
    const expected = [
      ...[0, 1, 2, 3, 4].flatMap((hot) => Array(5).fill([...CHAIN.slice(0, hot), 'function1'])),
      ...Array(5).fill(['monolith', 'monolith']),
    ];
    expect(its.map((it) => it.map((c) => c.fn))).toEqual(expected);
    // Pre-warming calls carry nothing; the chain call holds the chain, 1 s of work per nested link
    // at the run's time scale (1000), and the root does none (as the reference's).
    const chainCall = its[0]?.at(-1)?.body;
    const link = (fn: string, rest: Record<string, unknown> = {}) => ({
      function_name: fn,
      invoke_payload: { throughput_time: 0.001, ...rest },
    });
    expect(chainCall).toEqual({
      invoke_nested: [
        link('function2', { invoke_nested: [link('function3', { invoke_nested: [link('monolith')] })] }),
      ],
    });
    expect(its[20]?.slice(0, -1).map((c) => c.body)).toEqual([{}, {}, {}, {}]);
  });

  it('pins the fix: hot = 2 warms function1 and function2 (the reference called function1 twice)', async () => {
    lab = await startLabStandIn();
    const ctx = labContext(lab);
    await weakestLink.run(ctx, weakestLink.params.parse({ hot: [2], iterations: 1, reversed_hot: 0 }));
    expect(iterations(lab.calls)[0]?.map((c) => c.fn)).toEqual(['function1', 'function2', 'function1']);
    const rows = (ctx.recorded.get('Chain_link') ?? []).filter((r) => r.hot === 2);
    // Only the links the chain call reached cold are cold: function3 and monolith.
    expect(rows.map((r) => [r.function_name, r.prewarmed, r.is_cold])).toEqual([
      ['function1', true, false],
      ['function2', true, false],
      ['function3', false, true],
      ['monolith', false, true],
    ]);
  });

  it('writes a Chain_link row per link of each chain call, and summarises each round', async () => {
    lab = await startLabStandIn();
    const ctx = labContext(lab);
    await weakestLink.run(ctx, DEFAULTS);
    const rows = ctx.recorded.get('Chain_link') ?? [];
    expect(rows).toHaveLength(30 * 4);
    for (const r of rows) {
      expect(r.prewarmed).toBe(Number(r.link) < Number(r.hot));
      expect(r.is_cold).toBe(!r.prewarmed);
      // Whole-millisecond clocks: an in-process hop may read a little below 0.
      expect(Number(r.hop)).toBeGreaterThan(-0.005);
      expect(Object.keys(r).sort()).toEqual(
        [
          'invo_id',
          'root_identifier',
          'chain',
          'hot',
          'iteration',
          'link',
          'function_name',
          'prewarmed',
          'is_cold',
          'start_offset',
          'hop',
        ].sort(),
      );
    }
    expect(rows.slice(-4).map((r) => [r.chain, r.hot, r.iteration, r.link, r.function_name])).toEqual(
      REVERSED.map((fn, i) => ['monolith>function3>function2>function1', 1, 4, i, fn]),
    );
    // Every link's entry is an invocation row too, besides the pre-warming calls'.
    const ids = new Set(ctx.bench.invocations.map((r) => r.identifier));
    expect(rows.every((r) => ids.has(String(r.invo_id)))).toBe(true);
    expect(ctx.bench.invocations).toHaveLength(30 * 4 + 5 * (0 + 1 + 2 + 3 + 4) + 5);

    const summary = weakestLink.process?.(ctx.recorded, DEFAULTS) as {
      chain_calls: number;
      rounds: { chain: string; hot: number; calls: number; links: { cold: number }[]; weakest: string }[];
    };
    expect(summary.chain_calls).toBe(30);
    expect(summary.rounds.map((r) => [r.chain, r.hot, r.calls])).toEqual([
      ...[0, 1, 2, 3, 4].map((hot) => ['function1>function2>function3>monolith', hot, 5]),
      ['monolith>function3>function2>function1', 1, 5],
    ]);
    expect(summary.rounds.map((r) => r.links.map((l) => l.cold))).toEqual([
      [5, 5, 5, 5],
      [0, 5, 5, 5],
      [0, 0, 5, 5],
      [0, 0, 0, 5],
      [0, 0, 0, 0],
      [0, 5, 5, 5],
    ]);
    for (const r of summary.rounds) expect(CHAIN).toContain(r.weakest);
  });

  it('waits the coldtime once per iteration where cold starts cannot be forced', async () => {
    lab = await startLabStandIn();
    const ctx = labContext(lab, { cold: 'wait' });
    await weakestLink.run(ctx, DEFAULTS);
    expect(ctx.time.waits).toEqual(Array(30).fill(1200));
    expect(lab.forced).toEqual([]);
  });

  it('a failed chain call is an Error row and the iteration goes on', async () => {
    let chainCalls = 0;
    lab = await startLabStandIn({
      tamper: (fn, answer) => {
        if (fn === 'function1' && Object.keys(answer).length > 2 && ++chainCalls === 3)
          throw new Error('broken');
        return answer;
      },
    });
    const ctx = labContext(lab);
    await weakestLink.run(ctx, weakestLink.params.parse({ hot: [0], iterations: 5, reversed_hot: 0 }));
    expect(ctx.bench.errors.map((e) => [e.function_name, e.type])).toEqual([['function1', 'http 500']]);
    const rows = (ctx.recorded.get('Chain_link') ?? []).filter((r) =>
      String(r.chain).startsWith('function1'),
    );
    expect([...new Set(rows.map((r) => r.iteration))]).toEqual([0, 1, 3, 4]);
  });
});
