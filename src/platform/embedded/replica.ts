import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Pool } from 'undici';
import { answersBelow500 } from '../../core/net.js';
import { pollWithin } from '../../core/poll.js';
import type { ReplicaProgram } from './function-settings.js';
import { REPLICA_ENV, type ReplicaBoot, type ReplicaMessage } from './replica-protocol.js';

export type ReplicaState = 'starting' | 'ready' | 'draining' | 'dead';
/**
 * Why a replica ended: asked to stop, crashed, went over limits.memory, failed to start, or
 * stopped answering its liveness probe (hung).
 */
export type ExitReason = 'stopped' | 'crash' | 'memory' | 'start-failed' | 'hung';

/**
 * How a ready replica is probed, as Kubernetes probes an OpenFaaS function's pod: GET `path`
 * every `periodMs`, each within `timeoutMs`; a replica with no answer for `failAfterMs` is killed.
 */
export interface LivenessProbe {
  path: string;
  periodMs: number;
  timeoutMs: number;
  failAfterMs: number;
}

export interface ReplicaOptions {
  functionName: string;
  id: string;
  program: ReplicaProgram;
  /** The function's environment (envVars), on top of a minimal base environment. */
  env: Record<string, string>;
  execTimeoutMs: number;
  /** The gateway kills a replica not ready by then; the replica gives up waiting on its function too. */
  readyTimeoutMs: number;
  /** Connections the gateway keeps to this replica. */
  connections: number;
  /** Receives what the replica writes to stdout and stderr (the function's own logs). */
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
}

/** Variables a replica inherits from the gateway; everything else comes from envVars, as in a container. */
const INHERITED_ENV = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'LC_ALL', 'TZ', 'NODE_PATH'];

const here = fileURLToPath(import.meta.url);
const runningFromSource = here.endsWith('.ts');
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** node arguments that start replica-main; tsx is loaded when dfaas or the handler is TypeScript. */
function replicaCommand(program: ReplicaProgram): string[] {
  const main = join(dirname(here), runningFromSource ? 'replica-main.ts' : 'replica-main.js');
  const needsTs = runningFromSource || (program.kind === 'module' && /\.[cm]?tsx?$/.test(program.path));
  return needsTs ? ['--import', tsxLoader, main] : [main];
}

/**
 * One replica: a child process serving HTTP on its own loopback port. Each replica leads its
 * own process group, so stopping it also ends what it forked (serializing-mode commands,
 * http-mode servers).
 */
export class Replica extends EventEmitter<{ ready: []; exit: [ExitReason] }> {
  readonly id: string;
  readonly functionName: string;
  readonly startedAt = performance.now();
  state: ReplicaState = 'starting';
  inflight = 0;
  /** Requests it has been given so far: its first is its cold start's. */
  leased = 0;
  port?: number;
  pool?: Pool;
  /** Time from spawn to ready, in ms. */
  startMs?: number;
  exitReason?: ExitReason;
  /** Last lines the process wrote to stderr, for error messages when it fails. */
  stderrTail = '';
  private readonly child: ChildProcess;
  private killReason?: ExitReason;
  private readonly connections: number;
  private probeTimer: NodeJS.Timeout | undefined;

  constructor(opts: ReplicaOptions) {
    super();
    this.id = opts.id;
    this.functionName = opts.functionName;
    this.connections = opts.connections;
    const boot: ReplicaBoot = {
      functionName: opts.functionName,
      program: opts.program,
      execTimeoutMs: opts.execTimeoutMs,
      readyTimeoutMs: opts.readyTimeoutMs,
    };
    const env: Record<string, string> = {};
    for (const name of INHERITED_ENV) {
      const value = process.env[name];
      if (value !== undefined) env[name] = value;
    }
    Object.assign(env, opts.env, { [REPLICA_ENV]: JSON.stringify(boot) });
    this.child = spawn(process.execPath, replicaCommand(opts.program), {
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      detached: true,
    });
    const onOutput = opts.onOutput;
    this.child.stdout?.on('data', (chunk: Buffer) => onOutput?.('stdout', chunk.toString('utf8')));
    this.child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      this.stderrTail = (this.stderrTail + text).slice(-4000);
      onOutput?.('stderr', text);
    });
    this.child.on('message', (m: ReplicaMessage) => this.onMessage(m));
    this.child.on('exit', () => this.onExit());
    this.child.on('error', (err) => {
      this.stderrTail += `\n${err.message}`;
      this.onExit();
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  private onMessage(message: ReplicaMessage): void {
    if (message.type === 'failed') {
      this.stderrTail = `${message.message}\n${this.stderrTail}`.slice(-4000);
      this.killReason = 'start-failed';
      return;
    }
    if (message.type === 'ready' && this.state === 'starting') {
      this.port = message.port;
      this.pool = new Pool(`http://127.0.0.1:${message.port}`, {
        connections: this.connections,
        keepAliveTimeout: 30_000,
      });
      this.startMs = performance.now() - this.startedAt;
      this.state = 'ready';
      this.emit('ready');
    }
  }

  /**
   * Probes the ready replica until it ends, and kills it as 'hung' when it has not answered for
   * `failAfterMs`: a handler spinning on the event loop answers nothing, not even the probe.
   */
  probeLiveness(probe: LivenessProbe): void {
    if (this.port === undefined || this.probeTimer) return;
    const port = this.port;
    let lastAnswer = performance.now();
    let probing = false;
    this.probeTimer = setInterval(() => {
      if (this.state !== 'ready') return;
      if (performance.now() - lastAnswer > probe.failAfterMs) {
        this.stderrTail += `\nno answer to the liveness probe for ${probe.failAfterMs} ms`;
        this.kill('hung');
        return;
      }
      if (probing) return;
      probing = true;
      void answersBelow500(port, probe.path, probe.timeoutMs).then((alive) => {
        probing = false;
        if (alive) lastAnswer = performance.now();
      });
    }, probe.periodMs);
    this.probeTimer.unref();
  }

  private onExit(): void {
    if (this.state === 'dead') return;
    clearInterval(this.probeTimer);
    // Whatever the replica forked goes with it (the group id outlives its leader).
    signalGroup(this.child, 'SIGKILL');
    const wasReady = this.port !== undefined;
    this.state = 'dead';
    this.exitReason = this.killReason ?? (wasReady ? 'crash' : 'start-failed');
    void this.pool?.destroy().catch(() => {});
    this.emit('exit', this.exitReason);
  }

  /** Kills the replica's whole process group at once; it takes no request from now on. */
  kill(reason: ExitReason): void {
    if (this.state === 'dead') return;
    this.killReason ??= reason;
    this.state = 'draining';
    signalGroup(this.child, 'SIGKILL');
  }

  /**
   * Stops taking requests, waits for those in flight (at most graceMs), then ends the
   * process group: SIGTERM, and SIGKILL if it is still there a second later.
   */
  async stop(graceMs: number): Promise<void> {
    if (this.state === 'dead') return;
    this.killReason ??= 'stopped';
    this.state = 'draining';
    await pollWithin(() => this.inflight === 0, {
      timeoutMs: graceMs,
      everyMs: 10,
      what: `${this.id}'s requests in flight to end`,
    });
    const exited = new Promise<void>((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) resolve();
      else this.child.once('exit', () => resolve());
    });
    signalGroup(this.child, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(this.child, 'SIGKILL'), 1000);
    await exited;
    clearTimeout(timer);
    this.onExit();
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}
