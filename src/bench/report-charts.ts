/**
 * The charts of `dfaas bench report`, as Vega-Lite specifications (drawn by src/charts): the
 * charts faas-benchmarker's generate_graphs.py drew — cold and warm latency per function (box
 * and strip), latency over the run's time coloured cold/warm, latency per instance, throughput
 * against the compute time asked (one at a time and concurrent), success rate and latency
 * against the burst size (Cc_bench), the calls over time of a load shape (scenario-pyramid,
 * growing-load-spikes) — and dfaas's: the idle-time search's probes with the idle time found,
 * each function's lifetime, the instances serving a shrinking load. Runs compared are told apart
 * by colour (their label) or drawn side by side (a facet per run).
 */
import type { ChartSpec } from '../charts/render.js';
import type { CallPoint } from './report-data.js';
import type { StoreRow } from './store/contract.js';

/** Cold red, warm blue, in every chart. */
const GROUP_COLOR = {
  field: 'group',
  type: 'nominal' as const,
  title: 'call',
  scale: { domain: ['cold', 'warm'], range: ['#d62728', '#1f77b4'] },
};
/** A colour per run, in the runs' order (the same run the same colour in every chart of a section). */
const runColor = (runs: readonly string[]) => ({
  field: 'run',
  type: 'nominal' as const,
  title: 'run',
  scale: { domain: [...runs] },
  legend: { labelLimit: 400 },
});
/**
 * The latency axis: cold latencies are often hundreds of times warm ones, and a symlog scale shows
 * both (and a latency ≤ 0, which log cannot); latencies within a factor of 20 of each other are
 * drawn on a linear scale, from their lowest.
 */
export function latencyY(points: readonly CallPoint[]) {
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (const { latencyMs } of points)
    if (Number.isFinite(latencyMs)) {
      low = Math.min(low, latencyMs);
      high = Math.max(high, latencyMs);
    }
  const symlog = high / Math.max(1, low) > 20;
  if (!symlog)
    return {
      field: 'latencyMs',
      type: 'quantitative' as const,
      title: 'latency (ms)',
      scale: { zero: false },
    };
  // 1, 2, 5 per decade (symlog's own ticks are linear: 0, 200, 400 … hide the warm calls' range).
  const ticks = [0];
  for (let decade = 1; decade <= Math.max(1, high) * 10; decade *= 10)
    for (const m of [1, 2, 5]) if (m * decade <= high * 1.05) ticks.push(m * decade);
  return {
    field: 'latencyMs',
    type: 'quantitative' as const,
    title: 'latency (ms, symlog scale)',
    scale: { type: 'symlog' as const },
    axis: { values: ticks },
  };
}

const POINT_TOOLTIP = [
  { field: 'run', title: 'run' },
  { field: 'function', title: 'function' },
  { field: 'group', title: 'call' },
  { field: 'coldBy', title: 'told by' },
  { field: 'latencyMs', title: 'latency (ms)', format: '.2f' },
  { field: 't', title: 'seconds into the run (reference)', format: '.1f' },
  { field: 'instanceIdentifier', title: 'instance' },
  { field: 'threads', title: 'calls at once' },
];

/** `spec` drawn once per run, one above the other (a single run: as it is). */
function perRun(
  values: unknown[],
  runs: readonly string[],
  spec: Record<string, unknown>,
  by: 'row' | 'column' = 'row',
): ChartSpec {
  if (runs.length <= 1) return { data: { values }, ...spec } as unknown as ChartSpec;
  return {
    data: { values },
    facet: {
      [by]: {
        field: 'run',
        type: 'nominal',
        title: null,
        sort: [...runs],
        // Each run's name above its chart, across (not beside it, turned).
        header: {
          labelAngle: 0,
          labelOrient: 'top',
          labelAnchor: 'start',
          labelFontWeight: 'bold',
          labelLimit: 600,
        },
      },
    },
    spec,
    resolve: { scale: { x: 'independent' } },
  } as unknown as ChartSpec;
}

/**
 * Cold and warm latency per function (generate_graphs.py's box and strip plots): a box (min to
 * max) per group and run, the calls as points over it; runs side by side in each group.
 */
