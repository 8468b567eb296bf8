import { randomUUID } from 'node:crypto';
import { arch } from 'node:os';
import { errors as undiciErrors } from 'undici';
import {
  type FunctionDeployment,
  FunctionDeploymentSchema,
  type FunctionStatus,
  type GatewayInfo,
} from '../../config/function-deployment.js';
import { issuesFromZod } from '../../core/errors.js';
import { endToEndHeaders, type HeaderMap } from '../../core/http-headers.js';
import { type Logger, silentLogger } from '../../core/logger.js';
import { VERSION } from '../../core/version.js';
import type { AsyncInvokeRequest, InvokeRequest, InvokeResponse, Platform } from '../api.js';
import {
  FunctionExistsError,
  FunctionNotFoundError,
  FunctionTimeoutError,
  InvalidDeploymentError,
  PlatformError,
  ReplicaUnavailableError,
} from '../errors.js';
import { GATEWAY_URL_ENV } from '../functions/handler.js';
import { AsyncQueue } from './async-queue.js';
import { decideReplicas } from './autoscaler.js';
import { CpuLimiter } from './cgroup.js';
import { EmbeddedFunction, type Lease } from './function.js';
import { DEFAULT_MAX_REPLICAS, type FunctionSettings, functionSettings } from './function-settings.js';
import { PlatformMetrics } from './platform-metrics.js';
import type { Replica } from './replica.js';
import { type FunctionResourceUsage, type NodeUsage, UsageSampler } from './usage.js';

export interface EmbeddedPlatformOptions {
  logger?: Logger;
  /** How long a request may wait for a replica to start, in ms (default 30 000). */
  startTimeoutMs?: number;
  /** A replica not ready within this is killed and started again, in ms (default 60 000). */
  readyTimeoutMs?: number;
  /** How long stopping replicas may finish in-flight requests, in ms (default 10 000). */
  drainMs?: number;
  /**
   * How often ready replicas are probed for liveness, in ms (default 2 000). A replica that has
   * not answered for its exec_timeout plus three periods is replaced (restart reason "hung").
   */
  livenessPeriodMs?: number;
  /** Autoscaler evaluation interval, in ms (default 2 000). */
  autoscaleIntervalMs?: number;
  /** /proc sampling interval for usage and limits.memory, in ms (default 1 000). */
  sampleIntervalMs?: number;
  /** Async calls run at once (default 1, as OpenFaaS's queue-worker). */
  asyncConcurrency?: number;
  /** Async calls waiting at most (default 100 000) and their bodies' bytes (default 256 MiB). */
  asyncQueueCalls?: number;
  asyncQueueBytes?: number;
  /**
   * Replicas one function may have (default 50): a deployment whose com.openfaas.scale.min or
   * .max is above it is refused (400). Each replica is a process; one request asking for 30
   * started 30 (1.3 GiB) when nothing bounded it.
   */
  maxReplicas?: number;
  /** cgroup v2 root for limits.cpu (default /sys/fs/cgroup). */
  cgroupRoot?: string;
}

/** Everything the embedded platform measures, in-process (no Prometheus needed). */
export interface PlatformSnapshot {
  node: NodeUsage;
  functions: Record<
    string,
    FunctionResourceUsage & {
      replicas: number;
      availableReplicas: number;
      inflight: number;
      invocationCount: number;
    }
  >;
}

export const DEFAULT_NAMESPACE = 'openfaas-fn';

/** How many times a request that never reached a replica is sent again. */
const MAX_RESENDS = 3;

/** Besides the hop-by-hop ones: the body is sent anew, with its own length. */
const NOT_FORWARDED = new Set(['content-length']);

/**
 * The embedded FaaS platform: OpenFaaS semantics, each replica a child process on loopback.
 * Usable in-process (this class implements Platform) and as a server (gateway.ts).
 */
