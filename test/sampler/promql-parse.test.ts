/**
 * Every PromQL dfaas ships parses: the sweep dashboard's panel and variable queries
 * (deploy/grafana/sweep-dashboard.json, Grafana's variables replaced by values as Grafana does
 * before it sends a query) and every query of queries/*.yml (placeholders filled as the sampler
 * fills them). The parser is Prometheus's own grammar for its UI (@prometheus-io/lezer-promql),
 * strict: a syntax error or an unknown function fails. It checks syntax, not types.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { fillQuery, PrometheusQueriesSchema } from '../../src/metrics/prometheus/queries.js';
import { GRAFANA_DASHBOARD_UID, SWEEP_DASHBOARD_FILE } from '../../src/sampler/grafana.js';

const strict = parser.configure({ strict: true });

/** Throws on anything that is not PromQL. */
function parsePromql(expr: string): void {
  const tree = strict.parse(expr);
  tree.iterate({
    enter(node) {
      if (node.type.isError) throw new Error(`parse error at ${node.from}`);
    },
  });
}

function expectParses(what: string, expr: string): void {
  expect(() => parsePromql(expr), `${what}: ${expr}`).not.toThrow();
}

/** Grafana's variables as Grafana interpolates them before the query reaches Prometheus. */
function interpolate(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__interval', '15s')
    .replaceAll('$__range', '1h')
    .replaceAll(/\$\{?function\}?/g, 'figlet|nodeinfo');
}

interface Target {
  expr?: string;
}
interface Panel {
  title: string;
  targets?: Target[];
  datasource?: { type: string; uid: string };
}

const dashboard = JSON.parse(readFileSync(SWEEP_DASHBOARD_FILE, 'utf8')) as {
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; query: { query: string } }[] };
};

describe('PromQL shipped with dfaas parses', () => {
  it('the parser used here rejects what is not PromQL', () => {
    for (const bad of ['sum(', 'rat(x[1m])', 'x{a="b"', 'x[$__rate_interval]', 'rate(x[1m]) +'])
      expect(() => parsePromql(bad), bad).toThrow();
    expect(() => parsePromql('100 * sum by (a) (rate(x{b=~"c"}[1m]))')).not.toThrow();
  });

  it('every panel query of the sweep dashboard', () => {
    expect(dashboard.uid).toBe(GRAFANA_DASHBOARD_UID);
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => [p.title, t.expr] as const));
    expect(exprs.length).toBeGreaterThanOrEqual(dashboard.panels.length);
    for (const [title, expr] of exprs) {
      expect(typeof expr, title).toBe('string');
      expectParses(title, interpolate(expr as string));
    }
    for (const p of dashboard.panels) expect(p.datasource?.type, p.title).toBe('prometheus');
  });

  it("the dashboard's variables: label_values over a selector that parses", () => {
    for (const v of dashboard.templating.list) {
      const m = /^label_values\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$/.exec(v.query.query);
      expect(m, v.query.query).not.toBeNull();
      expectParses(`variable ${v.name}`, (m as RegExpExecArray)[1] as string);
    }
  });

  const queryFiles = readdirSync('queries').filter((f) => f.endsWith('.yml'));

  it.each(queryFiles)('every query of queries/%s', (file) => {
    const queries = PrometheusQueriesSchema.parse(parseYaml(readFileSync(join('queries', file), 'utf8')));
    for (const [key, query] of Object.entries(queries)) {
      expectParses(
        `${file} ${key}`,
        fillQuery(query, { window: '10s', function: 'figlet', pidRegex: '.*figlet.*' }),
      );
    }
  });
});
