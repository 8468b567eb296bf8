import { describe, expect, it } from 'vitest';
import { HandlerInputError } from '../../../src/platform/functions/handler.js';
import {
  createLabFunction,
  LAB_FUNCTION_NAMES,
  type LabEntry,
  type LabFunctionName,
  type LabResponse,
  type LoopClock,
  type NestedInvoker,
  throughputLoop,
} from '../../../src/platform/functions/lab.js';

const noNestedCalls: NestedInvoker = async () => {
  throw new Error('no nested call expected');
};

/** A clock that advances 1 ms at each reading, and no CPU time: the loop's count is exact. */
function tickingClock(): LoopClock {
  let ms = 0;
  return { now: () => ms++ / 1000, cpu: () => 0 };
}

/** The lab functions in-process, calling each other as the gateway would call their replicas. */
function inProcessGateway(): NestedInvoker {
  const functions = new Map<string, (input: unknown) => Promise<LabResponse>>();
  const invoke: NestedInvoker = async (name, payload) => {
    const fn = functions.get(name);
    if (!fn) return { status: 404, body: `function ${name} not found` };
    try {
      return { status: 200, body: JSON.stringify(await fn(payload)) };
    } catch (err) {
      return { status: err instanceof HandlerInputError ? 400 : 500, body: (err as Error).message };
    }
  };
  for (const name of LAB_FUNCTION_NAMES) functions.set(name, createLabFunction(name, { invoke }));
  return invoke;
}

function rootEntry(response: LabResponse): LabEntry {
  return response[response.root_identifier] as LabEntry;
}

const call = (name: LabFunctionName, input: unknown) =>
  createLabFunction(name, { invoke: noNestedCalls })(input);

