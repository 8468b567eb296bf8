import { ConfigError, ExitCode } from '../core/errors.js';
import { InvalidDeploymentError } from '../platform/errors.js';

/** Prints an error the way the CLI promises (field and file named for bad input) and returns the exit code. */
export function reportError(
  err: unknown,
  write: (line: string) => void = (l) => process.stderr.write(l),
): number {
  if (err instanceof ConfigError) {
    write(`dfaas: bad input in ${err.source}\n`);
    for (const issue of err.issues) write(`  ${issue.field || '(file)'}: ${issue.message}\n`);
    return ExitCode.badInput;
  }
  if (err instanceof InvalidDeploymentError) {
    write(`dfaas: ${err.message}\n`);
    return ExitCode.badInput;
  }
  write(`dfaas: ${(err as Error)?.message ?? String(err)}\n`);
  return ExitCode.failed;
}

/** A flag with a bad value: exit 2 naming the flag. */
export function badFlag(flag: string, message: string): ConfigError {
  return new ConfigError('command line', [{ field: flag, message }]);
}
