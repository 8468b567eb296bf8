/**
 * PromQL as the deployment's checks read it: parsed with Prometheus's own grammar
 * (@prometheus-io/lezer-promql, the parser of Prometheus's web UI), and the metric names each
 * expression selects, so that a test can require every query of queries/, the rules and the
 * Grafana dashboards to name only metrics the deployment scrapes (deploy/prometheus/scrape-set.json,
 * made by `npm run scrape-set`).
 *
 * The grammar is syntax only: a function given the wrong number of arguments parses. The
 * integration tier runs the rules through promtool, Prometheus's full parser, as well.
 */
import { readFileSync } from 'node:fs';
import { parser } from '@prometheus-io/lezer-promql';

export const SCRAPE_SET_FILE = new URL('../../deploy/prometheus/scrape-set.json', import.meta.url).pathname;

export class PromqlError extends Error {}

/**
 * Grafana's built-in interval variables become durations, any other variable ($name, ${name},
 * ${name:format}, [[name]]) a plain word: inside a label matcher's string that keeps the
 * expression's shape, and a variable anywhere else is a query Prometheus could not run either.
 */
export function substituteGrafanaVariables(expr: string): string {
  return expr
    .replace(
      /\$(?:__|\{__)(rate_interval|interval|range)(_ms|_s)?\b\}?/g,
      (_, name: string, unit?: string) => (unit ? '60' : name === 'range' ? '1h' : '1m'),
    )
    .replace(/\$\{[A-Za-z_]\w*(?::[^}]*)?\}|\$[A-Za-z_]\w*|\[\[[A-Za-z_]\w*\]\]/g, 'variable');
}

/**
 * The metric names an expression selects, sorted and unique: each vector selector's name, or its
 * `__name__="…"` matcher. Throws PromqlError, naming the position, when the expression does not
 * parse.
 */
export function promqlMetrics(expr: string): string[] {
  const text = substituteGrafanaVariables(expr);
  const tree = parser.parse(text);
  const names = new Set<string>();
  let errorAt: number | undefined;
  tree.iterate({
    enter: (node) => {
      if (node.type.isError) errorAt ??= node.from;
      if (node.name !== 'VectorSelector') return;
      const id = node.node.getChild('Identifier');
      if (id) names.add(text.slice(id.from, id.to));
      for (const matcher of node.node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []) {
        const label = matcher.getChild('LabelName');
        const op = matcher.getChild('MatchOp');
        const value = matcher.getChild('StringLiteral');
        if (
          label &&
          op &&
          value &&
          text.slice(label.from, label.to) === '__name__' &&
          text.slice(op.from, op.to) === '='
        )
          names.add(JSON.parse(text.slice(value.from, value.to).replace(/^'(.*)'$/, '"$1"')) as string);
      }
    },
  });
  if (errorAt !== undefined)
    throw new PromqlError(
      `PromQL syntax error at character ${errorAt + 1}: ${text.slice(errorAt, errorAt + 30) || '(end)'} in ${text}`,
    );
  if (text.trim() === '') throw new PromqlError('empty PromQL expression');
  return [...names].sort();
}

interface ScrapeSetFile {
  metrics: Record<string, string[]>;
}

/** Every metric the deployment scrapes, with the sources that emit it. */
export function loadScrapeSet(file = SCRAPE_SET_FILE): Map<string, string[]> {
  const { metrics } = JSON.parse(readFileSync(file, 'utf8')) as ScrapeSetFile;
  return new Map(Object.entries(metrics));
}

/** The metrics an expression names that nothing in the scrape set emits. */
export function unknownMetrics(expr: string, set: Map<string, string[]> = loadScrapeSet()): string[] {
  return promqlMetrics(expr).filter((name) => !set.has(name));
}
