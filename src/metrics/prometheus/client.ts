import { request } from 'undici';
import { PrometheusError } from '../errors.js';

/** One series of a range query: its labels and [unix seconds, value] points. */
export interface RangeSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

/**
 * A small client of the Prometheus HTTP API (/api/v1/query and /api/v1/query_range). Errors
 * (HTTP, Prometheus "status: error", transport) are thrown with the query in the message.
 */
export class PrometheusClient {
  private readonly base: string;

  constructor(
    url: string,
    private readonly timeoutMs = 10_000,
  ) {
    this.base = url.replace(/\/+$/, '');
  }

  /** Instant query: the value of each series now (or at `timeSec`). */
  async query(
    expr: string,
    timeSec?: number,
  ): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
    const params = new URLSearchParams({ query: expr });
    if (timeSec !== undefined) params.set('time', String(timeSec));
    return (await this.get('/api/v1/query', params, expr)) as {
      metric: Record<string, string>;
      value: [number, string];
    }[];
  }

  async queryRange(expr: string, startSec: number, endSec: number, stepSec: number): Promise<RangeSeries[]> {
    const params = new URLSearchParams({
      query: expr,
      start: String(startSec),
      end: String(endSec),
      step: String(stepSec),
    });
    return (await this.get('/api/v1/query_range', params, expr)) as RangeSeries[];
  }

  private async get(path: string, params: URLSearchParams, expr: string): Promise<unknown[]> {
    const what = `prometheus ${this.base}${path} "${expr}"`;
    let statusCode: number;
    let body: { status?: string; error?: string; data?: { result?: unknown[] } };
    try {
      const res = await request(`${this.base}${path}?${params}`, {
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      statusCode = res.statusCode;
      body = (await res.body.json()) as typeof body;
    } catch (err) {
      throw new PrometheusError(`${what}: ${(err as Error).message}`, { cause: err });
    }
    if (statusCode !== 200 || body.status !== 'success') {
      throw new PrometheusError(`${what}: ${body.error ?? `HTTP ${statusCode}`}`);
    }
    return body.data?.result ?? [];
  }
}

/**
 * The sampler's reading of a range query: each series averaged over time, then the series
 * summed. No series, or no finite point, is NaN.
 */
export function averageThenSum(series: RangeSeries[]): number {
  let total = 0;
  let any = false;
  for (const s of series) {
    const points = s.values.map(([, v]) => Number(v)).filter((v) => Number.isFinite(v));
    if (points.length === 0) continue;
    total += points.reduce((a, b) => a + b, 0) / points.length;
    any = true;
  }
  return any ? total : Number.NaN;
}

/** A range query's series summed at each evaluation time (seconds since the epoch → sum). */
export function sumAtEachTime(series: RangeSeries[]): Map<number, number> {
  const sums = new Map<number, number>();
  for (const s of series) {
    for (const [t, v] of s.values) {
      const x = Number(v);
      if (Number.isFinite(x)) sums.set(t, (sums.get(t) ?? 0) + x);
    }
  }
  return new Map([...sums.entries()].sort(([a], [b]) => a - b));
}
