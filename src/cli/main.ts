#!/usr/bin/env node
/**
 * The `dfaas` executable: the program of program.ts on this process's streams, signals and exit
 * code. The program is imported when this file runs, not with it, so that failing to load it is
 * reported as a dfaas error: under a low `ulimit -n` Node.js runs out of descriptors while
 * loading modules and says "Cannot find package" of one that is there.
 */
import { reportError } from './errors.js';
import type { CliIo } from './io.js';
import { noteOpenFileLimit } from './open-files.js';
import { jsonRequested } from './output.js';

noteOpenFileLimit();

// `dfaas … | head` closes stdout early: end quietly, as other command-line tools do.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const io: CliIo = { stdout: process.stdout, stderr: process.stderr };
try {
  const { createProgram } = await import('./program.js');
  process.exitCode = await createProgram(io).run(process.argv);
} catch (err) {
  // run() reports every error of a command: what reaches here is the program failing to load.
  process.exitCode = reportError(err, io.stderr, jsonRequested(process.argv.slice(2)));
}
