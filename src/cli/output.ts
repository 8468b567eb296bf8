/**
 * The one way a command prints its result: with --json, one JSON document on stdout (what a
 * program reads); otherwise text for a person, tables padded by formatTable. Logs, progress and
 * errors go to stderr, so stdout holds only the result either way.
 */
import type { CliContext } from './io.js';

/** Rows under a header, printed by formatTable. */
export interface Table {
  header: string[];
  rows: string[][];
}

/** What a person reads: lines of text and tables, in order. */
export type Human = string | Table | (string | Table)[];

/** Prints `data` as JSON with --json, else what `human` makes of it (built only when needed). */
export function printResult(ctx: Pick<CliContext, 'io' | 'json'>, data: unknown, human: () => Human): void {
  if (ctx.json) {
    ctx.io.stdout.write(`${JSON.stringify(data)}\n`);
    return;
  }
  printPart(ctx, human);
}

/**
 * Prints a part of a long command's result for a person as soon as it is known; nothing with
 * --json, where the whole result comes at the end through printResult.
 */
export function printPart(ctx: Pick<CliContext, 'io' | 'json'>, human: () => Human): void {
  if (ctx.json) return;
  const parts = human();
  ctx.io.stdout.write((Array.isArray(parts) ? parts : [parts]).map(render).join(''));
}

function render(part: string | Table): string {
  return typeof part === 'string' ? part : formatTable(part.header, part.rows);
}

/** A plain-text table with columns padded to their widest cell; numbers right-aligned. */
export function formatTable(header: string[], rows: string[][]): string {
  // A reduce, not Math.max(...cells): spreading a long table's cells overflows the call stack.
  const widths = header.map((h, i) => rows.reduce((w, r) => Math.max(w, (r[i] ?? '').length), h.length));
  const numeric = header.map(
    (_, i) => rows.length > 0 && rows.every((r) => /^-?[\d.]+$|^-$/.test(r[i] ?? '')),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')}\n`;
}

/**
 * Whether a command line (without `node dfaas`) asks for --json: read before commander parses it,
 * for what is printed before commander reaches the flag (the version, help, usage errors) or
 * when the program cannot be loaded. Arguments after `--` are operands, not flags.
 */
export function jsonRequested(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).includes('--json');
}
