import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../src/config/read-file.js';
import { averageThenSum } from '../../../src/metrics/prometheus/client.js';
import {
  fillQuery,
  PrometheusQueriesSchema,
  SHIPPED_QUERIES,
} from '../../../src/metrics/prometheus/queries.js';

describe('Prometheus source helpers', () => {
  it('averages each series over time, then sums the series; nothing is NaN', () => {
    const series = (values: string[]) => ({
      metric: {},
      values: values.map((v, i) => [i, v] as [number, string]),
    });
    expect(averageThenSum([series(['1', '3']), series(['10', 'NaN', '20'])])).toBe(2 + 15);
    expect(averageThenSum([])).toBeNaN();
    expect(averageThenSum([series(['NaN'])])).toBeNaN();
  });

  it('fills the placeholders', () => {
    expect(
      fillQuery('rate(x{container="{function}"}[{window}]) {pid_regex}', {
        window: '10s',
        function: 'figlet',
      }),
    ).toBe('rate(x{container="figlet"}[10s]) ^$');
  });

  it('ships two query profiles that validate', () => {
    for (const file of Object.values(SHIPPED_QUERIES)) {
      const q = loadConfigFile(PrometheusQueriesSchema, file);
      expect(q.node_cpu).toContain('node_cpu_seconds_total');
    }
  });
});
