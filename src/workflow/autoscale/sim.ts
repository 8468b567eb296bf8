/**
 * The farm as a discrete-event model, for training and comparing policies thousands of times
 * faster than real time. Deterministic: the workload's schedule (seeded by the episode) is the
 * only randomness, and events at the same instant run in the order they were scheduled.
 *
 * The model, after the reference's roles (anchors §1.4–§1.9):
 * - the emitter plays the schedule from t = 0; it pops phase k's config when phase k starts, so
 *   input_q is the number of phases not yet started (3 during phase 1 of 4); every task enters
 *   worker_q (FIFO) and counts in `enqueuedTotal`;
 * - an idle worker takes the oldest task (after `pickupSeconds`), works for
 *   processingTime · serviceFactor + serviceOverheadSeconds, and hands the result to the collector;
 * - the collector, one at a time, collects a result `collectSeconds` after it can, and records
 *   completion time (collection − generation) and QoS (deadline ≥ completion time); result_q is
 *   the results not yet collected;
 * - scale(+Δ) takes Δ · scaleUpSeconds; the new workers count in `workers` from its start (as
 *   deployments do) and take tasks from its end;
 * - scale(−Δ) sends Δ SYNs, which workers read between tasks only: an idle worker ACKs at once,
 *   a busy one when its task is done. The controller waits for the ACKs up to
 *   `ackTimeoutSeconds`, then removes the workers that ACKed (scaleDownRemoveSeconds each); SYNs
 *   still unread at the timeout are withdrawn, their workers stay and are reported as missingAcks.
 */
import { z } from 'zod';
import type { ScheduledTask } from '../workload/contract.js';
import { expectedTaskCount } from '../workload/phases.js';
import { type PhaseSpan, workloadTimeline } from '../workload/schedule.js';
import { parseConfig } from './config.js';
import type { CollectedTask, EpisodeSpec, FarmBackend, FarmSnapshot, ScaleOutcome } from './contract.js';

const seconds = z.number().finite().min(0);

export const simulatedFarmSchema = z.strictObject({
  /**
   * s per worker added (deploy, start, START message): 0.63–0.79 s on the embedded platform here
   * (LiveFarm.scaleUp, 8 times, dfaas run from source); the reference's cluster took 6.46
   * (preset `reference`).
   */
  scaleUpSeconds: seconds.default(0.7),
  /** s per worker removed once it has ACKed: 0.03–0.04 s on the embedded platform here; the reference: 2.58. */
  scaleDownRemoveSeconds: seconds.default(0.04),
  /** s the controller waits for scale-down ACKs (the reference: 32 empty polls of 1 s). */
  ackTimeoutSeconds: seconds.default(32),
  /** s between a task being there and an idle worker starting it (the reference polls every 0.1 s). */
  pickupSeconds: seconds.default(0),
  /** Multiplies each task's simulated processing time. */
  serviceFactor: z.number().finite().positive().default(1),
  /** s added to each task's service. */
  serviceOverheadSeconds: seconds.default(0),
  /** s the collector spends on each result. */
  collectSeconds: seconds.default(0.002),
});
export type SimulatedFarmInput = z.input<typeof simulatedFarmSchema>;
export type SimulatedFarmOptions = z.output<typeof simulatedFarmSchema>;

/** Scaling costs: `embedded` (the defaults) and `reference` (the reference's measured means, anchors §1.9). */
export const SIM_PRESETS = {
  embedded: {},
  reference: { scaleUpSeconds: 6.46, scaleDownRemoveSeconds: 2.58 },
} as const satisfies Record<string, SimulatedFarmInput>;
export type SimPresetName = keyof typeof SIM_PRESETS;

type FarmEvent =
  | { kind: 'arrival' }
  /** A worker starts the task it picked up. */
  | { kind: 'start'; task: number }
  | { kind: 'finish'; task: number }
  | { kind: 'collect'; task: number }
  /** Workers added by a scale-up are up. */
  | { kind: 'ready'; count: number };

interface Scheduled {
  time: number;
  /** Ties at one instant run in scheduling order. */
  seq: number;
  event: FarmEvent;
}

/** A binary min-heap of events by (time, seq). */
class EventQueue {
  private readonly heap: Scheduled[] = [];
  private seq = 0;

