import type { FunctionDeployment } from '../../config/function-deployment.js';
import { ReplicaUnavailableError } from '../errors.js';
import type { Recommendation } from './autoscaler.js';
import type { FunctionSettings } from './function-settings.js';
import type { FunctionMetrics } from './platform-metrics.js';
import { type ExitReason, type LivenessProbe, Replica } from './replica.js';
import { REPLICA_HEALTH_PATH } from './replica-protocol.js';

export interface EmbeddedFunctionOptions {
  /** How long a request may wait for a replica to start (cold start), in ms. */
  startTimeoutMs: number;
  /** A replica not ready within this is killed and started again, in ms. */
  readyTimeoutMs: number;
  /** How long a stopping replica may finish what it has in flight, in ms. */
  drainMs: number;
  /** How often ready replicas are probed for liveness, in ms. */
  livenessPeriodMs: number;
  /** Called as soon as a replica process exists (before it can fork), to put it in a cgroup. */
  onReplicaSpawn: (fn: EmbeddedFunction, replica: Replica) => void;
  /** Called when a replica becomes ready. */
  onReplicaReady: (fn: EmbeddedFunction, replica: Replica) => void;
  /**
   * Called whenever a replica ends. `unexpected` is true when it ended on its own (crash,
   * memory limit, failed start) and is being replaced, false when it was stopped.
   */
  onReplicaExit: (fn: EmbeddedFunction, replica: Replica, reason: ExitReason, unexpected: boolean) => void;
  /** Variables every replica gets beneath the function's own environment (the gateway's URL). */
  replicaEnv: () => Record<string, string>;
  /** Receives the replicas' stdout and stderr. */
  onReplicaOutput: (fn: EmbeddedFunction, replica: string, stream: 'stdout' | 'stderr', text: string) => void;
}

/**
 * A replica picked for one request and, when the request was the first that a replica started
 * for it serves (a cold start), how long it waited for that start.
 */
export interface Lease {
  replica: Replica;
  /** The request waited for this replica to start, and is its first: the ms it waited. */
  coldStartMs?: number;
  /** The request is the first the replica serves (however the replica was started). */
  first: boolean;
}

interface Waiter {
  /** `first`: the request is the first the replica serves. */
  resolve: (handed: { replica: Replica; first: boolean }) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** Replica ids are unique in the process, also across functions removed and deployed again. */
let replicaSerial = 0;

/** A crash within this long of starting counts towards the restart backoff. */
const CRASH_LOOP_WINDOW_MS = 10_000;
const MAX_BACKOFF_MS = 10_000;

/**
 * A deployed function on the embedded platform: its settings, its replica processes, and the
 * routing of requests to them (the ready replica with the fewest in flight).
 * Keeps as many live replicas as `desired`, replacing the ones that die, with an exponential
 * backoff when they keep dying right after starting. Requests that find no free replica wait
 * (up to startTimeoutMs) in arrival order.
 */
export class EmbeddedFunction {
  deployment: FunctionDeployment;
  settings: FunctionSettings;
  readonly createdAt = new Date();
  desired: number;
  replicas: Replica[] = [];
  invocationCount = 0;
  /** Idle time for scale-to-zero counts from the last invocation, or from deployment. */
  lastInvocationAt = performance.now();
  /** Autoscaler state: recommendations within the down window. */
  recommendations: Recommendation[] = [];
  /** Requests started since the autoscaler last read it. */
  startedSinceTick = 0;
  /** Requests holding a replica. */
  inflight = 0;
  private inflightArea = 0;
  private inflightSince = performance.now();
  private waiters: Waiter[] = [];
  /** Replicas of the previous deployment, serving until replicas of the new one are ready. */
  private readonly outdated = new Set<Replica>();
  private crashStreak = 0;
  /** stderr of the last replica that died, for the error a waiting request gets. */
  private lastStderr = '';
  private restartTimer: NodeJS.Timeout | undefined;
  private removed = false;