export class EmbeddedPlatform implements Platform {
  readonly metrics = new PlatformMetrics();
  readonly cpuLimiter: CpuLimiter;
  private readonly functions = new Map<string, EmbeddedFunction>();
  private readonly sampler = new UsageSampler();
  private readonly asyncQueue: AsyncQueue;
  private readonly logger: Logger;
  private readonly opts: Required<Omit<EmbeddedPlatformOptions, 'logger' | 'cgroupRoot'>>;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly autoscaler: NodeJS.Timeout;
  private lastTick = performance.now();
  private sampleFailed = false;
  /** Removals still draining, which close() waits for too. */
  private readonly removing = new Set<Promise<void>>();
  private closed = false;
  /** Where replicas call other functions ($DFAAS_GATEWAY_URL), once a gateway serves this platform. */
  private gatewayUrl: string | undefined;

  constructor(options: EmbeddedPlatformOptions = {}) {
    this.logger = options.logger ?? silentLogger;
    this.opts = {
      startTimeoutMs: options.startTimeoutMs ?? 30_000,
      readyTimeoutMs: options.readyTimeoutMs ?? 60_000,
      drainMs: options.drainMs ?? 10_000,
      autoscaleIntervalMs: options.autoscaleIntervalMs ?? 2_000,
      livenessPeriodMs: options.livenessPeriodMs ?? 2_000,
      sampleIntervalMs: options.sampleIntervalMs ?? 1_000,
      asyncConcurrency: options.asyncConcurrency ?? 1,
      asyncQueueCalls: options.asyncQueueCalls ?? 100_000,
      asyncQueueBytes: options.asyncQueueBytes ?? 256 * 2 ** 20,
      maxReplicas: options.maxReplicas ?? DEFAULT_MAX_REPLICAS,
    };
    this.cpuLimiter = new CpuLimiter(options.cgroupRoot);
    this.asyncQueue = new AsyncQueue({
      concurrency: this.opts.asyncConcurrency,
      capacity: this.opts.asyncQueueCalls,
      capacityBytes: this.opts.asyncQueueBytes,
      invoke: (name, req) => this.invoke(name, req),
      logger: this.logger,
    });
    this.timers.push(setInterval(() => this.sample(), this.opts.sampleIntervalMs));
    this.autoscaler = setInterval(() => this.autoscale(), this.opts.autoscaleIntervalMs);
    this.timers.push(this.autoscaler);
    for (const t of this.timers) t.unref();
  }

  async list(): Promise<FunctionStatus[]> {
    return [...this.functions.values()].map((fn) => this.status(fn));
  }

  async get(name: string): Promise<FunctionStatus> {
    return this.status(this.find(name));
  }

  async deploy(deployment: FunctionDeployment): Promise<void> {
    const d = validateDeployment(deployment);
    if (this.functions.has(d.service)) throw new FunctionExistsError(d.service);
    const settings = functionSettings(d, this.opts);
    if (settings.cpuLimitCores !== undefined && !this.cpuLimiter.enforced) {
      this.logger.warn('limits.cpu is advisory here', { function: d.service, why: this.cpuLimiter.why });
    }
    const fn = new EmbeddedFunction(d, settings, this.metrics.forFunction(d.service), {
      startTimeoutMs: this.opts.startTimeoutMs,
      readyTimeoutMs: this.opts.readyTimeoutMs,
      drainMs: this.opts.drainMs,
      livenessPeriodMs: this.opts.livenessPeriodMs,
      replicaEnv: (): Record<string, string> =>
        this.gatewayUrl ? { [GATEWAY_URL_ENV]: this.gatewayUrl } : {},
      onReplicaSpawn: (f, r) => this.limitCpu(f, r),
      onReplicaReady: (f, r) => {
        if (r.startMs !== undefined)
          this.metrics.replicaStart.observe({ function_name: f.name }, r.startMs / 1000);
      },
      onReplicaOutput: (f, replica, stream, text) => {
        for (const line of text.split('\n')) {
          if (line.trim() !== '') this.logger.debug(line, { function: f.name, replica, stream });
        }
      },
      onReplicaExit: (f, r, reason, unexpected) => {
        this.cpuLimiter.release(r.id);
        if (!unexpected) return;
        this.metrics.replicaRestarts.inc({ function_name: f.name, reason });
        this.logger.warn('replica ended, replacing it', {
          function: f.name,
          replica: r.id,
          reason,
          stderr: r.stderrTail.trim().split('\n').slice(-3).join(' | '),
        });
      },
    });
    this.functions.set(d.service, fn);
    this.metrics.serviceCount.set({ function_name: fn.name }, fn.desired);
    fn.reconcile();
    this.logger.info('deployed', { function: d.service, replicas: fn.desired });
  }