  push(time: number, event: FarmEvent): void {
    const heap = this.heap;
    heap.push({ time, seq: this.seq++, event });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i] as Scheduled, heap[parent] as Scheduled)) break;
      swap(heap, i, parent);
      i = parent;
    }
  }

  peekTime(): number {
    return this.heap[0]?.time ?? Number.POSITIVE_INFINITY;
  }

  pop(): Scheduled | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < heap.length && before(heap[left] as Scheduled, heap[least] as Scheduled)) least = left;
      if (right < heap.length && before(heap[right] as Scheduled, heap[least] as Scheduled)) least = right;
      if (least === i) return top;
      swap(heap, i, least);
      i = least;
    }
  }
}

function before(a: Scheduled, b: Scheduled): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

function swap<T>(items: T[], i: number, j: number): void {
  const t = items[i] as T;
  items[i] = items[j] as T;
  items[j] = t;
}

/** One episode's state. */
interface EpisodeState {
  tasks: ScheduledTask[];
  phases: PhaseSpan[];
  expectedTasks: number;
  events: EventQueue;
  now: number;
  /** Tasks the emitter has enqueued; tasks [taken, enqueued) are in worker_q. */
  enqueued: number;
  taken: number;
  /** Taken by a worker that has not started them yet (still counted in worker_q). */
  pickingUp: number;
  /** Results not yet collected. */
  resultQueue: number;
  collectorFreeAt: number;
  collected: CollectedTask[];
  /** Workers as deployments count them: starting, idle, busy, or ACKed and being removed. */
  workers: number;
  idle: number;
  /** SYNs sent and not yet read, ACKs received, and when the last came. */
  syn: { unread: number; acked: number; lastAckAt: number };
  /** ∫ workers dt up to `meteredUntil`. */
  workerSeconds: number;
  meteredUntil: number;
}

export class SimulatedFarm implements FarmBackend {
  readonly kind = 'sim' as const;
  readonly options: SimulatedFarmOptions;
  private state: EpisodeState | undefined;

  constructor(options: SimulatedFarmInput = {}) {
    this.options = parseConfig(simulatedFarmSchema, options, 'simulated farm');
  }

  /** ∫ workers dt since the episode's reset, s (0 before any). */
  get workerSeconds(): number {
    const s = this.state;
    return s ? s.workerSeconds + s.workers * (s.now - s.meteredUntil) : 0;
  }

  async reset(spec: EpisodeSpec): Promise<FarmSnapshot> {
    const workload = { ...spec.workload, seed: spec.seed };
    const { tasks, phases } = workloadTimeline(workload);
    const state: EpisodeState = {
      tasks,
      phases,
      expectedTasks: expectedTaskCount(workload),
      events: new EventQueue(),
      now: 0,
      enqueued: 0,
      taken: 0,
      pickingUp: 0,
      resultQueue: 0,
      collectorFreeAt: 0,
      collected: [],
      workers: spec.initialWorkers,
      idle: spec.initialWorkers,
      syn: { unread: 0, acked: 0, lastAckAt: 0 },
      workerSeconds: 0,
      meteredUntil: 0,
    };
    this.state = state;
    const first = tasks[0];
    if (first) state.events.push(first.at, { kind: 'arrival' });
    this.runUntil(0);
    return this.snapshot();
  }

  async scale(delta: number): Promise<ScaleOutcome> {
    if (!Number.isInteger(delta))
      throw new RangeError(`SimulatedFarm.scale: delta must be an integer, got ${delta}`);
    if (delta > 0) return this.scaleUp(delta);
    if (delta < 0) return this.scaleDown(-delta);
    return { applied: 0, seconds: 0 };
  }

  async advance(seconds: number): Promise<FarmSnapshot> {
    if (!(seconds >= 0)) throw new RangeError(`SimulatedFarm.advance: seconds must be >= 0, got ${seconds}`);
    const s = this.current();
    this.runUntil(s.now + seconds);
    return this.snapshot();
  }

  async close(): Promise<void> {
    this.state = undefined;
  }

  private scaleUp(count: number): ScaleOutcome {
    const s = this.current();
    const seconds = count * this.options.scaleUpSeconds;
    this.setWorkers(s.workers + count);
    s.events.push(s.now + seconds, { kind: 'ready', count });
    this.runUntil(s.now + seconds);
    return { applied: count, seconds };
  }

