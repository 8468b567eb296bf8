import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Benchmarker } from '../../src/bench/benchmarker.js';
import { experimentContext } from '../../src/bench/context.js';
import { functionLifetime, runFunctionLifetime } from '../../src/bench/experiments/function-lifetime.js';
import { httpProvider } from '../../src/bench/providers.js';
import { virtualTime } from './fake-lab.js';

/** A stand-in function whose instance is replaced at its `replaceAt`-th call (never when 0). */
let calls = 0;
let replaceAt = 0;
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    calls++;
    const instance = replaceAt > 0 && calls >= replaceAt ? 'second' : 'first';
    const id = `function1-${calls}`;
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        [id]: { identifier: id, instance_identifier: instance, execution_start: 1 },
        root_identifier: id,
      }),
    );
  });
});
let url = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/{function}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function context(time = virtualTime()) {
  const provider = httpProvider(url);
  return experimentContext({ bench: new Benchmarker({ provider }), provider, time });
}
const DEFAULTS = functionLifetime.params.parse({});

describe('function-lifetime', () => {
  it('calls every 10 s for 300 s, then every coldtime / 2, until the instance changes', async () => {
    calls = 0;
    replaceAt = 40;
    const time = virtualTime();
    const row = await runFunctionLifetime(context(time), DEFAULTS);
    // 30 calls 10 s apart (to 300 s), then 600 s apart: the 40th call, at 300 + 9 × 600 = 5,700 s.
    expect(time.waits.slice(0, 31)).toEqual([...Array(30).fill(10), 600]);
    expect(calls).toBe(40);
    expect(row).toEqual({
      instance_identifier: 'second',
      orig_identifier: 'first',
      hours: 1,
      minutes: 35,
      seconds: 0,
      sleep_time: 600,
      reclaimed: true,
    });
  });

  it('gives up after 24 h: a row of 24:00:00, not reclaimed', async () => {
    calls = 0;
    replaceAt = 0;
    const row = await runFunctionLifetime(context(), DEFAULTS);
    expect(row).toMatchObject({
      instance_identifier: '',
      hours: 24,
      minutes: 0,
      seconds: 0,
      reclaimed: false,
    });
    // 1 + 30 baseline calls, then one every 600 s up to 86,400 s: 143 more.
    expect(calls).toBe(1 + 30 + 143);
  });
});
