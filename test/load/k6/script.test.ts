import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type K6Target, writeK6Script } from '../../../src/load/k6/script.js';
import { k6ScenarioId } from '../../../src/load/k6-summary.js';

const target = (name: string, rate: number): K6Target => ({
  name,
  method: 'post',
  url: `http://127.0.0.1:8080/function/${name}`,
  body: 'it\'s "quoted"',
  headers: { 'content-type': 'text/plain' },
  rate,
});

interface Recorded {
  metrics: Record<string, unknown[]>;
  requests: unknown[][];
}

/** Runs the script's exported functions with stand-ins for k6's modules, recording what they do. */
async function evaluate(
  script: string,
  status: number,
): Promise<{ exports: Record<string, unknown>; recorded: Recorded }> {
  const recorded: Recorded = { metrics: {}, requests: [] };
  const metric = (name: string) => ({
    add: (v: unknown) => {
      const values = recorded.metrics[name] ?? [];
      values.push(v);
      recorded.metrics[name] = values;
    },
  });
  const k6 = {
    http: {
      request: (...args: unknown[]) => {
        recorded.requests.push(args);
        return { status, timings: { duration: 12.5 } };
      },
    },
    sleep: () => {},
    Rate: function (this: unknown, name: string) {
      return metric(name);
    },
    Trend: function (this: unknown, name: string) {
      return metric(name);
    },
    Counter: function (this: unknown, name: string) {
      return metric(name);
    },
  };
  (globalThis as Record<string, unknown>).__k6 = k6;
  const body = script
    .replace("import http from 'k6/http';", 'const http = globalThis.__k6.http;')
    .replace("import { sleep } from 'k6';", 'const sleep = globalThis.__k6.sleep;')
    .replace(
      "import { Counter, Rate, Trend } from 'k6/metrics';",
      'const { Counter, Rate, Trend } = globalThis.__k6;',
    );
  const dir = mkdtempSync(join(tmpdir(), 'dfaas-k6-'));
  const file = join(dir, 'script.mjs');
  writeFileSync(file, body);
  const exports = (await import(file)) as Record<string, unknown>;
  return { exports, recorded };
}

describe('k6 script writer', () => {
  it('makes ids k6 accepts', () => {
    expect(k6ScenarioId('eat-memory')).toBe('eat_memory');
    expect(k6ScenarioId('3d')).toBe('f_3d');
  });

  it('writes one constant-arrival-rate scenario per function with a rate, with the DFaaS metrics', async () => {
    const script = writeK6Script([target('figlet', 10), target('eat-memory', 0), target('3d', 2.5)], {
      duration: '30s',
    });
    // evaluate() imports the script as a module: a syntax error fails here.
    const { exports, recorded } = await evaluate(script, 503);
    const options = exports.options as {
      scenarios: Record<string, Record<string, unknown>>;
      thresholds: unknown;
    };
    expect(Object.keys(options.scenarios)).toEqual(['figlet', 'f_3d']);
    expect(options.scenarios.figlet).toEqual({
      executor: 'constant-arrival-rate',
      rate: 10,
      timeUnit: '1s',
      duration: '30s',
      preAllocatedVUs: 10,
      maxVUs: 10,
      exec: 'figlet',
    });
    expect(options.scenarios.f_3d).toMatchObject({ preAllocatedVUs: 3, maxVUs: 3 });
    // Always-passing thresholds, so that k6 exports each scenario's dropped iterations.
    expect(options.thresholds).toEqual({
      'dropped_iterations{scenario:figlet}': ['count>=0'],
      'dropped_iterations{scenario:f_3d}': ['count>=0'],
    });
    (exports.figlet as () => void)();
    expect(recorded.requests[0]?.slice(0, 3)).toEqual([
      'POST',
      'http://127.0.0.1:8080/function/figlet',
      'it\'s "quoted"',
    ]);
    expect(recorded.metrics).toEqual({
      success_rate_figlet: [false],
      latency_figlet: [12.5],
      request_count_figlet: [1],
    });
  });

  it('runs an idle scenario for the duration when every rate is 0', async () => {
    const { exports } = await evaluate(writeK6Script([target('figlet', 0)], { duration: '10s' }), 200);
    const options = exports.options as { scenarios: Record<string, unknown> };
    expect(options.scenarios).toEqual({
      idle: { executor: 'constant-vus', vus: 1, duration: '10s', exec: 'idle' },
    });
    expect(typeof exports.idle).toBe('function');
  });
});