export function coldWarmSpec(points: readonly CallPoint[], runs: readonly string[]): ChartSpec {
  const x = { field: 'group', type: 'nominal' as const, title: null, sort: ['cold', 'warm'] };
  const y = latencyY(points);
  const xOffset = { field: 'run', type: 'nominal' as const, sort: [...runs] };
  const groups = new Set(points.map((p) => p.group)).size;
  return {
    data: { values: points },
    facet: { column: { field: 'function', type: 'nominal', title: 'function' } },
    spec: {
      width: Math.max(120, groups * runs.length * 40),
      height: 220,
      layer: [
        {
          mark: { type: 'boxplot', extent: 'min-max', opacity: 0.35, median: { color: '#000000' } },
          encoding: { x, xOffset, y, color: runColor(runs) },
        },
        {
          mark: { type: 'point', filled: true, size: 16, opacity: 0.7, tooltip: true },
          encoding: { x, xOffset, y, color: runColor(runs), tooltip: POINT_TOOLTIP },
        },
      ],
    },
  } as ChartSpec;
}

/** Latency of every call against when it started (generate_graphs.py's scatter), cold red and warm blue. */
export function latencyOverTimeSpec(points: readonly CallPoint[], runs: readonly string[]): ChartSpec {
  return perRun([...points], runs, {
    width: 560,
    height: 200,
    mark: { type: 'point', filled: true, size: 18, opacity: 0.7, tooltip: true },
    encoding: {
      x: { field: 't', type: 'quantitative', title: 'seconds into the run (reference: real × time scale)' },
      y: latencyY(points),
      color: GROUP_COLOR,
      shape: { field: 'function', type: 'nominal', title: 'function' },
      tooltip: POINT_TOOLTIP,
    },
  });
}

/** Latency per instance (generate_graphs.py's strip plot by instance_id): #1 is the first to answer. */
export function perInstanceSpec(points: readonly CallPoint[], runs: readonly string[]): ChartSpec {
  const values = points.map((p) => ({ ...p, order: Number(p.instance.slice(1)) }));
  const instances = Math.max(
    ...runs.map((r) => new Set(points.filter((p) => p.run === r).map((p) => p.instance)).size),
  );
  return perRun(values, runs, {
    width: Math.min(900, Math.max(160, instances * 18)),
    height: 200,
    mark: { type: 'point', filled: true, size: 18, opacity: 0.7, tooltip: true },
    encoding: {
      x: {
        field: 'instance',
        type: 'ordinal',
        title: 'instance, in the order they first answered',
        sort: { field: 'order' },
        axis: { labelAngle: 0, labelOverlap: true },
      },
      y: latencyY(points),
      color: GROUP_COLOR,
      tooltip: POINT_TOOLTIP,
    },
  });
}

/**
 * Loop iterations done (`throughput`) against the compute time asked (`throughput_time`), one
 * call at a time and concurrent (generate_graphs.py's throughput plots).
 */
export function throughputSpec(points: readonly CallPoint[], runs: readonly string[]): ChartSpec {
  return perRun(
    [...points],
    runs,
    {
      width: 360,
      height: 220,
      mark: { type: 'point', filled: true, size: 24, opacity: 0.7, tooltip: true },
      encoding: {
        x: {
          field: 'throughputTime',
          type: 'quantitative',
          title: 'compute time asked (s, as sent: reference ÷ time scale)',
        },
        y: { field: 'throughput', type: 'quantitative', title: 'loop iterations done (throughput)' },
        color: { field: 'mode', type: 'nominal', title: 'calls', sort: ['one at a time', 'concurrent'] },
        tooltip: [
          { field: 'run', title: 'run' },
          { field: 'function', title: 'function' },
          { field: 'throughputTime', title: 'compute time asked (s)', format: '.4f' },
          { field: 'throughput', title: 'iterations' },
          { field: 'threads', title: 'calls at once' },
          { field: 'latencyMs', title: 'latency (ms)', format: '.2f' },
        ],
      },
    },
    'column',
  );
}

/** A Cc_bench row as the concurrency charts draw it. */
export interface BurstPoint {
  run: string;
  threads: number;
  successRate: number | null;
  latencyMs: number | null;
  errors: number;
}

