import { describe, expect, it } from 'vitest';
import { HandlerInputError } from '../../../src/platform/functions/handler.js';
import { LAB_LIMITS, parseLabRequest } from '../../../src/platform/functions/lab-request.js';

describe('lab request', () => {
  it('defaults: no sleep, no loop, no nested calls, the root at level 0', () => {
    expect(parseLabRequest({}, false)).toEqual({ sleep: 0, invokeNested: [], parent: 'root', level: 0 });
  });

  it("is one level deeper than the level its caller sends (faas-benchmarker's rule)", () => {
    expect(parseLabRequest({ parent: 'function1-x', level: 0 }, false)).toMatchObject({
      parent: 'function1-x',
      level: 1,
    });
  });

  it("accepts faas-benchmarker's StatusCode and invocation_type, and ignores them", () => {
    const request = parseLabRequest(
      {
        StatusCode: 200,
        invoke_nested: [
          { function_name: 'f', invoke_payload: { sleep: 1 }, invocation_type: 'RequestResponse' },
        ],
      },
      false,
    );
    expect(request.invokeNested).toEqual([{ functionName: 'f', payload: { sleep: 1 } }]);
  });

  it('accepts a payload string up to 8 MiB and ignores it (SeBS invocation-overhead)', () => {
    const atBound = 'A'.repeat(LAB_LIMITS.payloadBytes);
    expect(parseLabRequest({ payload: atBound }, false)).toEqual(parseLabRequest({}, false));
    expect(parseLabRequest({ payload: '', sleep: 1 }, true)).toMatchObject({ sleep: 1 });
    // Counted in UTF-8 bytes, not characters: 3 bytes each, a third of the bound in characters is just over it.
    const wide = '€'.repeat(Math.floor(LAB_LIMITS.payloadBytes / 3) + 1);
    expect(() => parseLabRequest({ payload: wide }, false)).toThrow(
      /^payload: at most 8388608 bytes, got 8388609$/,
    );
  });

  it('monolith: run_function random, args 10 and a drawn seed by default', () => {
    const { monolith } = parseLabRequest({}, true);
    expect(monolith?.args).toBe(10);
    expect(monolith?.seed).toBeGreaterThanOrEqual(0);
    expect(parseLabRequest({ run_function: 'fib', seed: 3 }, true).monolith).toMatchObject({
      plan: { name: 'fib', arg: 10 },
      seed: 3,
    });
  });

  const bad: [string, unknown, boolean, RegExp][] = [
    ['a body that is not an object', [1], false, /^body must be a JSON object$/],
    ['an unknown field', { slep: 1 }, false, /^body: unknown field "slep"/],
    [
      "the monolith's fields on function1",
      { run_function: 'fib' },
      false,
      /^body: unknown field "run_function"/,
    ],
    [
      'a sleep that is a string',
      { sleep: '1' },
      false,
      /^sleep must be a number of seconds from 0 to 600, got "1"$/,
    ],
    ['a negative sleep', { sleep: -1 }, false, /^sleep must be/],
    [
      'a sleep over the bound',
      { sleep: LAB_LIMITS.sleepSeconds + 1 },
      false,
      /^sleep must be .* to 600, got 601$/,
    ],
    ['a negative throughput_time', { throughput_time: -0.5 }, false, /^throughput_time must be/],
    ['a throughput_time over the bound', { throughput_time: 601 }, false, /^throughput_time must be/],
    ['an empty parent', { parent: '' }, false, /^parent must be a non-empty string/],
    [
      'a level that is not a whole number',
      { level: 0.5 },
      false,
      /^level must be a whole number from 0 to 9/,
    ],
    ['invoke_nested that is not a list', { invoke_nested: {} }, false, /^invoke_nested must be a list/],
    [
      'a nested call without a name',
      { invoke_nested: [{}] },
      false,
      /^invoke_nested\[0\]\.function_name must be/,
    ],
    [
      'a nested payload that is not an object',
      { invoke_nested: [{ function_name: 'f', invoke_payload: 3 }] },
      false,
      /^invoke_nested\[0\]\.invoke_payload must be a JSON object$/,
    ],
    [
      'too many nested calls',
      { invoke_nested: Array.from({ length: 21 }, () => ({ function_name: 'f' })) },
      false,
      /^invoke_nested: at most 20 calls, got 21$/,
    ],
    [
      'nested calls from the deepest level',
      { level: 9, invoke_nested: [{ function_name: 'f' }] },
      false,
      /^invoke_nested: this call is at level 10, and calls go at most 10 levels deep$/,
    ],
    [
      'a payload over 8 MiB',
      { payload: 'A'.repeat(LAB_LIMITS.payloadBytes + 1) },
      false,
      /^payload: at most 8388608 bytes, got 8388609$/,
    ],
    [
      'a payload that is not a string',
      { payload: { data: 'x' } },
      false,
      /^payload must be a string, got an object$/,
    ],
    ['a payload that is a number', { payload: 3 }, false, /^payload must be a string, got a number$/],
    ['an unknown run_function', { run_function: 'nope' }, true, /^run_function: unknown function "nope"/],
    ['args that are not whole', { args: 1.5 }, true, /^args must be a whole number/],
    ['a negative seed', { seed: -1 }, true, /^seed must be a whole number from 0 to 4294967295/],
  ];
  it.each(bad)('refuses %s, naming the field', (_, input, monolith, message) => {
    expect(() => parseLabRequest(input, monolith)).toThrow(HandlerInputError);
    expect(() => parseLabRequest(input, monolith)).toThrow(message);
  });
});