  constructor(
    deployment: FunctionDeployment,
    settings: FunctionSettings,
    /** This function's series of the invocation metrics, looked up once. */
    readonly metrics: FunctionMetrics,
    private readonly options: EmbeddedFunctionOptions,
  ) {
    this.deployment = deployment;
    this.settings = settings;
    this.desired = settings.scaling.min;
  }

  get name(): string {
    return this.deployment.service;
  }

  /** Requests in flight plus those waiting for a replica: what scale-to-zero must not cut. */
  get pending(): number {
    return this.inflight + this.waiters.length;
  }

  readyReplicas(): Replica[] {
    return this.replicas.filter((r) => r.state === 'ready');
  }

  /**
   * Sets the desired replica count and starts or stops replicas to match. Requests waiting for
   * a replica when it is set to 0 get 503 at once rather than at their timeout.
   */
  scale(replicas: number): void {
    this.desired = replicas;
    if (replicas === 0) {
      this.failWaiters(
        new ReplicaUnavailableError(`${this.name}: scaled to zero while the request waited`, 503),
      );
    }
    this.reconcile();
  }

  /** Counts one invocation (once, however many replicas it is tried on). */
  recordInvocation(): void {
    this.lastInvocationAt = performance.now();
    this.startedSinceTick++;
    this.invocationCount++;
  }

  /**
   * Picks a replica for one request, starting one (a cold start) if none is running. The lease
   * counts as in flight until release(): routing and capacity scaling see it at once.
   */
  async acquire(): Promise<Lease> {
    if (this.removed) throw this.removing();
    const now = performance.now();
    // Requests already waiting go first; a free slot is handed to them on release().
    const replica = this.waiters.length === 0 ? this.pick() : undefined;
    if (replica) {
      const first = replica.leased === 0;
      this.begin(replica);
      return { replica, first };
    }
    const ready = this.readyReplicas();
    if (ready.length > 0 && this.waiters.length === 0) {
      throw new ReplicaUnavailableError(
        `${this.name}: all ${ready.length} replica(s) are at max_inflight ${this.settings.maxInflight}`,
        429,
      );
    }
    if (this.desired === 0) this.scale(Math.max(this.settings.scaling.min, 1));
    const { replica: started, first } = await this.waitForReplica();
    // A request that waited is the cold start only if it is the new replica's first; the others
    // queued behind it, or were handed a slot an older replica freed.
    return first
      ? { replica: started, first, coldStartMs: performance.now() - now }
      : { replica: started, first };
  }

  release(lease: Lease): void {
    this.accountInflight();
    lease.replica.inflight--;
    this.inflight--;
    this.serveWaiters();
  }

  /** Mean requests in flight since the last call (for capacity scaling), and resets it. */
  takeMeanInflight(intervalMs: number): number {
    this.accountInflight();
    const mean = intervalMs > 0 ? this.inflightArea / intervalMs : 0;
    this.inflightArea = 0;
    return mean;
  }

  private begin(replica: Replica): void {
    this.accountInflight();
    replica.leased++;
    replica.inflight++;
    this.inflight++;
  }

  private accountInflight(): void {
    const now = performance.now();
    this.inflightArea += this.inflight * (now - this.inflightSince);
    this.inflightSince = now;
  }

  private pick(): Replica | undefined {
    let best: Replica | undefined;
    const limit = this.settings.maxInflight;
    for (const r of this.replicas) {
      if (r.state !== 'ready' || (limit > 0 && r.inflight >= limit)) continue;
      if (!best || r.inflight < best.inflight) best = r;
    }
    return best;
  }

  private waitForReplica(): Promise<{ replica: Replica; first: boolean }> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(
            new ReplicaUnavailableError(
              `${this.name}: no replica became ready within ${this.options.startTimeoutMs} ms${this.lastFailure()}`,
              503,
            ),
          );
        }, this.options.startTimeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** What a request gets that comes too late for a function being removed (its name was found). */
  private removing(): ReplicaUnavailableError {
    return new ReplicaUnavailableError(`${this.name}: function is being removed`, 503);
  }

