/**
 * Every PromQL expression the deployment runs outside the dashboards (the sampler's
 * queries/openfaas.yml and queries/embedded.yml, and the alerting/recording rules of
 * deploy/prometheus/rules) parses, and names only metrics of the scrape set
 * (deploy/prometheus/scrape-set.json): a query on a metric nothing scrapes would sample an empty
 * vector on a real cluster instead of failing. The dashboards' queries are checked by
 * grafana-dashboards.test.ts; promtool parses the rules again in the integration tier.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadScrapeSet, PromqlError, promqlMetrics, unknownMetrics } from '../helpers/promql.js';

const repo = (path: string) => new URL(`../../${path}`, import.meta.url);
const RULES_DIR = 'deploy/prometheus/rules';

/** The sampler's placeholders, filled in as the sampler fills them. */
function fillPlaceholders(expr: string): string {
  return expr
    .replaceAll('{window}', '30s')
    .replaceAll('{function}', 'figlet')
    .replaceAll('{pid_regex}', '.*');
}

const queryFiles = ['queries/openfaas.yml', 'queries/embedded.yml'].map((file) => ({
  file,
  queries: Object.entries(parse(readFileSync(repo(file), 'utf8')) as Record<string, string>),
}));

interface RuleFile {
  groups: { rules: { alert?: string; record?: string; expr: string }[] }[];
}
const ruleFiles = readdirSync(repo(RULES_DIR))
  .filter((f) => f.endsWith('.yml'))
  .map((f) => ({
    file: `${RULES_DIR}/${f}`,
    rules: (parse(readFileSync(repo(`${RULES_DIR}/${f}`), 'utf8')) as RuleFile).groups.flatMap(
      (g) => g.rules,
    ),
  }));
// No recording rules so far: once there are, their names join the set for the rules after them.
const scrapeSet = loadScrapeSet();

describe('PromQL of queries/ and the rules', () => {
  it('finds the expressions to check', () => {
    for (const { queries } of queryFiles) expect(queries.map(([k]) => k)).toContain('function_replicas');
    expect(ruleFiles.flatMap(({ rules }) => rules).map((r) => r.alert)).toContain('APIHighInvocationRate');
  });

  for (const { file, queries } of queryFiles) {
    it.each(queries)(`${file}: %s parses and names only scraped metrics`, (_key, expr) => {
      const filled = fillPlaceholders(expr);
      expect(promqlMetrics(filled).length).toBeGreaterThan(0);
      expect(unknownMetrics(filled, scrapeSet)).toEqual([]);
    });
  }

  for (const { file, rules } of ruleFiles) {
    it.each(rules.map((r) => [r.alert ?? r.record, r.expr] as const))(
      `${file}: %s parses and names only scraped metrics`,
      (_name, expr) => {
        expect(unknownMetrics(expr, scrapeSet)).toEqual([]);
      },
    );
  }

  it('reports a misspelt metric and throws on a broken expression', () => {
    const [, expr] = queryFiles[0]?.queries.find(([key]) => key === 'function_cpu') ?? [];
    const misspelt = fillPlaceholders(
      String(expr).replace('container_cpu_usage_seconds_total', 'container_cpu_usage_seconds'),
    );
    expect(unknownMetrics(misspelt, scrapeSet)).toEqual(['container_cpu_usage_seconds']);
    expect(
      unknownMetrics('sum(rate(gateway_function_invocation_total[10s])) by (function_name)', scrapeSet),
    ).toEqual([]);
    // A placeholder left unfilled is a syntax error, as it would be for Prometheus.
    expect(() => promqlMetrics(String(expr))).toThrow(PromqlError);
    expect(() => promqlMetrics('sum(rate(node_cpu_seconds_total{mode="idle"}[30s])')).toThrow(PromqlError);
  });
});
