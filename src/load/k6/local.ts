import { execFile, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { TimeoutError } from '../../core/errors.js';
import { LoadRunError } from '../errors.js';

/** What every k6 run gets on its command line, whichever host runs it. */
export interface K6RunSettings {
  /** The k6 executable: a name looked up on PATH, or a path. */
  binary: string;
  /** `--out` targets, e.g. `json=raw.json` or `experimental-prometheus-rw`. */
  outputs: string[];
  /** `--tag NAME=VALUE` on every metric sample. */
  tags: Record<string, string>;
}

/** Runs a k6 script somewhere and hands back the `--summary-export` JSON it wrote. */
export interface K6Runner {
  /** Where the scripts run, for logs and errors: `local k6 (/usr/bin/k6)` or `k6 on user@host`. */
  readonly where: string;
  /** Checks that k6 can be reached (connects to the k6 host), so a sweep fails before it starts. */
  open(): Promise<void>;
  /**
   * Runs the script at `scriptPath` (a local file) and returns the parsed summary JSON. `signal`
   * (Ctrl-C) stops a k6 on this machine; one on a remote host finishes its run.
   */
  run(scriptPath: string, timeoutMs: number, signal?: AbortSignal): Promise<unknown>;
  close(): Promise<void>;
}

/** `k6 run` arguments: quiet (no progress bars in our logs), the summary file, outputs and tags. */
export function k6RunArgs(script: string, summary: string, settings: K6RunSettings): string[] {
  return [
    'run',
    '--quiet',
    '--no-color',
    '--summary-export',
    summary,
    ...settings.outputs.flatMap((o) => ['--out', o]),
    ...Object.entries(settings.tags).flatMap(([k, v]) => ['--tag', `${k}=${v}`]),
    script,
  ];
}

/**
 * k6's exit codes that still leave a complete summary: 0, and 99 (a threshold crossed; the DFaaS
 * scripts' own thresholds always pass, but a user's `--out` or tags cannot make one fail either).
 */
export const K6_SUMMARY_EXIT_CODES = new Set([0, 99]);

/** How long `k6 version` (the pre-flight) may take, here or on the k6 host. */
export const K6_VERSION_TIMEOUT_MS = 20_000;

/** The last lines of what k6 printed, for an error message that says why a run failed. */
export function tail(text: string, lines = 8): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

/** k6 on this machine: runs the script in its folder (where relative `--out` files land) and reads its summary. */
export class LocalK6Runner implements K6Runner {
  readonly where: string;

  constructor(
    private readonly executable: string,
    private readonly settings: K6RunSettings,
  ) {
    this.where = `local k6 (${executable})`;
  }

  run(scriptPath: string, timeoutMs: number, signal?: AbortSignal): Promise<unknown> {
    const summary = `${scriptPath.replace(/\.js$/, '')}.summary.json`;
    const args = k6RunArgs(basename(scriptPath), basename(summary), this.settings);
    return new Promise((resolve, reject) => {
      const child = spawn(this.executable, args, {
        cwd: dirname(scriptPath),
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        ...(signal ? { signal } : {}),
      });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      child.on('error', (err) => reject(new LoadRunError(`${this.where}: ${err.message}`, { cause: err })));
      child.on('close', (code, signal) => {
        if (signal === 'SIGKILL')
          return reject(new TimeoutError(`${this.where} timed out after ${timeoutMs} ms`));
        if (signal) return reject(new LoadRunError(`${this.where} ${signal}`));
        if (!K6_SUMMARY_EXIT_CODES.has(code ?? -1))
          return reject(new LoadRunError(`${this.where} exited with ${code}:\n${tail(output)}`));
        try {
          resolve(JSON.parse(readFileSync(summary, 'utf8')));
        } catch (err) {
          reject(
            new LoadRunError(`${this.where} wrote no readable summary ${summary}: ${(err as Error).message}`),
          );
        } finally {
          rmSync(summary, { force: true }); // the caller keeps what it needs of it
        }
      });
    });
  }

  /** Pre-flight: `k6 version` runs, so a k6 that cannot start fails before the sweep does. */
  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      execFile(this.executable, ['version'], { timeout: K6_VERSION_TIMEOUT_MS }, (err, stdout, stderr) =>
        err
          ? reject(
              new LoadRunError(
                `${this.where} does not run (k6 version): ${tail(`${stderr}${stdout}`) || err.message}`,
              ),
            )
          : resolve(),
      );
    });
  }

  async close(): Promise<void> {}
}
