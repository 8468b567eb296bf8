#!/usr/bin/env node
/** The `dfaas` executable: the program of program.ts on this process's streams, signals and exit code. */
import { createProgram } from './program.js';

// `dfaas … | head` closes stdout early: end quietly, as other command-line tools do.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

process.exitCode = await createProgram({
  stdout: process.stdout,
  stderr: process.stderr,
}).run(process.argv);
