import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Benchmarker } from '../../src/bench/benchmarker.js';
import { experimentContext } from '../../src/bench/context.js';
import { concurrencyBenchmarking } from '../../src/bench/experiments/concurrency.js';
import { httpProvider } from '../../src/bench/providers.js';
import { virtualTime } from './fake-lab.js';

/**
 * concurrency-benchmarking against an in-process stand-in of function3 (a lab function's answer)
 * that fails every fourth request: the algorithm (bursts, repetitions, cold waits) and its rows.
 */
let served = 0;
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    if (++served % 4 === 0) return res.writeHead(500).end('failed');
    const { throughput_time } = JSON.parse(body) as { throughput_time: number };
    const id = `function3-${served}`;
    const entry = {
      identifier: id,
      function_name: 'function3',
      function_cores: 2,
      throughput_time,
      throughput: 1000,
      throughput_process_time: 0.29,
      throughput_running_time: 0.3,
      process_time: 0.31,
      execution_start: 5_000,
      execution_end: 5_000.25,
    };
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ [id]: entry, root_identifier: id }));
  });
});
let url = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/function/{function}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('concurrency-benchmarking', () => {
  it("keeps the reference's parameters as defaults", () => {
    expect(concurrencyBenchmarking.params.parse({})).toEqual({
      function_name: 'function3',
      throughput_time: 0.3,
      levels: [8, 16, 32, 64, 128, 256],
      repetitions: 2,
    });
    expect(concurrencyBenchmarking.params.parse({ levels: '4,8' }).levels).toEqual([4, 8]);
  });

  it('goes cold before each burst, releases N together and writes a row per burst with field-wise means', async () => {
    served = 0;
    const colds: number[] = [];
    const provider = httpProvider(url);
    const ctx = experimentContext({
      bench: new Benchmarker({ provider }),
      provider,
      time: virtualTime(),
      timeScale: 1,
    });
    // The provider cannot force a cold start: the experiment waits the coldtime (1200 s).
    const goCold = ctx.goCold;
    ctx.goCold = async (fn) => {
      colds.push(served);
      return goCold(fn);
    };
    await concurrencyBenchmarking.run(
      ctx,
      concurrencyBenchmarking.params.parse({ levels: [4, 8], repetitions: 2 }),
    );
    const rows = ctx.recorded.get('Cc_bench') ?? [];
    // A cold wait before each of the 4 bursts, none in the middle of one.
    expect(colds).toEqual([0, 4, 8, 16]);
    expect(rows.map((r) => r.numb_threads)).toEqual([4, 4, 8, 8]);
    // Every fourth request fails: one in each burst of 4, two in each of 8.
    expect(rows.map((r) => r.errors)).toEqual([1, 1, 2, 2]);
    expect(rows.map((r) => r.success_rate)).toEqual([0.75, 0.75, 0.75, 0.75]);
    for (const row of rows) {
      expect(row).toMatchObject({
        function_name: 'function3',
        sleep: 1200,
        cores: 2,
        acc_throughput: 1000,
        acc_throughput_time: 0.3,
        acc_process_time: 0.31,
        acc_execution_start: 5_000,
      });
      // The reference's acc_execution_total was always 0.
      expect(row.acc_execution_total).toBeCloseTo(0.25, 9);
      expect(row.acc_invocation_total).toBeGreaterThan(0);
    }
  });
});
