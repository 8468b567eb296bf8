import { afterEach, describe, expect, it } from 'vitest';
import type { InvocationRow } from '../../src/bench/benchmarker.js';
import {
  chainArgs,
  chainLinkSummaries,
  chainLinks,
  goColdAll,
  recordChainCall,
  summariseLinks,
} from '../../src/bench/experiments/chains.js';
import { type LabStandIn, labContext, startLabStandIn } from './lab-stand-in.js';

let lab: LabStandIn | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

/** A chain call's rows: the client called at 100; each link sleeps and spins before calling on. */
const rows = [
  {
    identifier: 'a',
    root_identifier: 'a',
    parent: 'root',
    level: 0,
    function_name: 'function1',
    invocation_start: 100,
    execution_start: 100.5,
    sleep: 0,
    throughput_running_time: null,
    is_cold: true,
  },
  {
    identifier: 'c',
    root_identifier: 'a',
    parent: 'b',
    level: 2,
    function_name: 'function3',
    invocation_start: 100,
    execution_start: 102.5,
    sleep: 0,
    throughput_running_time: 1,
    is_cold: true,
  },
  {
    identifier: 'b',
    root_identifier: 'a',
    parent: 'a',
    level: 1,
    function_name: 'function2',
    invocation_start: 100,
    execution_start: 100.6,
    sleep: 0.2,
    throughput_running_time: 1,
    is_cold: false,
  },
];

describe('chains', () => {
  it("nests each link's payload and the next call in the one before, as the reference's chains", () => {
    expect(chainArgs(['function1', 'function2', 'function3'], { throughput_time: 1 })).toEqual({
      invoke_nested: [
        {
          function_name: 'function2',
          invoke_payload: {
            throughput_time: 1,
            invoke_nested: [{ function_name: 'function3', invoke_payload: { throughput_time: 1 } }],
          },
        },
      ],
    });
    expect(chainArgs(['function1', 'function2'])).toEqual({
      invoke_nested: [{ function_name: 'function2', invoke_payload: {} }],
    });
    expect(chainArgs(['function1'])).toEqual({});
  });

  it("a link's hop runs from its caller being ready (its start + sleep + busy loop) to its start", () => {
    const links = chainLinks(rows);
    expect(links.map((l) => [l.position, l.function_name, l.is_cold])).toEqual([
      [0, 'function1', true],
      [1, 'function2', false],
      [2, 'function3', true],
    ]);
    // root: 100.5 − 100; function2: 100.6 − 100.5; function3: 102.5 − (100.6 + 0.2 + 1).
    expect(links.map((l) => l.hop)).toEqual([0.5, expect.closeTo(0.1, 9), expect.closeTo(0.7, 9)]);
    expect(links.map((l) => l.offset)).toEqual([0.5, expect.closeTo(0.6, 9), 2.5]);
  });

  it('summarises each position over the calls: cold count, median hops, the weakest link', () => {
    const links = chainLinks(rows);
    const warm = links.map((l) => ({ ...l, is_cold: false, hop: 0.01 }));
    const summary = summariseLinks('function1>function2>function3', [links, warm, warm]);
    expect(summary.calls).toBe(3);
    expect(summary.weakest).toBe('function1');
    expect(summary.links[2]).toEqual({
      position: 2,
      function_name: 'function3',
      calls: 3,
      cold: 1,
      median_hop: 0.01,
      median_hop_warm: 0.01,
      median_hop_cold: expect.closeTo(0.7, 9),
    });
    expect(summary.links[1]?.median_hop_cold).toBeNull();
  });

  it('records a Chain_link row per link of a successful call (none for a failed one), and summarises them by chain', async () => {
    lab = await startLabStandIn();
    const ctx = labContext(lab);
    const ok = (r: typeof rows) => ({ ok: true as const, rows: r as unknown as InvocationRow[] });
    recordChainCall(ctx, ok(rows), (link) => ({ hot: 1, prewarmed: link.position < 1 }));
    recordChainCall(ctx, ok(rows.slice(0, 1).map((r) => ({ ...r, identifier: 'x', root_identifier: 'x' }))));
    recordChainCall(ctx, {
      ok: false,
      error: {
        function_name: 'function1',
        invocation_start: 0,
        invocation_end: 0,
        thread_id: 0,
        numb_threads: 1,
        retries: 0,
        type: 'http 500',
        message: '',
      },
    });
    const recorded = ctx.recorded.get('Chain_link') ?? [];
    expect(recorded[1]).toEqual({
      invo_id: 'b',
      root_identifier: 'a',
      chain: 'function1>function2>function3',
      link: 1,
      function_name: 'function2',
      is_cold: false,
      start_offset: expect.closeTo(0.6, 9),
      hop: expect.closeTo(0.1, 9),
      hot: 1,
      prewarmed: false,
    });
    expect(recorded).toHaveLength(4);
    expect(chainLinkSummaries(recorded).map((c) => [c.chain, c.calls, c.weakest])).toEqual([
      ['function1>function2>function3', 1, 'function3'],
      ['function1', 1, 'function1'],
    ]);
  });

  it('forces every function cold where the provider can, else waits the coldtime once for all', async () => {
    lab = await startLabStandIn();
    const forced = labContext(lab);
    expect(await goColdAll(forced, ['function1', 'function2', 'function1'])).toBe(0);
    expect(lab.forced).toEqual(['function1', 'function2']);
    const waiting = labContext(lab, { cold: 'wait', coldtimeSeconds: 600 });
    expect(await goColdAll(waiting, ['function1', 'function2', 'function3'])).toBe(600);
    expect(waiting.time.waits).toEqual([600]);
    expect(lab.forced).toHaveLength(2);
  });
});
