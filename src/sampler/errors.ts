import { DfaasError, ExitCode } from '../core/errors.js';

/** The sampler's errors (a sweep's own failures; bad configuration is a ConfigError, a wait that ran out a TimeoutError). */

/** The output folder holds another sweep's results: resuming into it would mix two datasets. */
export class OutputDirInUseError extends DfaasError {
  constructor(readonly resultsPath: string) {
    super('DFAAS_ERR_OUTPUT_DIR_IN_USE', `${resultsPath} has other columns than this sweep writes`, {
      exitCode: ExitCode.badInput,
      status: 409,
      hint: 'use another output_dir or run_id',
    });
    this.name = 'OutputDirInUseError';
  }
}

/** Ctrl-C during a sweep: what was measured is kept, and the same command resumes it. */
export class SweepInterruptedError extends DfaasError {
  constructor() {
    super('DFAAS_ERR_INTERRUPTED', 'interrupted, rerun the same command to resume', { status: 503 });
    this.name = 'SweepInterruptedError';
  }
}