  /**
   * Tells replicas started from now on where the gateway is (gateway.ts calls it once it
   * listens, before the functions of a stack are deployed).
   */
  setGatewayUrl(url: string): void {
    this.gatewayUrl = url;
  }

  async update(deployment: FunctionDeployment): Promise<void> {
    const d = validateDeployment(deployment);
    const fn = this.find(d.service);
    fn.update(d, functionSettings(d, this.opts));
    this.logger.info('updated', { function: d.service });
  }

  async remove(name: string): Promise<void> {
    const fn = this.find(name);
    // Forget the name first: a function deployed under it while this one drains starts afresh.
    this.functions.delete(fn.name);
    this.metrics.forget(fn.name);
    this.sampler.forget(fn.name);
    const removal = fn.remove();
    this.removing.add(removal);
    try {
      await removal;
    } finally {
      this.removing.delete(removal);
    }
    this.logger.info('removed', { function: fn.name });
  }

  async scale(name: string, replicas: number): Promise<void> {
    if (!Number.isInteger(replicas) || replicas < 0) {
      throw new InvalidDeploymentError(`replicas must be a whole number >= 0, got ${replicas}`);
    }
    const fn = this.find(name);
    // As OpenFaaS: an explicit scale is clamped to com.openfaas.scale.max.
    fn.scale(Math.min(replicas, fn.settings.scaling.max));
    this.metrics.serviceCount.set({ function_name: fn.name }, fn.desired);
  }

  /**
   * Calls a function. Like a gateway, it answers every outcome with a status: the function's
   * own, 404 for an unknown function, or 429/502/503/504 when no replica could serve it in time
   * (message in the body).
   */
  async invoke(name: string, req: InvokeRequest = {}): Promise<InvokeResponse> {
    let fn: EmbeddedFunction;
    try {
      fn = this.find(name);
    } catch (err) {
      return { ...errorResponse(err as PlatformError), durationMs: 0 };
    }
    const started = performance.now();
    fn.metrics.started.inc();
    let res: Omit<InvokeResponse, 'durationMs'>;
    try {
      res = await this.forward(fn, req);
    } catch (err) {
      if (!(err instanceof PlatformError)) throw err;
      res = errorResponse(err);
    }
    const seconds = (performance.now() - started) / 1000;
    const byCode = fn.metrics.byCode(res.status);
    byCode.invocations.inc();
    byCode.seconds.observe(seconds);
    return { ...res, durationMs: seconds * 1000 };
  }

  async invokeAsync(name: string, req: AsyncInvokeRequest = {}): Promise<{ callId: string }> {
    this.find(name);
    return { callId: this.asyncQueue.enqueue(name, req) };
  }

  async info(): Promise<GatewayInfo> {
    const version = { sha: 'unknown', release: VERSION };
    return {
      provider: { provider: 'dfaas', orchestration: 'process', version },
      version,
      arch: arch() === 'x64' ? 'x86_64' : arch(),
    };
  }

  async health(): Promise<boolean> {
    return !this.closed;
  }