  private lastFailure(): string {
    const tail = this.lastStderr.trim().split('\n').slice(-5).join(' | ');
    return tail ? ` (last replica error: ${tail})` : '';
  }

  /** Hands free replica slots to waiting requests, in arrival order. */
  private serveWaiters(): void {
    while (this.waiters.length > 0) {
      const replica = this.pick();
      if (!replica) return;
      const waiter = this.waiters.shift() as Waiter;
      clearTimeout(waiter.timer);
      const first = replica.leased === 0;
      this.begin(replica);
      waiter.resolve({ replica, first });
    }
  }

  private failWaiters(err: Error): void {
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(err);
    }
  }

  /**
   * Starts or stops replicas so that the live ones (starting or ready) of the current
   * deployment number `desired`.
   */
  reconcile(): void {
    if (this.removed || this.restartTimer) return;
    const live = this.replicas.filter(
      (r) => (r.state === 'starting' || r.state === 'ready') && !this.outdated.has(r),
    );
    if (live.length < this.desired) {
      for (let i = live.length; i < this.desired; i++) this.startReplica();
    } else if (live.length > this.desired) {
      // Stop starting replicas first, then the least busy.
      const victims = [...live]
        .sort((a, b) => (a.state === b.state ? a.inflight - b.inflight : a.state === 'starting' ? -1 : 1))
        .slice(0, live.length - this.desired);
      for (const r of victims) void r.stop(this.options.drainMs);
    }
    this.retireExcessOutdated();
  }

  /**
   * Retires the ready replicas older than the policy's max lifetime. A function that may scale
   * to zero loses them when they are idle, as a cloud platform recycles an instance: the next
   * call that needs one waits for a new replica (a cold start, by every signal). Any other is
   * replaced as a rolling update does: a new replica starts, and the old one drains once it is ready.
   */
  retireAged(now: number): void {
    const { maxLifetimeMs, zero } = this.settings.scaling;
    if (maxLifetimeMs === undefined || this.removed) return;
    const aged = this.replicas.filter(
      (r) => r.state === 'ready' && !this.outdated.has(r) && now - r.startedAt >= maxLifetimeMs,
    );
    if (zero) {
      const idle = aged.filter((r) => r.inflight === 0);
      if (idle.length === 0) return;
      for (const r of idle) void r.stop(this.options.drainMs);
      this.desired = Math.max(0, this.desired - idle.length);
      this.reconcile();
      return;
    }
    if (aged.length === 0) return;
    for (const r of aged) this.outdated.add(r);
    this.reconcile();
  }

  private startReplica(): void {
    const id = `${this.name}-${++replicaSerial}`;
    const replica = new Replica({
      functionName: this.name,
      id,
      onOutput: (stream, text) => this.options.onReplicaOutput(this, id, stream, text),
      program: this.settings.program,
      env: { ...this.options.replicaEnv(), ...this.deployment.envVars },
      execTimeoutMs: this.settings.execTimeoutMs,
      readyTimeoutMs: this.options.readyTimeoutMs,
      connections: this.settings.maxInflight > 0 ? this.settings.maxInflight : 128,
    });
    this.replicas.push(replica);
    this.options.onReplicaSpawn(this, replica);
    const startTimer = setTimeout(() => replica.kill('start-failed'), this.options.readyTimeoutMs);
    replica.once('ready', () => {
      clearTimeout(startTimer);
      replica.probeLiveness(this.livenessProbe());
      this.options.onReplicaReady(this, replica);
      // A replica that stays up through the crash-loop window ends the streak.
      setTimeout(() => {
        if (replica.state === 'ready') this.crashStreak = 0;
      }, CRASH_LOOP_WINDOW_MS).unref();
      this.retireExcessOutdated();
      this.serveWaiters();
    });
    replica.once('exit', (reason) => {
      clearTimeout(startTimer);
      this.onReplicaExit(replica, reason);
    });
  }

  /**
   * The replica's health path, probed as Kubernetes probes OpenFaaS functions (every period,
   * 1 s timeout, three failures). A handler may hold the replica's event loop for up to
   * exec_timeout doing its work, so only silence beyond that and three periods means hung.
   */
  private livenessProbe(): LivenessProbe {
    const { program, execTimeoutMs } = this.settings;
    const periodMs = this.options.livenessPeriodMs;
    return {
      path: program.kind === 'http' ? (program.healthPath ?? '/') : REPLICA_HEALTH_PATH,
      periodMs,
      timeoutMs: Math.min(1000, periodMs),
      failAfterMs: execTimeoutMs + 3 * periodMs,
    };
  }

  /**
   * Rolling update: replicas of the old deployment serve only while ready replicas of the new
   * one are fewer than `desired`; each new one that becomes ready retires an old one.
   */
  private retireExcessOutdated(): void {
    const current = this.replicas.filter((r) => r.state === 'ready' && !this.outdated.has(r)).length;
    const excess = Math.max(0, this.outdated.size + current - this.desired);
    const victims = [...this.outdated].sort((a, b) => a.inflight - b.inflight).slice(0, excess);
    for (const r of victims) {
      this.outdated.delete(r);
      void r.stop(this.options.drainMs);
    }
  }

  private onReplicaExit(replica: Replica, reason: ExitReason): void {
    this.replicas = this.replicas.filter((r) => r !== replica);
    const wasOutdated = this.outdated.delete(replica);
    const unexpected = reason !== 'stopped' && !this.removed && !wasOutdated;
    this.options.onReplicaExit(this, replica, reason, unexpected);
    if (!unexpected) return;
    this.lastStderr = replica.stderrTail;
    const shortLived =
      reason === 'start-failed' || performance.now() - replica.startedAt < CRASH_LOOP_WINDOW_MS;
    this.crashStreak = shortLived ? this.crashStreak + 1 : 0;
    const noneLive = !this.replicas.some((r) => r.state === 'starting' || r.state === 'ready');
    if (reason === 'start-failed' && noneLive) {
      this.failWaiters(
        new ReplicaUnavailableError(`${this.name}: replica failed to start${this.lastFailure()}`, 503),
      );
    }
    if (this.crashStreak > 1 && !this.restartTimer) {
      const delay = Math.min(MAX_BACKOFF_MS, 100 * 2 ** (this.crashStreak - 2));
      this.restartTimer = setTimeout(() => {
        this.restartTimer = undefined;
        this.reconcile();
      }, delay);
      this.restartTimer.unref();
    }
    this.reconcile();
  }

  /**
   * Applies a new deployment as a rolling update: replicas of the new one start, and each that
   * becomes ready retires a replica of the old one, which serves until then. If the new
   * deployment cannot start, the old replicas keep serving.
   */
  update(deployment: FunctionDeployment, settings: FunctionSettings): void {
    this.deployment = deployment;
    this.settings = settings;
    this.desired = Math.min(Math.max(this.desired, settings.scaling.min), settings.scaling.max);
    this.crashStreak = 0;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    for (const r of this.replicas) {
      if (r.state === 'ready') this.outdated.add(r);
      else if (r.state === 'starting') void r.stop(0);
    }
    this.reconcile();
  }

  /** Stops every replica (draining in-flight requests) and fails waiting requests. */
  async remove(drainMs = this.options.drainMs): Promise<void> {
    this.removed = true;
    clearTimeout(this.restartTimer);
    this.failWaiters(this.removing());
    await Promise.all(this.replicas.map((r) => r.stop(drainMs)));
    this.replicas = [];
  }
}
