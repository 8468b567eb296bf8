/**
 * The scrape set: every metric name a deployment's Prometheus can hold, with the sources that
 * expose it, written to deploy/prometheus/scrape-set.json by `npm run scrape-set`. The sources are
 * the pinned exporter fixtures of deploy/prometheus/exporters (see their README) and dfaas's own
 * registries, read as Prometheus reads them: the exposition text, family by family (`# TYPE`).
 * Queries, rules and dashboards are checked against it (test/deploy/promql-queries.test.ts), so a
 * panel on a metric nothing emits fails a test instead of staying empty on a real cluster.
 */
import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AgentStatus } from '../src/node/agent/agent.js';
import { nodeMetrics } from '../src/node/agent/metrics.js';
import { DROP_REASONS, type DropReason } from '../src/offload/messages.js';
import { PlatformMetrics } from '../src/platform/embedded/platform-metrics.js';

export interface ScrapeSet {
  description: string;
  /** Source name -> what it is read from. */
  sources: Record<string, string>;
  /** Metric name -> the sources exposing it. */
  metrics: Record<string, string[]>;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const SCRAPE_SET_FILE = 'deploy/prometheus/scrape-set.json';
const FIXTURES = 'deploy/prometheus/exporters';

/** The exporters' fixtures, by source name. */
const FIXTURE_FILES: Record<string, string> = {
  cadvisor: 'cadvisor.prom',
  node_exporter: 'node-exporter.prom',
  openfaas_gateway: 'openfaas-gateway.prom',
  prometheus: 'prometheus-self.prom',
  scaphandre: 'scaphandre.prom',
};

/** The series names of a family of the given `# TYPE`, as Prometheus stores them. */
function seriesNames(family: string, type: string): string[] {
  switch (type) {
    case 'counter':
    case 'gauge':
    case 'untyped':
      return [family];
    case 'histogram':
      return [`${family}_bucket`, `${family}_sum`, `${family}_count`];
    case 'summary':
      return [family, `${family}_sum`, `${family}_count`];
    default:
      throw new Error(`family ${family}: unknown type ${type}`);
  }
}

/**
 * The series names of an exposition text, from its `# TYPE` lines. Every sample must belong to a
 * family typed before it (what catches a mistyped fixture).
 */
export function exposedNames(text: string, source: string): string[] {
  const names = new Set<string>();
  for (const [i, line] of text.split('\n').entries()) {
    const typed = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (typed) {
      for (const name of seriesNames(typed[1] as string, typed[2] as string)) names.add(name);
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const sample = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
    if (!sample || !names.has(sample)) {
      throw new Error(`${source}, line ${i + 1}: sample ${sample ?? line} of no family typed before it`);
    }
  }
  return [...names];
}

/** A DFaaS node's status with nothing in it: the node's /metrics still types every family. */
function emptyStatus(): AgentStatus {
  return {
    name: 'scrape-set',
    peerId: '',
    strategy: '',
    periodMs: 0,
    proxy: { kind: '', url: '' },
    periods: 0,
    lastPeriodAt: null,
    lastError: null,
    connectedPeers: [],
    peers: [],
    functions: {},
    messages: {
      received: 0,
      dropped: Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>,
    },
  };
}

/** Each source's exposition text and what it is read from. */
async function expositions(): Promise<{ source: string; from: string; text: string }[]> {
  const fixtures = Object.entries(FIXTURE_FILES).map(async ([source, file]) => ({
    source,
    from: `${FIXTURES}/${file}`,
    text: await readFile(resolve(ROOT, FIXTURES, file), 'utf8'),
  }));
  return [
    ...(await Promise.all(fixtures)),
    {
      source: 'dfaas_platform',
      from: "src/platform/embedded/platform-metrics.ts (the embedded gateway's /metrics)",
      text: await new PlatformMetrics().registry.metrics(),
    },
    {
      source: 'dfaas_node',
      from: "src/node/agent/metrics.ts (a DFaaS node agent's /metrics)",
      text: await nodeMetrics(emptyStatus).metrics(),
    },
  ];
}

const byKey = <T>(record: Record<string, T>): Record<string, T> =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

export async function generateScrapeSet(): Promise<ScrapeSet> {
  const sources: Record<string, string> = {};
  const metrics: Record<string, string[]> = {};
  for (const { source, from, text } of await expositions()) {
    sources[source] = from;
    for (const name of exposedNames(text, from)) metrics[name] = [...(metrics[name] ?? []), source];
  }
  return {
    description:
      'Every metric name the deployment scrapes, with the sources exposing it: the pinned exporter fixtures ' +
      "of deploy/prometheus/exporters and dfaas's own registries. Generated by `npm run scrape-set` " +
      '(scripts/scrape-set.ts); do not edit',
    sources: byKey(sources),
    metrics: byKey(Object.fromEntries(Object.entries(metrics).map(([name, from]) => [name, from.sort()]))),
  };
}

/**
 * The file's text: 2-space JSON with a trailing newline, each metric's sources on its line (as
 * biome formats JSON, so that `biome check .` leaves the generated file alone).
 */
export function formatScrapeSet(set: ScrapeSet): string {
  const json = JSON.stringify(set, null, 2).replace(
    /\[\n\s*([^\]]*?)\n\s*\]/g,
    (_, items: string) => `[${items.split(/,\n\s*/).join(', ')}]`,
  );
  return `${json}\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const set = await generateScrapeSet();
  writeFileSync(resolve(ROOT, SCRAPE_SET_FILE), formatScrapeSet(set));
  console.log(`${SCRAPE_SET_FILE}: ${Object.keys(set.metrics).length} metric names`);
}