export function burstPoints(run: string, rows: readonly StoreRow[]): BurstPoint[] {
  const finite = (v: unknown) =>
    v !== undefined && v !== null && Number.isFinite(Number(v)) ? Number(v) : null;
  return rows.map((r) => ({
    run,
    threads: Number(r.numb_threads),
    successRate: finite(r.success_rate),
    latencyMs: finite(r.acc_latency) === null ? null : (finite(r.acc_latency) as number) * 1000,
    errors: Number(r.errors ?? 0),
  }));
}

/**
 * A figure of each burst against its size (Cc_bench: success rate, or mean latency), a point per
 * burst and a line through the mean of each size, a colour per run.
 */
export function burstSpec(
  points: readonly BurstPoint[],
  runs: readonly string[],
  which: 'successRate' | 'latencyMs',
): ChartSpec {
  const sizes = [...new Set(points.map((p) => p.threads))].sort((a, b) => a - b);
  const x = {
    field: 'threads',
    type: 'quantitative' as const,
    title: 'calls released together (log₂ scale)',
    scale: { type: 'log' as const, base: 2, nice: false, padding: 12 },
    // A tick per burst size measured (8, 16 … 256), not log₂'s 5, 6, 7.
    axis: { values: sizes, format: 'd' },
  };
  const title = which === 'successRate' ? 'success rate (share answered)' : 'mean latency of the burst (ms)';
  return {
    width: 360,
    height: 220,
    data: { values: points },
    layer: [
      {
        mark: { type: 'line' },
        encoding: {
          x,
          y: { field: which, aggregate: 'mean', type: 'quantitative', title },
          color: runColor(runs),
        },
      },
      {
        mark: { type: 'point', filled: true, size: 40, tooltip: true },
        encoding: {
          x,
          y: {
            field: which,
            type: 'quantitative',
            title,
            ...(which === 'successRate' ? { scale: { domain: [0, 1] } } : {}),
          },
          color: runColor(runs),
          tooltip: [
            { field: 'run', title: 'run' },
            { field: 'threads', title: 'calls at once' },
            { field: 'successRate', title: 'success rate', format: '.3f' },
            { field: 'latencyMs', title: 'mean latency (ms)', format: '.2f' },
            { field: 'errors', title: 'errors' },
          ],
        },
      },
    ],
  } as ChartSpec;
}

/** A call started, answered or failed, on a load shape's timeline. */
export interface TimelinePoint {
  run: string;
  t: number;
  outcome: 'answered' | 'failed';
}

/** Calls started over the run's time (scenario-pyramid's and growing-load-spikes' load shapes), answered or failed. */
export function timelineSpec(points: readonly TimelinePoint[], runs: readonly string[]): ChartSpec {
  return perRun([...points], runs, {
    width: 560,
    height: 160,
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: {
        field: 't',
        type: 'quantitative',
        bin: { maxbins: 60 },
        title: 'seconds into the run (reference: real × time scale)',
      },
      y: { aggregate: 'count', type: 'quantitative', title: 'calls started' },
      color: {
        field: 'outcome',
        type: 'nominal',
        title: 'call',
        scale: { domain: ['answered', 'failed'], range: ['#4c78a8', '#e45756'] },
      },
    },
  });
}

/** An idle-time search's probe (a Coldstart row). */
export interface ProbePoint {
  run: string;
  probe: number;
  idleSeconds: number;
  group: 'cold' | 'warm';
  final: boolean;
  granularity: number | null;
}

export function probePoints(run: string, rows: readonly StoreRow[]): ProbePoint[] {
  return rows.map((r, i) => ({
    run,
    probe: i + 1,
    idleSeconds: Number(r.minutes ?? 0) * 60 + Number(r.seconds ?? 0),
    group: r.cold === true ? 'cold' : 'warm',
    final: r.final === true,
    granularity: r.granularity === undefined ? null : Number(r.granularity),
  }));
}

