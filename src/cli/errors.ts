/**
 * How the CLI reports a failure: the exit code comes from the error (`DfaasError.exitCode`: 2
 * bad input, 1 a failed run), never from its message; anything else is a failed run (1).
 * Bad input names the file (or "command line") and each field; --json prints one JSON object
 * on stderr instead, for a program to read. Running out of file descriptors, whatever failed
 * for it, is reported as that (open-files.ts).
 */
import { ConfigError, DfaasError, ExitCode, errorCode, PreflightError } from '../core/errors.js';
import type { CliStream } from './io.js';
import { explainOpenFileLimit } from './open-files.js';

/** Prints an error the way the CLI promises and returns the exit code. */
export function reportError(error: unknown, stderr: CliStream, json = false): number {
  const err = explainOpenFileLimit(error);
  const exitCode = err instanceof DfaasError ? err.exitCode : ExitCode.failed;
  const message = err instanceof Error ? err.message : String(err);
  if (json) {
    const out: Record<string, unknown> = {
      code: errorCode(err),
      message,
      hint: err instanceof DfaasError ? err.hint : undefined,
    };
    if (err instanceof ConfigError) Object.assign(out, { source: err.source, issues: err.issues });
    if (err instanceof PreflightError) Object.assign(out, { problems: err.problems });
    stderr.write(`${JSON.stringify(out)}\n`);
    return exitCode;
  }
  if (err instanceof ConfigError) {
    stderr.write(`dfaas: bad input in ${err.source}\n`);
    for (const issue of err.issues) stderr.write(`  ${issue.field || '(file)'}: ${issue.message}\n`);
  } else stderr.write(`dfaas: ${message}\n`);
  if (err instanceof DfaasError && err.hint) stderr.write(`  hint: ${err.hint}\n`);
  stderr.write(`  (${errorCode(err)}, see docs/errors.md)\n`);
  return exitCode;
}

/** A flag with a bad value: exit 2 naming the flag. */
export function badFlag(flag: string, message: string): ConfigError {
  return new ConfigError('command line', [{ field: flag, message }]);
}
