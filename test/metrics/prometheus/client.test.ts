import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../src/config/read-file.js';
import { close, listen, sendJson } from '../../../src/core/http.js';
import { PrometheusError } from '../../../src/metrics/errors.js';
import { averageThenSum, PrometheusClient } from '../../../src/metrics/prometheus/client.js';
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

  it('throws a PrometheusError naming the query for an error answer and for no answer', async () => {
    const server = createServer((req, res) =>
      req.url?.includes('bad')
        ? sendJson(res, 400, { status: 'error', error: 'parse error at char 4' })
        : sendJson(res, 200, { status: 'success', data: { result: [{ metric: {}, value: [1, '2'] }] } }),
    );
    const { port } = await listen(server, '127.0.0.1', 0);
    try {
      const client = new PrometheusClient(`http://127.0.0.1:${port}/`);
      expect(await client.query('up')).toEqual([{ metric: {}, value: [1, '2'] }]);
      const answered = await client.query('bad(').catch((e: unknown) => e);
      expect(answered).toBeInstanceOf(PrometheusError);
      expect((answered as PrometheusError).code).toBe('DFAAS_ERR_PROMETHEUS');
      expect((answered as Error).message).toMatch(/\/api\/v1\/query "bad\(": parse error at char 4/);
    } finally {
      await close(server, 0);
    }
    const unreachable = new PrometheusClient(`http://127.0.0.1:${port}`);
    await expect(unreachable.queryRange('up', 0, 10, 1)).rejects.toThrow(PrometheusError);
  });
});
