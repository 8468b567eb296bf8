import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigError } from './errors.js';

/**
 * Where dfaas writes what a command makes when not told where (sweeps, comparisons, the demo,
 * clusters), relative to the current directory; git-ignored in a clone.
 */
export const RESULTS_ROOT = 'results';

/** The time now as a file name's part: 2026-11-30T18-40-00-000Z. */
export const fileStamp = (): string => new Date().toISOString().replace(/[:.]/g, '-');

/**
 * Writes a whole file atomically: a temp file beside it, fsync, rename. A crash leaves either
 * the old file or the new one, never half of one. `mode` is the new file's (before the umask).
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o666): void {
  const dir = dirname(path);
  ensureDir(dir, { source: path, field: '' });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w', mode);
  try {
    try {
      writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    // A full disk or a failed rename leaves no half-written temp file behind.
    rmSync(tmp, { force: true });
    throw err;
  }
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

/**
 * Appends a whole line to a file, ended with `eol` (`\n` unless told: the sampler's CSV files take
 * `\r\n`), written and fsynced before the call returns.
 */
export function appendLineDurably(path: string, line: string, eol = '\n'): void {
  const fd = openSync(path, 'a');
  try {
    writeSync(fd, `${line}${eol}`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Where a folder came from, for the bad-input error: a file and field, or `command line` and a flag. */
export interface DirOrigin {
  source: string;
  field: string;
}

/**
 * Makes `dir` and its missing parents, or throws a ConfigError (bad input, exit 2) naming where
 * the path came from when it cannot: the nearest existing ancestor is not a folder, not writable,
 * or refuses a new folder. Checked level by level, because Node's recursive mkdir retries forever
 * where creating a folder fails with ENOENT (under /proc: `--output-dir /proc/x` spun at 100% CPU).
 * Returns the folders it made, outermost first, for removeEmptyFolders to take back.
 */
export function ensureDir(dir: string, origin: DirOrigin): string[] {
  const refuse = (message: string) => new ConfigError(origin.source, [{ field: origin.field, message }]);
  const missing: string[] = [];
  let at = resolve(dir);
  while (!existsSync(at)) {
    missing.unshift(at);
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  if (!statSync(at).isDirectory()) throw refuse(`${at} is not a folder`);
  try {
    accessSync(at, constants.W_OK);
  } catch {
    throw refuse(`cannot write in ${at}`);
  }
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && statSync(folder).isDirectory()) continue;
      throw refuse(`cannot create the folder ${folder}: ${(err as Error).message}`);
    }
  }
  return missing;
}

/**
 * Removes these folders (as ensureDir returned them, outermost first) where they are still empty:
 * a run that fails its pre-flight leaves nothing behind, not even the folder it was to write in.
 */
export function removeEmptyFolders(folders: readonly string[]): void {
  for (const folder of [...folders].reverse()) {
    try {
      rmdirSync(folder);
    } catch {
      return; // not empty (or gone): its parents are not empty either
    }
  }
}

/**
 * Reads a text file the user named (a configuration, a dataset, a profile). One that cannot be
 * read is bad input naming it ("cannot read file: ENOENT…", exit 2), not a failed run.
 */
export function readInputFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, [{ field: '', message: `cannot read file: ${(err as Error).message}` }]);
  }
}
