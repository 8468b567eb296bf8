/**
 * Writes the k6 script of one sampler configuration, for k6 as the real load driver: one
 * constant-arrival-rate scenario per function with a rate above 0, and the DFaaS custom metrics
 * success_rate_ID (Rate), latency_ID (Trend) and request_count_ID (Counter) that parseK6Summary
 * reads. A configuration whose rates are all 0 runs an idle scenario for the duration, so every
 * configuration takes its time and yields a summary.
 *
 * k6 counts dropped iterations (no free VU at an arrival) only for the whole run. An always-passing
 * threshold on `dropped_iterations{scenario:ID}` makes k6 export that submetric per scenario, so
 * the sampler charges each function its own drops, as it does with the built-in generator.
 */
import { droppedMetric, k6ScenarioId } from '../k6-summary.js';

export interface K6Target {
  /** Function name; the metric id is derived from it (k6ScenarioId). */
  name: string;
  method: string;
  url: string;
  body: string;
  headers: Record<string, string>;
  /** Requests per second; 0 = no scenario. */
  rate: number;
}

export interface K6ScriptOptions {
  /** k6 duration string, e.g. "30s". */
  duration: string;
}

/** The Trend statistics the summary holds: k6's default, and p(99). */
const TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'];

export function writeK6Script(targets: K6Target[], options: K6ScriptOptions): string {
  const active = targets.filter((t) => t.rate > 0);
  const lines: string[] = [
    '// Written by dfaas: one constant-arrival-rate scenario per function.',
    "import http from 'k6/http';",
    "import { sleep } from 'k6';",
    "import { Counter, Rate, Trend } from 'k6/metrics';",
    '',
  ];
  const scenarios: Record<string, unknown> = {};
  const thresholds: Record<string, string[]> = {};
  for (const t of active) {
    const id = k6ScenarioId(t.name);
    const vus = Math.max(1, Math.ceil(t.rate));
    scenarios[id] = {
      executor: 'constant-arrival-rate',
      rate: t.rate,
      timeUnit: '1s',
      duration: options.duration,
      preAllocatedVUs: vus,
      maxVUs: vus,
      exec: id,
    };
    thresholds[droppedMetric(id)] = ['count>=0'];
    lines.push(
      `const success_rate_${id} = new Rate(${JSON.stringify(`success_rate_${id}`)});`,
      `const latency_${id} = new Trend(${JSON.stringify(`latency_${id}`)}, true);`,
      `const request_count_${id} = new Counter(${JSON.stringify(`request_count_${id}`)});`,
    );
  }
  if (active.length === 0) {
    scenarios.idle = { executor: 'constant-vus', vus: 1, duration: options.duration, exec: 'idle' };
  }
  lines.push(
    '',
    // p(99) beside k6's default statistics, for latency.csv's tails.
    `export const options = ${JSON.stringify({ discardResponseBodies: true, summaryTrendStats: TREND_STATS, scenarios, thresholds }, null, 2)};`,
    '',
  );
  for (const t of active) {
    const id = k6ScenarioId(t.name);
    lines.push(
      `export function ${id}() {`,
      `  const res = http.request(${JSON.stringify(t.method.toUpperCase())}, ${JSON.stringify(t.url)}, ${JSON.stringify(t.body)}, { headers: ${JSON.stringify(t.headers)}, tags: { function: ${JSON.stringify(t.name)} } });`,
      `  success_rate_${id}.add(res.status >= 200 && res.status < 300);`,
      `  latency_${id}.add(res.timings.duration);`,
      `  request_count_${id}.add(1);`,
      '}',
      '',
    );
  }
  if (active.length === 0) lines.push('export function idle() {', '  sleep(1);', '}', '');
  return lines.join('\n');
}
