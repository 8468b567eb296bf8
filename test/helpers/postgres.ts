import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freeLoopbackPort } from '../../src/core/net.js';
import { serviceBinary } from './services.js';
import { waitFor } from './wait.js';

/** Debian's PostgreSQL server programs (the newest version installed), or undefined when absent. */
export function postgresBinaries(): { initdb: string; postgres: string } | undefined {
  const root = '/usr/lib/postgresql';
  let versions: string[] = [];
  try {
    versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  } catch {}
  const bin = join(root, versions[0] ?? 'VERSION', 'bin');
  const initdb = serviceBinary(join(bin, 'initdb'));
  const postgres = initdb && serviceBinary(join(bin, 'postgres'));
  return initdb && postgres ? { initdb, postgres } : undefined;
}

export interface RunningPostgres {
  /** postgres://dfaas@127.0.0.1:PORT/DATABASE of a fresh database. */
  url: string;
  stop(): Promise<void>;
}

/**
 * A PostgreSQL server of its own: `initdb` in a temporary directory (trust authentication, user
 * `dfaas`), listening on a free loopback port only, its socket in that directory; a fresh
 * database `bench`. PostgreSQL refuses to run as root: as root (CI), it runs as Debian's
 * `postgres` user (setpriv execs the server itself, so signals reach it).
 */
export async function startPostgres(binaries: {
  initdb: string;
  postgres: string;
}): Promise<RunningPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'dfaas-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const as = (cmd: string, args: string[]): [string, string[]] =>
    asRoot
      ? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', cmd, ...args]]
      : [cmd, args];
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    chownSync(dir, uid, gid);
  }
  const [initCmd, initArgs] = as(binaries.initdb, ['-D', data, '-A', 'trust', '-U', 'dfaas', '--no-sync']);
  execFileSync(initCmd, initArgs, { stdio: 'ignore' });
  const port = await freeLoopbackPort();
  const [cmd, args] = as(binaries.postgres, [
    '-D',
    data,
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'fsync=off',
  ]);
  const server: ChildProcess = spawn(cmd, args, { stdio: 'ignore' });
  const stop = async () => {
    if (server.exitCode === null) {
      // SIGINT: PostgreSQL's fast shutdown; SIGKILL if it has not ended in 10 s.
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGINT');
      const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const admin = `postgres://dfaas@127.0.0.1:${port}/postgres`;
  try {
    await waitFor(
      'postgres ready',
      async () => {
        const client = new pg.Client(admin);
        try {
          await client.connect();
          await client.query('CREATE DATABASE bench');
          return true;
        } catch {
          return false;
        } finally {
          await client.end().catch(() => {});
        }
      },
      30_000,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: `postgres://dfaas@127.0.0.1:${port}/bench`, stop };
}