  /** Figures for in-process users (the embedded metrics source), without Prometheus. */
  snapshot(): PlatformSnapshot {
    const functions: PlatformSnapshot['functions'] = {};
    for (const fn of this.functions.values()) {
      functions[fn.name] = {
        ...this.sampler.usageOf(fn.name),
        replicas: fn.desired,
        availableReplicas: fn.readyReplicas().length,
        inflight: fn.inflight,
        invocationCount: fn.invocationCount,
      };
    }
    return { node: this.sampler.node, functions };
  }

  /** The embedded platform's reading of a function's deployment (timeouts, scaling, program). */
  settingsOf(name: string): FunctionSettings {
    return this.find(name).settings;
  }

  /** Process ids of a function's live replicas (for tests and diagnostics). */
  replicaPids(name: string): number[] {
    return this.find(name)
      .replicas.filter((r) => r.state !== 'dead')
      .flatMap((r) => (r.pid === undefined ? [] : [r.pid]));
  }

  /** Stops the autoscaler: at shutdown, replicas must not be started for requests being drained. */
  stopScaling(): void {
    clearInterval(this.autoscaler);
  }

  /** Stops timers and every replica; in-flight requests get drainMs (default: the platform's) to finish. */
  async close(drainMs = this.opts.drainMs): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    const dropped = this.asyncQueue.clear();
    if (dropped > 0) this.logger.warn('async calls dropped at shutdown', { count: dropped });
    await Promise.all(
      [...this.functions.values()].map((fn) => fn.remove(drainMs)).concat([...this.removing]),
    );
    this.functions.clear();
    this.cpuLimiter.close();
  }

  /**
   * `name` or `name.namespace` (the namespace must be the function's). While the platform shuts
   * down every call is 503: its functions are being removed, but they are not "not found".
   */
  private find(name: string): EmbeddedFunction {
    if (this.closed) throw new ReplicaUnavailableError('the platform is shutting down', 503);
    const dot = name.indexOf('.');
    const base = dot < 0 ? name : name.slice(0, dot);
    const fn = this.functions.get(base);
    if (!fn) throw new FunctionNotFoundError(name);
    if (dot >= 0 && name.slice(dot + 1) !== (fn.deployment.namespace ?? DEFAULT_NAMESPACE)) {
      throw new FunctionNotFoundError(name);
    }
    return fn;
  }

  private status(fn: EmbeddedFunction): FunctionStatus {
    const d = fn.deployment;
    const usage = this.sampler.usageOf(fn.name);
    const status: FunctionStatus = {
      name: fn.name,
      image: d.image,
      namespace: d.namespace ?? DEFAULT_NAMESPACE,
      envVars: d.envVars ?? {},
      labels: d.labels ?? {},
      annotations: d.annotations ?? {},
      invocationCount: fn.invocationCount,
      replicas: fn.desired,
      availableReplicas: fn.readyReplicas().length,
      createdAt: fn.createdAt.toISOString(),
      usage: { cpu: usage.cpuMillicores, totalMemoryBytes: usage.memoryBytes },
    };
    if (d.envProcess) status.envProcess = d.envProcess;
    if (d.constraints) status.constraints = d.constraints;
    if (d.secrets) status.secrets = d.secrets;
    if (d.limits) status.limits = d.limits;
    if (d.requests) status.requests = d.requests;
    if (d.readOnlyRootFilesystem !== undefined) status.readOnlyRootFilesystem = d.readOnlyRootFilesystem;
    return status;
  }

  private async forward(
    fn: EmbeddedFunction,
    req: InvokeRequest,
  ): Promise<Omit<InvokeResponse, 'durationMs'>> {
    const body = typeof req.body === 'string' ? Buffer.from(req.body) : req.body;
    const headers = endToEndHeaders(req.headers ?? {}, NOT_FORWARDED);
    headers['x-call-id'] ??= randomUUID();
    headers['x-start-time'] = String(Date.now() * 1e6);
    const path = `${req.path ?? '/'}${req.query ? `?${req.query}` : ''}`;
    fn.recordInvocation();
    const arrived = performance.now();
    // A request that never reached its replica (it died a moment ago) is sent to another one,
    // or to its replacement: see neverSent().
    for (let attempt = 0; ; attempt++) {
      const lease = await fn.acquire();
      // Resent to a replica that started meanwhile (the one it waited for died as it was
      // handed over, and its replacement was ready by the time it was sent again), it waited
      // for that start all the same: its cold start counts from its arrival.
      const coldStartMs =
        lease.coldStartMs !== undefined || (attempt > 0 && lease.first)
          ? performance.now() - arrived
          : undefined;
      if (coldStartMs !== undefined) {
        this.metrics.coldStarts.observe({ function_name: fn.name }, coldStartMs / 1000);
      }
      try {
        const res = await this.send(fn, lease, req.method ?? 'POST', path, headers, body);
        return coldStartMs === undefined ? res : { ...res, coldStartMs };
      } catch (err) {
        if (!(err instanceof RefusedError) || attempt >= MAX_RESENDS) throw toPlatformError(fn, lease, err);
        lease.replica.kill('crash');
      } finally {
        fn.release(lease);
      }
    }
  }

  private async send(
    fn: EmbeddedFunction,
    lease: Lease,
    method: string,
    path: string,
    headers: HeaderMap,
    body: Buffer | Uint8Array | undefined,
  ): Promise<Omit<InvokeResponse, 'durationMs'>> {
    const pool = lease.replica.pool;
    if (!pool) throw new RefusedError();
    const { settings } = fn;
    let res: Awaited<ReturnType<typeof pool.request>>;
    try {
      res = await pool.request({
        method: method as 'POST',
        path,
        headers,
        body: body && body.length > 0 ? body : null,
        headersTimeout: gatewayExecTimeoutMs(settings),
        bodyTimeout: settings.writeTimeoutMs,
      });
    } catch (err) {
      if (neverSent(err)) throw new RefusedError();
      throw err;
    }
    const out = endToEndHeaders(res.headers, NOT_FORWARDED);
    return { status: res.statusCode, headers: out, body: Buffer.from(await res.body.arrayBuffer()) };
  }

  /** Puts a new replica in its cgroup before it can fork, so what it starts is limited too. */
  private limitCpu(fn: EmbeddedFunction, replica: Replica): void {
    const cores = fn.settings.cpuLimitCores;
    if (cores === undefined || replica.pid === undefined) return;
    try {
      this.cpuLimiter.limit(replica.id, replica.pid, cores);
    } catch (err) {
      this.logger.warn('cannot apply limits.cpu', { function: fn.name, error: (err as Error).message });
    }
  }

  private sample(): void {
    try {
      this.sampler.sample(this.functions.values(), (fn, pid, rss) => {
        const limit = fn.settings.memoryLimitBytes;
        if (limit === undefined || rss <= limit) return;
        const replica = fn.replicas.find((r) => r.pid === pid);
        this.logger.warn('replica over limits.memory, restarting it', { function: fn.name, rss, limit });
        replica?.kill('memory');
      });
    } catch (err) {
      // Without /proc (not Linux) there is nothing to sample: say so once, not every second.
      if (!this.sampleFailed)
        this.logger.warn('cannot sample /proc: no CPU or memory figures', { error: (err as Error).message });
      this.sampleFailed = true;
      return;
    }
    const node = this.sampler.node;
    this.metrics.nodeCpu.set(node.cpuUtilisation);
    this.metrics.nodeMemoryUsed.set(node.memoryUsedBytes);
    this.metrics.nodeMemoryTotal.set(node.memoryTotalBytes);
    for (const fn of this.functions.values()) {
      const usage = this.sampler.usageOf(fn.name);
      const labels = { function_name: fn.name };
      this.metrics.cpuSeconds.set(labels, usage.cpuSecondsTotal);
      this.metrics.memoryBytes.set(labels, usage.memoryBytes);
      this.metrics.availableReplicas.set(labels, fn.readyReplicas().length);
      this.metrics.inflight.set(labels, fn.inflight);
      this.metrics.serviceCount.set(labels, fn.desired);
    }
  }

  private autoscale(): void {
    const now = performance.now();
    const intervalMs = now - this.lastTick;
    this.lastTick = now;
    for (const fn of this.functions.values()) {
      const policy = fn.settings.scaling;
      const started = fn.startedSinceTick;
      fn.startedSinceTick = 0;
      const meanInflight = fn.takeMeanInflight(intervalMs);
      const load =
        policy.target?.type === 'capacity'
          ? meanInflight
          : policy.target?.type === 'cpu'
            ? this.sampler.usageOf(fn.name).cpuMillicores
            : started / (intervalMs / 1000);
      const decision = decideReplicas({
        policy,
        current: fn.desired,
        load,
        now,
        lastInvocationAt: fn.lastInvocationAt,
        inflight: fn.pending,
        history: fn.recommendations,
      });
      fn.recommendations = decision.history;
      if (decision.replicas !== fn.desired) {
        this.logger.info('autoscaling', { function: fn.name, from: fn.desired, to: decision.replicas, load });
        fn.scale(decision.replicas);
        this.metrics.serviceCount.set({ function_name: fn.name }, fn.desired);
      }
      fn.retireAged(now);
    }
  }
}