describe('lab functions', () => {
  it("answer one entry, keyed by its identifier, with faas-benchmarker's fields and SeBS's cold marker", async () => {
    const response = await call('function1', {});
    const entry = rootEntry(response);
    expect(Object.keys(response).sort()).toEqual([entry.identifier, 'root_identifier'].sort());
    expect(Object.keys(entry).sort()).toEqual(
      [
        'identifier',
        'uuid',
        'function_name',
        'function_cores',
        'parent',
        'level',
        'sleep',
        'throughput',
        'throughput_time',
        'throughput_process_time',
        'throughput_running_time',
        'random_seed',
        'instance_identifier',
        'memory',
        'cpu',
        'process_time',
        'execution_start',
        'execution_end',
        'is_cold',
        'container_id',
      ].sort(),
    );
    expect(entry).toMatchObject({
      identifier: `function1-${entry.uuid}`,
      function_name: 'function1',
      parent: 'root',
      level: 0,
      sleep: 0,
      throughput: 0,
      throughput_time: null,
      throughput_process_time: null,
      throughput_running_time: null,
      random_seed: null,
      is_cold: true,
    });
    expect(entry.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(entry.container_id).toMatch(/^[0-9a-f]{8}$/);
    expect(entry.instance_identifier).toContain(`-${process.pid}-`);
    expect(entry.function_cores).toBeGreaterThanOrEqual(1);
    expect(entry.memory).toBeGreaterThan(0);
    expect(entry.process_time).toBeGreaterThan(0);
    expect(entry.execution_end).toBeGreaterThanOrEqual(entry.execution_start);
    expect(entry.execution_start).toBeGreaterThan(1.7e9); // epoch seconds
  });

  it('a payload (SeBS invocation-overhead) is accepted and ignored: the same entry fields, nothing echoed', async () => {
    const response = await call('function3', { payload: 'A'.repeat(1_000_000) });
    const entry = rootEntry(response);
    expect(Object.keys(entry)).toEqual(Object.keys(rootEntry(await call('function3', {}))));
    expect(JSON.stringify(response).length).toBeLessThan(10_000);
  });

  it('sleep 0.05 → the call lasts at least 0.05 s', async () => {
    const entry = rootEntry(await call('function2', { sleep: 0.05 }));
    expect(entry.sleep).toBe(0.05);
    expect(entry.execution_end - entry.execution_start).toBeGreaterThanOrEqual(0.049);
  });

  it('throughput_time 0.05 on a clock ticking 1 ms a reading → 50 iterations, seed 5, every time', async () => {
    const run = () =>
      createLabFunction('function1', { invoke: noNestedCalls, clock: tickingClock() })({
        throughput_time: 0.05,
      });
    const [first, second] = [rootEntry(await run()), rootEntry(await run())];
    expect(first).toMatchObject({
      throughput: 50,
      throughput_time: 0.05,
      random_seed: 5,
      throughput_process_time: 0,
    });
    expect(first.throughput_running_time).toBeGreaterThanOrEqual(0.05);
    expect(second.throughput).toBe(first.throughput);
  });

  it('the throughput loop on the real clocks runs for its time and counts its iterations', async () => {
    const loop = await throughputLoop(0.02);
    expect(loop.iterations).toBeGreaterThan(0);
    expect(loop.runningSeconds).toBeGreaterThanOrEqual(0.02);
    expect(loop.processSeconds).toBeGreaterThanOrEqual(0);
  });

  it('the first call an instance serves is cold, the next ones warm with the same container_id', async () => {
    const fn = createLabFunction('function3', { invoke: noNestedCalls });
    const [first, second, third] = [
      rootEntry(await fn({})),
      rootEntry(await fn({})),
      rootEntry(await fn({})),
    ];
    expect([first.is_cold, second.is_cold, third.is_cold]).toEqual([true, false, false]);
    expect(new Set([first.container_id, second.container_id, third.container_id]).size).toBe(1);
    const other = rootEntry(await createLabFunction('function3', { invoke: noNestedCalls })({}));
    expect(other.is_cold).toBe(true);
    expect(other.container_id).not.toBe(first.container_id);
  });

  it('bad input is refused before the call counts as served (it stays cold)', async () => {
    const fn = createLabFunction('function1', { invoke: noNestedCalls });
    await expect(fn({ sleep: 'long' })).rejects.toThrow(/^sleep must be/);
    expect(rootEntry(await fn({})).is_cold).toBe(true);
  });

  it('flattens a call tree function1 → function2 → function3: parent and level chain, invocation times', async () => {
    const invoke = inProcessGateway();
    const response = JSON.parse(
      (
        await invoke('function1', {
          invoke_nested: [
            {
              function_name: 'function2',
              invoke_payload: {
                invoke_nested: [{ function_name: 'function3', invoke_payload: { sleep: 0.01 } }],
              },
            },
          ],
        })
      ).body,
    ) as LabResponse;
    const entries = Object.entries(response)
      .filter(([key]) => key !== 'root_identifier')
      .map(([, e]) => e as LabEntry)
      .sort((a, b) => a.level - b.level);
    expect(entries.map((e) => [e.function_name, e.level])).toEqual([
      ['function1', 0],
      ['function2', 1],
      ['function3', 2],
    ]);
    const [f1, f2, f3] = entries as [LabEntry, LabEntry, LabEntry];
    expect(response.root_identifier).toBe(f1.identifier);
    expect([f1.parent, f2.parent, f3.parent]).toEqual(['root', f1.identifier, f2.identifier]);
    expect(f1.invocation_start).toBeUndefined();
    expect(f2.invocation_end).toBeGreaterThanOrEqual(f2.invocation_start as number);
    expect(f3.sleep).toBe(0.01);
  });

  it('a nested call to an unknown function is a 400 naming invoke_nested[i].function_name', async () => {
    const fn = createLabFunction('function1', { invoke: inProcessGateway() });
    await expect(
      fn({ invoke_nested: [{ function_name: 'function2' }, { function_name: 'nope' }] }),
    ).rejects.toThrow(
      new HandlerInputError('invoke_nested[1].function_name: no function "nope" at the gateway'),
    );
  });

  it("a nested call whose payload is refused is a 400 naming the path and the callee's reason", async () => {
    const fn = createLabFunction('function1', { invoke: inProcessGateway() });
    await expect(
      fn({ invoke_nested: [{ function_name: 'function2', invoke_payload: { sleep: -1 } }] }),
    ).rejects.toThrow(/^invoke_nested\[0\]\.invoke_payload: function2 answered 400: sleep must be/);
  });

  it('a callee that is not a lab function fails the call (500), saying so', async () => {
    const fn = createLabFunction('function1', { invoke: async () => ({ status: 200, body: 'hello' }) });
    await expect(fn({ invoke_nested: [{ function_name: 'echo' }] })).rejects.toThrow(
      'invoke_nested[0]: echo is not a lab function (no root_identifier in its answer)',
    );
  });

  it('monolith adds the function called, its argument, the seed and the result cut to 100 characters', async () => {
    const entry = rootEntry(await call('monolith', { run_function: 'preorderTraversal', args: 10, seed: 7 }));
    expect(entry).toMatchObject({ function_called: 'preorderTraversal', function_argument: 10, seed: 7 });
    expect(entry.monolith_result).toHaveLength(100);
    expect(entry.monolith_result).toMatch(/^\[\d+, \d+, /);
    expect(entry).not.toHaveProperty('process_time_matrix');
    expect(entry).not.toHaveProperty('running_time_matrix');
    const random = rootEntry(await call('monolith', { args: 5, seed: 1 }));
    expect(random).toMatchObject({ function_called: 'flatten', seed: 1 });
  });

  it("monolith's matrix_mult adds the CPU and wall seconds of its product, as the reference", async () => {
    const entry = rootEntry(await call('monolith', { run_function: 'matrix_mult', args: 100, seed: 3 }));
    expect(entry.function_called).toBe('matrix_mult');
    expect(entry.process_time_matrix).toBeGreaterThanOrEqual(0);
    expect(entry.running_time_matrix).toBeGreaterThan(0);
    // Date.now() has whole milliseconds: allow one either end.
    expect(entry.running_time_matrix).toBeLessThanOrEqual(
      entry.execution_end - entry.execution_start + 0.002,
    );
  });
});