  private scaleDown(count: number): ScaleOutcome {
    const s = this.current();
    if (count >= s.workers) {
      throw new RangeError(`SimulatedFarm.scale: cannot remove ${count} of ${s.workers} workers`);
    }
    const start = s.now;
    const deadline = start + this.options.ackTimeoutSeconds;
    s.syn = { unread: count, acked: 0, lastAckAt: start };
    this.readSyns();
    while (s.syn.acked < count && s.events.peekTime() <= deadline) this.runNext();
    const acked = s.syn.acked;
    const waited = acked < count ? this.options.ackTimeoutSeconds : s.syn.lastAckAt - start;
    s.syn.unread = 0;
    const seconds = waited + acked * this.options.scaleDownRemoveSeconds;
    this.runUntil(start + seconds);
    this.setWorkers(s.workers - acked);
    const outcome: ScaleOutcome = { applied: acked === 0 ? 0 : -acked, seconds };
    if (acked < count) outcome.missingAcks = count - acked;
    return outcome;
  }

  private snapshot(): FarmSnapshot {
    const s = this.current();
    return {
      now: s.now,
      inputQueue: s.phases.filter((p) => p.start > s.now).length,
      workerQueue: s.enqueued - s.taken + s.pickingUp,
      resultQueue: s.resultQueue,
      outputQueue: s.collected.length,
      workers: s.workers,
      enqueuedTotal: s.enqueued,
      // The live list, not a copy: it only grows, and observe() reads it up to `now`.
      collected: s.collected,
      expectedTasks: s.expectedTasks,
    };
  }

  private current(): EpisodeState {
    if (!this.state) throw new Error('SimulatedFarm: reset before use');
    return this.state;
  }

  private runUntil(time: number): void {
    const s = this.current();
    while (s.events.peekTime() <= time) this.runNext();
    s.now = time;
  }

  private runNext(): void {
    const s = this.current();
    const next = s.events.pop();
    if (!next) return;
    s.now = next.time;
    const event = next.event;
    switch (event.kind) {
      case 'arrival': {
        s.enqueued++;
        const following = s.tasks[s.enqueued];
        if (following) s.events.push(following.at, { kind: 'arrival' });
        this.dispatch();
        break;
      }
      case 'start':
        s.pickingUp--;
        this.startService(event.task);
        break;
      case 'finish':
        s.resultQueue++;
        s.collectorFreeAt = Math.max(s.now, s.collectorFreeAt) + this.options.collectSeconds;
        s.events.push(s.collectorFreeAt, { kind: 'collect', task: event.task });
        this.becomeIdle(1);
        break;
      case 'collect':
        s.resultQueue--;
        this.collect(event.task);
        break;
      case 'ready':
        this.becomeIdle(event.count);
        break;
    }
  }

  /** Workers between tasks read the SYNs first (the reference's loop), then take tasks. */
  private becomeIdle(count: number): void {
    this.current().idle += count;
    this.readSyns();
    this.dispatch();
  }

  private readSyns(): void {
    const s = this.current();
    const read = Math.min(s.idle, s.syn.unread);
    if (read === 0) return;
    s.idle -= read;
    s.syn.unread -= read;
    s.syn.acked += read;
    s.syn.lastAckAt = s.now;
  }

  private dispatch(): void {
    const s = this.current();
    while (s.idle > 0 && s.taken < s.enqueued) {
      const task = s.taken++;
      s.idle--;
      if (this.options.pickupSeconds > 0) {
        s.pickingUp++;
        s.events.push(s.now + this.options.pickupSeconds, { kind: 'start', task });
      } else {
        this.startService(task);
      }
    }
  }

  private startService(index: number): void {
    const s = this.current();
    const task = s.tasks[index] as ScheduledTask;
    const service = task.processingTime * this.options.serviceFactor + this.options.serviceOverheadSeconds;
    s.events.push(s.now + service, { kind: 'finish', task: index });
  }

  private collect(index: number): void {
    const s = this.current();
    const task = s.tasks[index] as ScheduledTask;
    const completionTime = s.now - task.at;
    s.collected.push({
      // The task's place in the schedule: `task-0` is the first generated.
      taskId: `task-${index}`,
      collectedAt: s.now,
      completionTime,
      qos: task.deadline >= completionTime,
    });
  }

  /** Changes the worker count, metering the time spent at the old one. */
  private setWorkers(workers: number): void {
    const s = this.current();
    s.workerSeconds += s.workers * (s.now - s.meteredUntil);
    s.meteredUntil = s.now;
    s.workers = workers;
  }
}