/** The idle-time search: each probe's idle time, cold or warm, the final one (the idle time found) ringed. */
export function probesSpec(points: readonly ProbePoint[], runs: readonly string[]): ChartSpec {
  const x = { field: 'probe', type: 'quantitative' as const, title: 'probe', axis: { tickMinStep: 1 } };
  const y = {
    field: 'idleSeconds',
    type: 'quantitative' as const,
    title: 'idle time before the call (reference s)',
  };
  return perRun(
    [...points],
    runs,
    {
      width: 360,
      height: 200,
      layer: [
        { mark: { type: 'line', color: '#bbbbbb' }, encoding: { x, y } },
        {
          mark: { type: 'point', filled: true, size: 50, tooltip: true },
          encoding: {
            x,
            y,
            color: GROUP_COLOR,
            tooltip: [
              { field: 'run', title: 'run' },
              { field: 'probe', title: 'probe' },
              { field: 'idleSeconds', title: 'idle (s)' },
              { field: 'group', title: 'call' },
              { field: 'granularity', title: 'step (s)' },
              { field: 'final', title: 'final' },
            ],
          },
        },
        {
          transform: [{ filter: 'datum.final' }],
          mark: { type: 'point', size: 260, strokeWidth: 2, color: '#000000', filled: false },
          encoding: { x, y },
        },
        {
          transform: [
            { filter: 'datum.final' },
            { calculate: "'found: ' + datum.idleSeconds + ' s'", as: 'note' },
          ],
          mark: { type: 'text', dy: -16, align: 'right', fontSize: 11 },
          encoding: { x, y, text: { field: 'note' } },
        },
      ],
    },
    'column',
  );
}

/** How long each run's first instance lived (Function_lifetime), replaced or still there at the end. */
export interface LifetimePoint {
  run: string;
  seconds: number;
  outcome: 'replaced' | 'not replaced (lived at least this)';
  original: string;
  successor: string;
  every: number | null;
}

export function lifetimePoints(run: string, rows: readonly StoreRow[]): LifetimePoint[] {
  return rows.map((r) => ({
    run,
    seconds: Number(r.hours ?? 0) * 3600 + Number(r.minutes ?? 0) * 60 + Number(r.seconds ?? 0),
    outcome: r.reclaimed === true ? 'replaced' : 'not replaced (lived at least this)',
    original: String(r.orig_identifier ?? ''),
    successor: String(r.instance_identifier ?? ''),
    every: r.sleep_time === undefined ? null : Number(r.sleep_time),
  }));
}

export function lifetimeSpec(points: readonly LifetimePoint[]): ChartSpec {
  return {
    width: Math.max(160, points.length * 60),
    height: 200,
    data: { values: points },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'run', type: 'nominal', title: null, axis: { labelAngle: -20, labelLimit: 260 } },
      y: { field: 'seconds', type: 'quantitative', title: 'lifetime of the first instance (reference s)' },
      color: { field: 'outcome', type: 'nominal', title: 'instance' },
      tooltip: [
        { field: 'run', title: 'run' },
        { field: 'seconds', title: 'lived (s)', format: '.0f' },
        { field: 'outcome', title: 'instance' },
        { field: 'original', title: 'first instance' },
        { field: 'successor', title: 'replaced by' },
        { field: 'every', title: 'a call every (s)' },
      ],
    },
  } as ChartSpec;
}

/** A load step of track-cloudfunctions-lifecycle (Function_lifecycle): calls and the instances that served them. */
export interface LifecyclePoint {
  run: string;
  calls: number;
  instances: number;
  errors: number;
}

export function lifecyclePoints(run: string, rows: readonly StoreRow[]): LifecyclePoint[] {
  return rows.map((r) => ({
    run,
    calls: Number(r.numb_invokations),
    instances: Number(r.unique_instances),
    errors: Number(r.errors ?? 0),
  }));
}

export function lifecycleSpec(points: readonly LifecyclePoint[], runs: readonly string[]): ChartSpec {
  const x = { field: 'calls', type: 'quantitative' as const, title: 'calls in the step' };
  const y = { field: 'instances', type: 'quantitative' as const, title: 'distinct instances that answered' };
  return {
    width: 360,
    height: 200,
    data: { values: points },
    layer: [
      { mark: { type: 'line' }, encoding: { x, y, color: runColor(runs) } },
      {
        mark: { type: 'point', filled: true, size: 40, tooltip: true },
        encoding: {
          x,
          y,
          color: runColor(runs),
          tooltip: [
            { field: 'run', title: 'run' },
            { field: 'calls', title: 'calls' },
            { field: 'instances', title: 'instances' },
            { field: 'errors', title: 'errors' },
          ],
        },
      },
    ],
  } as ChartSpec;
}
