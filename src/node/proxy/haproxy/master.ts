import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Logger } from '../../../core/logger.js';
import { pollUntil } from '../../../core/poll.js';
import { HaproxyError } from '../errors.js';
import { CliSocket } from './runtime-api.js';

/**
 * HAProxy's master process in master-worker mode, run as our child (-W without -D, so it stays in
 * the foreground). The master forks the worker that serves traffic; a reload re-executes the
 * master in place (same pid) and forks a new worker, while the old one finishes its requests.
 * Driven through the master CLI (-S), which lists the processes and triggers reloads.
 */

export interface ProcessList {
  master: { pid: number; reloads: number; failedReloads: number };
  /** Current workers (one: we run no `program` sections). */
  workers: number[];
}

/** Parses the master CLI's `show proc` (2.6: "<pid> master <reloads> [failed: <n>] ..."). */
export function parseShowProc(output: string): ProcessList {
  const list: ProcessList = { master: { pid: 0, reloads: 0, failedReloads: 0 }, workers: [] };
  let section = 'master';
  for (const line of output.split('\n')) {
    if (line.startsWith('#')) {
      section = line.startsWith('#<PID>') ? 'master' : line.slice(1).trim();
      continue;
    }
    const fields = line.trim().split(/\s+/);
    const pid = Number(fields[0]);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    if (section === 'master' && fields[1] === 'master') {
      const failed = /\[failed: (\d+)\]/.exec(line);
      list.master = { pid, reloads: Number(fields[2]), failedReloads: failed ? Number(failed[1]) : 0 };
    } else if (section === 'workers') {
      list.workers.push(pid);
    }
  }
  return list;
}

const STDERR_LINES = 40;
/** util-linux's (Essential on Debian): sets the parent-death signal, then execs its command. */
const SETPRIV = '/usr/bin/setpriv';

export class HaproxyMaster {
  readonly cli: CliSocket;
  readonly exited: Promise<void>;
  private exitStatus: string | undefined;
  private readonly stderrTail: string[] = [];

  private constructor(
    private readonly child: ChildProcess,
    masterSocket: string,
    logger: Logger,
  ) {
    this.cli = new CliSocket(masterSocket);
    this.exited = once(child, 'exit').then(
      ([code, signal]) => {
        this.exitStatus = signal ? `signal ${signal}` : `exit code ${code}`;
      },
      () => undefined,
    );
    child.on('error', (error) => {
      this.exitStatus ??= error.message;
      this.stderrTail.push(error.message);
    });
    if (child.stderr) {
      createInterface({ input: child.stderr }).on('line', (line) => {
        this.stderrTail.push(line);
        if (this.stderrTail.length > STDERR_LINES) this.stderrTail.shift();
        logger.debug('haproxy', { line });
      });
    }
  }

  static launch(options: {
    binary: string;
    configPath: string;
    pidPath: string;
    masterSocket: string;
    logger: Logger;
  }): HaproxyMaster {
    const args = ['-W', '-f', options.configPath, '-p', options.pidPath, '-S', options.masterSocket];
    // Under setpriv --pdeathsig the kernel SIGKILLs the master when this process dies, however it
    // dies (a SIGKILL included), and the workers exit with their master: a node killed alone does
    // not leave HAProxy holding its port. setpriv execs HAProxy, so the child's pid is the master's.
    const [command, argv] = existsSync(SETPRIV)
      ? [SETPRIV, ['--pdeathsig', 'KILL', '--', options.binary, ...args]]
      : [options.binary, args];
    const child = spawn(command, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    return new HaproxyMaster(child, options.masterSocket, options.logger);
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** Why it is not running (e.g. "exit code 1"), or undefined while it runs. */
  get exit(): string | undefined {
    return this.exitStatus;
  }

  /** HAProxy's last stderr lines, to explain a failed start or reload. */
  stderr(): string {
    return this.stderrTail.join('\n');
  }

  async processes(): Promise<ProcessList> {
    return parseShowProc(await this.cli.exchange('show proc'));
  }

  /**
   * Reloads (the master CLI's `reload`, like SIGUSR2) and waits for the new worker; returns its
   * pid. A configuration the new master rejects leaves the old worker serving and throws.
   */
  async reload(timeoutMs = 15_000): Promise<number> {
    const before = await this.processes();
    await this.cli.exchange('reload');
    return pollUntil(
      async (fail) => {
        if (this.exitStatus) {
          fail(new HaproxyError(`haproxy exited during a reload (${this.exitStatus}):\n${this.stderr()}`));
        }
        // While the master re-executes itself its CLI does not answer: try again.
        const now = await this.processes().catch(() => undefined);
        if (now && now.master.failedReloads > before.master.failedReloads) {
          fail(new HaproxyError(`haproxy rejected the new configuration:\n${this.stderr()}`));
        }
        const worker = now?.workers.find((pid) => !before.workers.includes(pid));
        return now && now.master.reloads > before.master.reloads && worker;
      },
      {
        timeoutMs,
        everyMs: 20,
        what: 'haproxy to start a new worker after a reload',
        explain: () => this.stderr(),
      },
    );
  }

  /**
   * Stops the master and its workers: SIGTERM (workers exit at once), then SIGKILL to whatever
   * is left after `graceMs`. The driver drains requests before calling it.
   */
  async terminate(graceMs = 5_000): Promise<void> {
    if (this.exitStatus) return;
    const workers = (await this.processes().catch(() => undefined))?.workers ?? [];
    this.child.kill('SIGTERM');
    if (await settlesWithin(this.exited, graceMs)) return;
    this.child.kill('SIGKILL');
    for (const pid of workers) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await settlesWithin(this.exited, graceMs);
  }
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const done = await Promise.race([promise.then(() => true), timeout]);
  clearTimeout(timer);
  return done;
}
