import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadScenariosSchema, type Scenario } from '../../../src/config/load-scenarios.js';
import { runLoad, scheduleOf } from '../../../src/load/builtin/generator.js';
import type { OpenLoopResult } from '../../../src/load/builtin/open-loop.js';
import { parseK6Summary, toK6Summary } from '../../../src/load/k6-summary.js';

let server: Server;
let base: string;
beforeAll(async () => {
  // /fast answers at once; /slow after 300 ms; /fail with 500.
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/slow') setTimeout(() => res.end('slow'), 300);
      else if (req.url === '/fail') res.writeHead(500).end();
      else res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
});

const scenarios = (s: unknown) => LoadScenariosSchema.parse({ scenarios: s }).scenarios;

describe('open-model load generator', () => {
  it('sends what the schedule says, per scenario, accounts for every arrival, and summarises it as k6 does', async () => {
    const given = scenarios({
      fast: {
        executor: 'constant-arrival-rate',
        rate: 400,
        duration: '2s',
        request: { url: `${base}/fast` },
      },
      fail: {
        executor: 'constant-arrival-rate',
        rate: 50,
        duration: '2s',
        request: { method: 'GET', url: `${base}/fail` },
      },
    });
    // The schedule: 400/s and 50/s for 2 s, evenly spaced from 0.
    const fastSchedule = scheduleOf(given.fast as Scenario);
    expect(fastSchedule.count).toBe(800);
    expect([0, 1, 799].map((i) => fastSchedule.offsetMs(i))).toEqual([0, 2.5, 1997.5]);
    expect(scheduleOf(given.fail as Scenario).count).toBe(100);

    const run = await runLoad(given);
    const fast = run.scenarios.fast as OpenLoopResult;
    const fail = run.scenarios.fail as OpenLoopResult;
    // Every scheduled arrival is sent or counted as dropped (a loaded machine may drop some when
    // maxVUs requests are still in flight); every request sent is answered or counted as an error.
    expect(fast.sent + fast.dropped).toBe(800);
    expect(fail.sent + fail.dropped).toBe(100);
    expect(fast.sent).toBeGreaterThan(0);
    expect(fail.sent).toBeGreaterThan(0);
    expect(fast.ok + fast.errors).toBe(fast.sent);
    expect(fail).toMatchObject({ ok: 0, errors: fail.sent });
    expect(fast.latencyUs.totalCount).toBe(fast.ok + fast.errors);

    const summary = toK6Summary(run);
    const sent = fast.sent + fail.sent;
    expect(summary.metrics.http_reqs).toMatchObject({ count: sent });
    expect(summary.metrics.dropped_iterations).toMatchObject({ count: fast.dropped + fail.dropped });
    expect(summary.metrics.http_req_failed).toEqual({
      value: (fail.sent + fast.errors) / sent,
      passes: fail.sent + fast.errors,
      fails: fast.ok,
    });
    expect(summary.metrics.success_rate_fast).toEqual({
      value: fast.ok / fast.sent,
      passes: fast.ok,
      fails: fast.errors,
    });
    expect(summary.metrics.request_count_fail).toMatchObject({ count: fail.sent });
    expect(Object.keys(summary.metrics.latency_fast ?? {})).toEqual([
      'avg',
      'min',
      'med',
      'max',
      'p(90)',
      'p(95)',
      'p(99)',
    ]);
    // What we write, we read.
    const parsed = parseK6Summary(JSON.parse(JSON.stringify(summary)), 'ours');
    expect(parsed.scenario('fail')).toMatchObject({
      requests: fail.sent,
      dropped: fail.dropped,
      successRate: 0,
    });
    expect(parsed.scenario('nope')).toBeUndefined();
  });

  it('drops arrivals beyond maxVUs instead of delaying them, and counts the queue in latency', async () => {
    const run = await runLoad(
      scenarios({
        slow: {
          executor: 'constant-arrival-rate',
          rate: 50,
          duration: '1s',
          maxVUs: 5,
          request: { url: `${base}/slow` },
        },
      }),
    );
    const slow = run.scenarios.slow;
    // 5 in flight for 300 ms each: about 5 per 300 ms pass, the rest of the 50 arrivals are dropped.
    expect(slow?.dropped).toBeGreaterThan(20);
    expect((slow?.sent ?? 0) + (slow?.dropped ?? 0)).toBe(50);
    expect(slow?.maxInflightSeen).toBe(5);
    const summary = toK6Summary(run);
    expect(summary.metrics.dropped_iterations).toMatchObject({ count: slow?.dropped });
    // Read back, a dropped arrival is a failed one: success is answered / arrivals.
    const read = parseK6Summary(JSON.parse(JSON.stringify(summary)), 'ours').scenario('slow');
    expect(read?.dropped).toBe(slow?.dropped);
    expect(read?.successRate).toBeCloseTo((slow?.ok ?? 0) / 50, 10);
    expect((slow?.latencyUs.getValueAtPercentile(50) ?? 0) / 1000).toBeGreaterThanOrEqual(300);
  });

  it('stops sending when its signal aborts (Ctrl-C), and summarises what it sent', async () => {
    const controller = new AbortController();
    // 10 minutes of arrivals, aborted after the first few responses: the run ends with them.
    let answered = 0;
    const run = await runLoad(
      scenarios({
        long: {
          executor: 'constant-arrival-rate',
          rate: 20,
          duration: '10m',
          request: { url: `${base}/fast` },
        },
      }),
      {
        signal: controller.signal,
        progressEveryMs: 10,
        onProgress: (p) => {
          answered = p.completed;
          if (answered >= 5) controller.abort();
        },
      },
    );
    const long = run.scenarios.long;
    expect(long?.sent).toBeGreaterThanOrEqual(5);
    expect(long?.sent).toBeLessThan(12_000);
    expect((long?.ok ?? 0) + (long?.errors ?? 0)).toBe(long?.sent);
    expect(long?.dropped).toBe(0); // the arrivals never reached are not failures
  });

  it('ramps the rate as ramping-arrival-rate', async () => {
    const run = await runLoad(
      scenarios({
        ramp: {
          executor: 'ramping-arrival-rate',
          startRate: 0,
          stages: [{ target: 200, duration: '1s' }],
          request: { url: `${base}/fast` },
        },
      }),
    );
    // 0 to 200/s over 1 s: 100 arrivals, denser towards the end; each sent or dropped.
    const ramp = run.scenarios.ramp as OpenLoopResult;
    expect(ramp.sent + ramp.dropped).toBe(100);
    expect(ramp.ok + ramp.errors).toBe(ramp.sent);
  });

  it('reads a summary written by k6 itself', () => {
    // The shape k6 v0.4x writes with --summary-export for a DFaaS script (values made up here).
    const k6 = {
      root_group: { name: '', path: '', id: 'd41d8cd98f00b204e9800998ecf8427e', groups: {}, checks: {} },
      metrics: {
        http_reqs: { count: 300, rate: 9.98 },
        http_req_duration: { avg: 12.1, min: 3.2, med: 10.4, max: 80.3, 'p(90)': 20.1, 'p(95)': 30.7 },
        latency_figlet: { avg: 12.1, min: 3.2, med: 10.4, max: 80.3, 'p(90)': 20.1, 'p(95)': 30.7 },
        success_rate_figlet: { value: 0.99, passes: 297, fails: 3 },
        request_count_figlet: { count: 300, rate: 9.98 },
        'dropped_iterations{scenario:figlet}': { count: 30, rate: 1, thresholds: { 'count>=0': false } },
        vus: { value: 1, min: 1, max: 3 },
      },
    };
    expect(parseK6Summary(k6, 'k6').scenario('figlet')).toEqual({
      requests: 300,
      dropped: 30,
      successRate: (0.99 * 300) / 330,
      medianLatencyMs: 10.4,
    });
    expect(() => parseK6Summary({ nope: 1 }, 'bad.json')).toThrow(/bad.json: not a k6 summary/);
  });
});
