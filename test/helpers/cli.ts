import { type ChildProcess, type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { createProgram } from '../../src/cli/program.js';
import type { Logger } from '../../src/core/logger.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a dfaas command line in this process (createProgram with captured streams) and resolves
 * with its exit code and what it printed. `tty` makes stderr look like a terminal;
 * `untilSignal` stands for Ctrl-C in long-running commands (default: resolves at once).
 */
export async function dfaas(
  args: string[],
  options: { tty?: boolean; untilSignal?: (logger: Logger) => Promise<void> } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await createProgram({
    stdout: { write: (s: string) => (stdout += s), isTTY: false },
    stderr: { write: (s: string) => (stderr += s), isTTY: options.tty ?? false },
    untilSignal: options.untilSignal ?? (async () => {}),
  }).run(['node', 'dfaas', ...args]);
  return { code, stdout, stderr };
}

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const MAIN = 'src/cli/main.ts';

/** Runs the dfaas CLI from source to completion, in a process of its own. */
export function runCli(args: string[], timeoutMs = 60_000): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ['--import', tsx, MAIN, ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
  });
}

/** Runs the dfaas CLI from source without blocking this process (servers it talks to may live here). */
export function runCliAsync(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', tsx, MAIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => (stdout += c));
    child.stderr?.on('data', (c: Buffer) => (stderr += c));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface RunningGateway {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `dfaas gateway --port 0 ...` and resolves with its URL once it listens. */
export async function spawnGateway(args: string[], timeoutMs = 30_000): Promise<RunningGateway> {
  const child = spawn(
    process.execPath,
    ['--import', tsx, MAIN, '--log-level', 'debug', 'gateway', '--port', '0', ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start: ${stderr}`)), timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const m = /gateway listening on (http:\/\/[\d.:]+)/.exec(stderr);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    void exited.then(({ code }) => reject(new Error(`gateway exited with ${code}: ${stderr}`)));
  });
  return { child, url, stderr: () => stderr, exited };
}

/** Every process below `root` in the process tree, found through /proc's ppid links. */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // exited meanwhile
    }
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    for (const c of children.get(stack.pop() as number) ?? []) {
      out.push(c);
      stack.push(c);
    }
  }
  return out;
}
