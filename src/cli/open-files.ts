/**
 * Running out of file descriptors (a low `ulimit -n`), reported as that. Node.js opens a file for
 * each module it loads, many at once (dfaas's node loads about 300), and when no descriptor is
 * left it fails with EMFILE or, from its module resolver, reports a file that is there as missing
 * ("Cannot find package …"), which sends the user looking for a broken install. Light on
 * purpose: main.ts uses it when the program itself could not be loaded.
 */
import { readFileSync } from 'node:fs';
import { DfaasError } from '../core/errors.js';

/** What the hint says to raise the limit to: ample for every command, load runs included. */
const ENOUGH_OPEN_FILES = 4096;

/**
 * Below this limit a module reported missing is taken for a lack of descriptors: 1024, the usual
 * default, is ample for loading every command, so above it a missing module is missing indeed.
 */
const LOW_OPEN_FILES = 1024;

export class OpenFileLimitError extends DfaasError {
  constructor(limit: number | undefined, cause: unknown) {
    const current = limit === undefined ? '' : ` is ${limit},`;
    super(
      'DFAAS_ERR_OPEN_FILE_LIMIT',
      `too many open files: this process's open-file limit (ulimit -n)${current} too low for dfaas`,
      { hint: `raise it, e.g. \`ulimit -n ${ENOUGH_OPEN_FILES}\` in this shell, and run again`, cause },
    );
    this.name = 'OpenFileLimitError';
  }
}

/** `err` as an OpenFileLimitError when it comes from running out of file descriptors, else `err`. */
export function explainOpenFileLimit(err: unknown): unknown {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (code !== 'EMFILE' && code !== 'ERR_MODULE_NOT_FOUND') return err;
  const limit = openFileLimit();
  if (code === 'ERR_MODULE_NOT_FOUND' && (limit === undefined || limit >= LOW_OPEN_FILES)) return err;
  return new OpenFileLimitError(limit, err);
}

/** The limit read by noteOpenFileLimit, if it was called. */
let noted: number | undefined;

/**
 * Reads the limit now, while a descriptor is free to read it with: once they have run out,
 * explainOpenFileLimit could not read it (nor tell a module missing for want of one).
 */
export function noteOpenFileLimit(): void {
  noted = readOpenFileLimit();
}

function openFileLimit(): number | undefined {
  return noted ?? readOpenFileLimit();
}

/** This process's soft limit of open files (Linux's /proc/self/limits), or undefined if unreadable. */
function readOpenFileLimit(): number | undefined {
  try {
    const soft = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1];
    return soft === undefined ? undefined : Number(soft);
  } catch {
    return undefined;
  }
}
