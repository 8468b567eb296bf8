/**
 * A farm back-end the test scripts: scaling applies at once (minus scripted missing ACKs) and
 * takes `scaleSeconds`; each advance moves the clock and runs `onAdvance`, which sets what the
 * farm did during the step.
 */
import type {
  CollectedTask,
  EpisodeSpec,
  FarmBackend,
  FarmSnapshot,
  ScaleOutcome,
} from '../../../src/workflow/autoscale/contract.js';

export type FarmState = Omit<FarmSnapshot, 'collected'> & { collected: CollectedTask[] };

export class ScriptedFarm implements FarmBackend {
  readonly kind = 'sim' as const;
  readonly specs: EpisodeSpec[] = [];
  readonly scaleCalls: number[] = [];
  readonly advanceCalls: number[] = [];
  scaleSeconds = 0;
  /** ACKs each scale-down misses. */
  missingAcks = 0;
  closed = false;
  state: FarmState = ScriptedFarm.initial(12, 10);

  constructor(
    private readonly expectedTasks = 10,
    private readonly onAdvance: (state: FarmState, step: number) => void = () => {},
  ) {}

  static initial(workers: number, expectedTasks: number): FarmState {
    return {
      now: 0,
      inputQueue: 3,
      workerQueue: 0,
      resultQueue: 0,
      outputQueue: 0,
      workers,
      enqueuedTotal: 0,
      collected: [],
      expectedTasks,
    };
  }

  async reset(spec: EpisodeSpec): Promise<FarmSnapshot> {
    this.specs.push(spec);
    this.state = ScriptedFarm.initial(spec.initialWorkers, this.expectedTasks);
    return { ...this.state };
  }

  async scale(delta: number): Promise<ScaleOutcome> {
    this.scaleCalls.push(delta);
    const missing = delta < 0 ? Math.min(this.missingAcks, -delta) : 0;
    const applied = delta < 0 ? delta + missing : delta;
    this.state.workers += applied;
    this.state.now += this.scaleSeconds;
    return missing > 0
      ? { applied, seconds: this.scaleSeconds, missingAcks: missing }
      : { applied, seconds: this.scaleSeconds };
  }

  async advance(seconds: number): Promise<FarmSnapshot> {
    this.advanceCalls.push(seconds);
    this.state.now += seconds;
    this.onAdvance(this.state, this.advanceCalls.length);
    this.state.outputQueue = this.state.collected.length;
    return { ...this.state };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** Collects `count` tasks at the farm's now, `met` of them within their deadline. */
export function collect(state: FarmState, count: number, met = count): void {
  for (let i = 0; i < count; i++) {
    state.collected.push({
      taskId: `t${state.collected.length}`,
      collectedAt: state.now,
      completionTime: 1,
      qos: i < met,
    });
  }
}
