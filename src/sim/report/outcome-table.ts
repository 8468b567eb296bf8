import type { SimEngine, StrategyOutcome } from '../run.js';

/** What a run's strategies came to, as rows under a header: the command's table and the report's. */
export function outcomeTable(
  engine: SimEngine,
  outcomes: readonly StrategyOutcome[],
): { header: string[]; rows: string[][] } {
  const fmt = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(2));
  if (engine === 'rounds')
    return {
      header: [
        'strategy',
        'mean success %',
        'median %',
        'stress mean %',
        'stress median %',
        'mean power µW',
        'max power µW',
        'rejected',
        'forwarded % of offered',
      ],
      rows: outcomes.map((o) => [
        o.strategy,
        fmt(o.indexes?.['Mean success rate']),
        fmt(o.indexes?.['Success rate median']),
        fmt(o.indexes?.['Mean success rate (stress period)']),
        fmt(o.indexes?.['Success rate median (stress period)']),
        fmt(o.indexes?.['Mean node power consumption']),
        fmt(o.indexes?.['Max node power consumption']),
        String(o.indexes?.['Tot. rejected requests'] ?? '-'),
        fmt(100 * o.forwardedShare),
      ]),
    };
  return {
    header: ['strategy', 'requests', 'success %', 'forwarded % of served', 'p50 ms', 'p90 ms', 'p99 ms'],
    rows: outcomes.map((o) => [
      o.strategy,
      String(o.offered ?? 0),
      fmt(100 * o.successRate),
      fmt(100 * o.forwardedShare),
      fmt(o.latency?.p50Ms),
      fmt(o.latency?.p90Ms),
      fmt(o.latency?.p99Ms),
    ]),
  };
}
