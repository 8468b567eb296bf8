import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ConfigError } from './errors.js';

/**
 * Writes a whole file atomically: a temp file beside it, fsync, rename. A crash leaves either
 * the old file or the new one, never half of one. `mode` is the new file's (before the umask).
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o666): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

/** Appends whole lines to a file, each written and fsynced before the call returns. */
export function appendLineDurably(path: string, line: string): void {
  const fd = openSync(path, 'a');
  try {
    writeSync(fd, `${line}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
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
