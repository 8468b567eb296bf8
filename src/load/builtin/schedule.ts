/**
 * When the requests of an open-model executor are due: the i-th arrival's offset from the start,
 * in ms. Arrivals follow the clock, never the responses (k6's arrival-rate executors).
 */
export interface ArrivalSchedule {
  /** Arrivals in the whole run. */
  readonly count: number;
  /** Offset of arrival i (0-based) from the start, in ms; non-decreasing in i. */
  offsetMs(i: number): number;
  /** Length of the run, in ms. */
  readonly durationMs: number;
}

/** k6 constant-arrival-rate: `rate` arrivals per `timeUnitMs` for `durationMs`. */
export function constantArrivals(rate: number, timeUnitMs: number, durationMs: number): ArrivalSchedule {
  const perMs = rate / timeUnitMs;
  return {
    count: perMs > 0 ? Math.floor(perMs * durationMs + 1e-9) : 0,
    offsetMs: (i) => i / perMs,
    durationMs,
  };
}

export interface RampStage {
  /** Rate (per time unit) reached at the end of the stage. */
  target: number;
  durationMs: number;
}

/**
 * k6 ramping-arrival-rate: the rate moves linearly from `startRate` to each stage's target over
 * the stage. Arrival i is due when the integral of the rate reaches i (solved per stage: the
 * integral of a linear ramp is a quadratic).
 */
export function rampingArrivals(startRate: number, stages: RampStage[], timeUnitMs: number): ArrivalSchedule {
  interface Segment {
    startMs: number;
    durationMs: number;
    /** Rates per ms at the start and end of the segment. */
    r0: number;
    r1: number;
    /** Arrivals due before the segment starts. */
    before: number;
  }
  const segments: Segment[] = [];
  let startMs = 0;
  let rate = startRate / timeUnitMs;
  let before = 0;
  for (const stage of stages) {
    const r1 = stage.target / timeUnitMs;
    segments.push({ startMs, durationMs: stage.durationMs, r0: rate, r1, before });
    before += ((rate + r1) / 2) * stage.durationMs;
    startMs += stage.durationMs;
    rate = r1;
  }
  return {
    count: Math.floor(before + 1e-9),
    durationMs: startMs,
    offsetMs(i) {
      // The last segment whose first arrival is at or before i.
      let seg = segments[0] as Segment;
      for (const s of segments) if (s.before <= i) seg = s;
      const n = i - seg.before;
      const a = (seg.r1 - seg.r0) / (2 * seg.durationMs);
      const b = seg.r0;
      // a·t² + b·t = n for t in [0, duration]
      const t = Math.abs(a) < 1e-15 ? n / b : (-b + Math.sqrt(Math.max(0, b * b + 4 * a * n))) / (2 * a);
      return seg.startMs + Math.min(seg.durationMs, Math.max(0, t));
    },
  };
}