/**
 * Our replica-main enforces exec_timeout itself (it kills a serializing command, and says so);
 * the gateway waits a little longer, as a backstop. An http-mode function's own server has no
 * such watchdog, so there the gateway enforces exec_timeout exactly.
 */
function gatewayExecTimeoutMs(settings: FunctionSettings): number {
  return settings.program.kind === 'http' ? settings.execTimeoutMs : settings.execTimeoutMs + 500;
}

function errorResponse(err: PlatformError): Omit<InvokeResponse, 'durationMs'> {
  return {
    status: err.status,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    body: Buffer.from(`${err.message}\n`),
  };
}

/** The request never reached the replica: safe to retry elsewhere. */
class RefusedError extends Error {}

/**
 * Whether a failed request to a replica was never sent: its connection failed while being made
 * (refused, or reset by a replica dying as it accepted it: Node's `connect ECONNRESET`), or the
 * request still waited in the replica's pool when the pool was destroyed because the replica had
 * died (undici fails queued requests with ClientDestroyedError; the ones already sent fail
 * earlier, with the socket).
 */
function neverSent(err: unknown): boolean {
  const { code, syscall } = err as NodeJS.ErrnoException;
  return (
    code === 'ECONNREFUSED' ||
    syscall === 'connect' ||
    err instanceof undiciErrors.ClientDestroyedError ||
    err instanceof undiciErrors.ClientClosedError
  );
}

function toPlatformError(fn: EmbeddedFunction, lease: Lease, err: unknown): Error {
  if (err instanceof PlatformError) return err;
  const s = fn.settings;
  if (err instanceof undiciErrors.HeadersTimeoutError) {
    return new FunctionTimeoutError(`${fn.name}: no response within exec_timeout (${s.execTimeoutMs} ms)`);
  }
  if (err instanceof undiciErrors.BodyTimeoutError || (err as Error).name === 'TimeoutError') {
    return new FunctionTimeoutError(
      `${fn.name}: response not complete within write_timeout (${s.writeTimeoutMs} ms)`,
    );
  }
  return new ReplicaUnavailableError(
    `${fn.name}: replica ${lease.replica.id} failed during the request: ${(err as Error).message}`,
    502,
  );
}

function validateDeployment(deployment: unknown): FunctionDeployment {
  const result = FunctionDeploymentSchema.safeParse(deployment);
  if (result.success) return result.data;
  const issues = issuesFromZod(result.error);
  throw new InvalidDeploymentError(
    `invalid FunctionDeployment: ${issues.map((i) => `${i.field || '(body)'}: ${i.message}`).join('; ')}`,
    issues,
  );
}
