import type { z } from 'zod';

/**
 * dfaas's errors. Every error a user or a program may meet is a DfaasError with a stable `code`
 * (listed with its meaning in docs/errors.md; a test keeps the two in step), the exit code the
 * CLI ends with, the HTTP status a control-plane server answers with, and an optional hint.
 * Each capability derives its own errors from these; the CLI and the HTTP kit map by `exitCode`
 * and `status`, never by message text.
 */

/** Exit codes shared by every dfaas command: 0 success, 1 the run failed, 2 bad input. */
export const ExitCode = { ok: 0, failed: 1, badInput: 2 } as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** The code of an error that is no DfaasError (a bug): exit 1, HTTP 500, reported with its message. */
const INTERNAL_ERROR_CODE = 'DFAAS_ERR_INTERNAL';

/** The code of any error: its own for a DfaasError, INTERNAL_ERROR_CODE for anything else. */
export function errorCode(err: unknown): string {
  return err instanceof DfaasError ? err.code : INTERNAL_ERROR_CODE;
}

export interface DfaasErrorOptions {
  /** Exit code of the CLI (default 1, the run failed). */
  exitCode?: ExitCodeValue;
  /** HTTP status a server answers with (default 500). */
  status?: number;
  /** What the user can do about it. */
  hint?: string;
  cause?: unknown;
}

export class DfaasError extends Error {
  readonly code: string;
  readonly exitCode: ExitCodeValue;
  readonly status: number;
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: DfaasErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DfaasError';
    this.code = code;
    this.exitCode = options.exitCode ?? ExitCode.failed;
    this.status = options.status ?? 500;
    this.hint = options.hint;
  }
}

/** A bounded wait ran out (pollUntil, a start or drain timeout). */
export class TimeoutError extends DfaasError {
  constructor(message: string, options: Omit<DfaasErrorOptions, 'exitCode' | 'status'> = {}) {
    super('DFAAS_ERR_TIMEOUT', message, { ...options, status: 504 });
    this.name = 'TimeoutError';
  }
}

/**
 * What a run would use does not work (a gateway that does not answer, a Prometheus query with no
 * series, a k6 that does not run), found before the run starts or writes anything. Every
 * problem found is listed, not only the first.
 */
export class PreflightError extends DfaasError {
  constructor(
    readonly what: string,
    readonly problems: string[],
  ) {
    super('DFAAS_ERR_PREFLIGHT', `${what} cannot start:\n${problems.map((p) => `  ${p}`).join('\n')}`, {
      status: 503,
      hint: 'nothing was run or written; fix what is listed and run the same command again',
    });
    this.name = 'PreflightError';
  }
}

/** One problem in a configuration: where it is (file and dotted field path) and what is wrong. */
export interface ConfigIssue {
  field: string;
  message: string;
}

/**
 * Bad input: a configuration file, a request body or a flag that does not validate.
 * The CLI maps it to exit code 2; the gateway maps it to HTTP 400.
 */
export class ConfigError extends DfaasError {
  readonly issues: ConfigIssue[];
  readonly source: string;

  constructor(source: string, issues: ConfigIssue[]) {
    super(
      'DFAAS_ERR_BAD_INPUT',
      `${source}: ${issues.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join('; ')}`,
      { exitCode: ExitCode.badInput, status: 400 },
    );
    this.name = 'ConfigError';
    this.source = source;
    this.issues = issues;
  }
}

/** Dotted path as a user writes it in YAML: functions.figlet.limits.memory, items[2].name */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** Turns zod issues into ConfigIssues, naming unknown keys one by one. */
export function issuesFromZod(error: z.ZodError): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        issues.push({ field: formatPath([...issue.path, key]), message: 'unknown key' });
      }
    } else if (issue.path.length === 0 && issue.code === 'invalid_type' && issue.expected === 'object') {
      // The whole file: say what a configuration is, not zod's "expected object, received array".
      issues.push({
        field: '',
        message: 'expected a mapping of keys (YAML `key: value` lines or a JSON object)',
      });
    } else {
      issues.push({ field: formatPath(issue.path), message: issue.message });
    }
  }
  return issues;
}
