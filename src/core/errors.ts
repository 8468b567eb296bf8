import type { z } from 'zod';

/** Exit codes shared by every dfaas command (see ARCHITECTURE.md, Conventions). */
export const ExitCode = { ok: 0, failed: 1, badInput: 2 } as const;

/** One problem in a configuration: where it is (file and dotted field path) and what is wrong. */
export interface ConfigIssue {
  field: string;
  message: string;
}

/**
 * Bad input: a configuration file, a request body or a flag that does not validate.
 * The CLI maps it to exit code 2; the gateway maps it to HTTP 400.
 */
export class ConfigError extends Error {
  readonly issues: ConfigIssue[];
  readonly source: string;

  constructor(source: string, issues: ConfigIssue[]) {
    super(`${source}: ${issues.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join('; ')}`);
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
    } else {
      issues.push({ field: formatPath(issue.path), message: issue.message });
    }
  }
  return issues;
}
