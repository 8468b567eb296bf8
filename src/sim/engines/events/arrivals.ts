import { exponential } from './streams.js';

export const ARRIVAL_PROCESSES = ['poisson', 'constant'] as const;
export type ArrivalProcess = (typeof ARRIVAL_PROCESSES)[number];

/**
 * The users' requests of every stream (the users of one node calling one function), at the rate
 * of each instant: Poisson (exponential gaps) or evenly spaced. Rates change only at the instants'
 * boundaries. A Poisson stream restarts at a boundary with the new rate, which is exact for a
 * piecewise-constant rate since the process is memoryless; an evenly spaced stream puts its k-th
 * arrival of instant i at start(i) + (k + phase)·gap, its phase in [0, 1) drawn once, so that
 * streams of the same rate do not arrive in lockstep and times do not drift by summing gaps.
 */
export class ArrivalStreams {
  /** The instant of each stream's last arrival. */
  private readonly instant: Int32Array;
  /** Evenly spaced streams: the index k of the last arrival within its instant. */
  private readonly k: Float64Array;
  private readonly phase: Float64Array;

  /**
   * @param rates requests/s of stream s at instant i at [s·instants + i]
   * @param draws each stream's random stream
   */
  constructor(
    private readonly rates: Float64Array,
    private readonly instants: number,
    private readonly instantMs: number,
    private readonly process: ArrivalProcess,
    private readonly draws: ReadonlyArray<() => number>,
  ) {
    const streams = draws.length;
    this.instant = new Int32Array(streams);
    this.k = new Float64Array(streams);
    this.phase = new Float64Array(streams);
    if (process === 'constant')
      for (let s = 0; s < streams; s++) this.phase[s] = (draws[s] as () => number)();
  }

  /** Stream s's first arrival, ms from the start; Infinity when it has none. */
  first(s: number): number {
    this.instant[s] = 0;
    this.k[s] = -1;
    return this.next(s, 0);
  }

  /** Stream s's arrival after its last one, at `t`; Infinity when it has no more. */
  next(s: number, t: number): number {
    const { instants, instantMs } = this;
    let i = this.instant[s] as number;
    let from = t;
    for (;;) {
      const rate = this.rates[s * instants + i] as number;
      const end = (i + 1) * instantMs;
      if (rate > 0) {
        const gap = 1000 / rate;
        let at: number;
        if (this.process === 'constant') {
          const k = (this.k[s] as number) + 1;
          this.k[s] = k;
          at = i * instantMs + (k + (this.phase[s] as number)) * gap;
        } else {
          at = from + exponential(this.draws[s] as () => number) * gap;
        }
        if (at < end) {
          this.instant[s] = i;
          return at;
        }
      }
      i++;
      this.instant[s] = i;
      if (i >= instants) return Number.POSITIVE_INFINITY;
      from = i * instantMs;
      this.k[s] = -1;
    }
  }
}
