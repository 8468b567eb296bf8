/** Servers the perf scripts measure, each started in a process of its own and awaited. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface StartedServer {
  child: ChildProcess;
  url: string;
}

/** Waits for a process that prints its URL on stdout. */
export function started(child: ChildProcess): Promise<StartedServer> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d;
      const url = out.match(/http:\/\/127\.0\.0\.1:\d+/)?.[0];
      if (url) resolve({ child, url });
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code} before printing its URL`)));
  });
}

/** The built CLI (`node dist/cli/main.js ARGS`), as users run it: a command that prints its URL. */
export const serveCli = (args: string[]): Promise<StartedServer> =>
  started(
    spawn(process.execPath, [fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url)), ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
