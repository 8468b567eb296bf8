import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort } from '../../src/core/net.js';
import { serviceBinary } from './services.js';
import { waitFor } from './wait.js';

/** Debian's redis-server, or undefined when it is not installed. */
export function redisBinary(): string | undefined {
  return serviceBinary('/usr/bin/redis-server');
}

export interface RedisOptions {
  /** Append-only file, fsync'd at every write, in `dir` (default: no persistence at all). */
  persistence?: boolean;
  /** Default: a free loopback port. */
  port?: number;
  /** Its working directory (default: a temporary one, removed by stop()). */
  dir?: string;
}

export interface RunningRedis {
  /** redis://127.0.0.1:PORT */
  url: string;
  port: number;
  dir: string;
  /** Stops it (SIGTERM, SIGKILL after 10 s) and removes a temporary directory. */
  stop(): Promise<void>;
  /**
   * Stops it and, `downMs` later (default 0), starts it again on the same port and directory
   * (with persistence, its data is back); resolves once it answers again.
   */
  restart(downMs?: number): Promise<void>;
}

/** How long a redis-server has to answer PING after it starts, and to exit after SIGTERM. */
const START_MS = 15_000;
const STOP_MS = 10_000;

/**
 * A redis-server of its own on 127.0.0.1 (it runs fine as root), answering PING before this
 * resolves. Without persistence it saves nothing (`--save ''`, no AOF); with it, every write is
 * in an append-only file fsync'd at once, so a restart keeps it. Callers check redisBinary() first.
 */
export async function startRedis(options: RedisOptions = {}): Promise<RunningRedis> {
  const binary = redisBinary();
  if (!binary) throw new Error('/usr/bin/redis-server is not installed: check redisBinary() first');
  const port = options.port ?? (await freeLoopbackPort());
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'dfaas-redis-'));
  const args = [
    '--bind',
    '127.0.0.1',
    '--port',
    String(port),
    '--dir',
    dir,
    '--save',
    '',
    '--daemonize',
    'no',
    '--loglevel',
    'warning',
    ...(options.persistence ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
  ];
  let server: ChildProcess | undefined;

  const halt = async () => {
    const child = server;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_MS);
    await exited;
    clearTimeout(timer);
  };
  const start = async () => {
    const child = spawn(binary, args, { stdio: 'ignore' });
    server = child;
    await waitFor(
      `redis-server on port ${port} to answer PING`,
      () => {
        if (child.exitCode !== null)
          throw new Error(`redis-server exited (${child.exitCode}) on port ${port}`);
        return answersPing(port);
      },
      START_MS,
    );
  };
  const stop = async () => {
    await halt();
    if (ownDir) rmSync(dir, { recursive: true, force: true });
  };

  try {
    await start();
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    stop,
    restart: async (downMs = 0) => {
      await halt();
      await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
  };
}

/** Whether a Redis on 127.0.0.1:port answers PING with PONG (and is done loading its data). */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}
