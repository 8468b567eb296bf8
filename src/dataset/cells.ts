/**
 * How a number is written into and read from a cell of the sampler's CSV files, the same in
 * every one of them: the legacy DFaaS notebooks read these cells, so the formatting is theirs.
 */

/** Floats with 3 decimals, NaN as `nan`, booleans as 0/1, as the legacy notebooks read them. */
export function cell(v: number | string | boolean | undefined): string {
  if (v === undefined) return '';
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'string') return v;
  if (Number.isNaN(v)) return 'nan';
  return Number.isInteger(v) ? String(v) : v.toFixed(3);
}

/**
 * A float cell as the reference DFaaS tools write one (Python's `f"{v:.3f}"`): always 3 decimals
 * (`1.000`, `0.000`), `nan`, `inf`/`-inf`, `-0.000` for negative zero, and a tie rounded to even
 * as Python does (0.0625 is `0.062`, where `toFixed` gives `0.063`).
 */
export function floatCell(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (Object.is(v, -0)) return '-0.000';
  const a = Math.abs(v);
  // An exact tie at the third decimal is a dyadic rational: 16v an odd integer (v = k/2000 = odd/16).
  if (Number.isInteger(a * 16) && !Number.isInteger(a * 8) && a < 2 ** 40) {
    const low = Math.floor(a * 1000); // exact: a * 1000 = 62.5 * odd
    const n = low % 2 === 0 ? low : low + 1;
    return `${v < 0 ? '-' : ''}${Math.floor(n / 1000)}.${String(n % 1000).padStart(3, '0')}`;
  }
  return v.toFixed(3);
}

/** An integer cell as the reference writes one (Python's `int(v)`: truncated toward 0); `nan` when not finite. */
export function intCell(v: number): string {
  return Number.isFinite(v) ? String(Math.trunc(v) + 0) : 'nan';
}

/**
 * The line end of results.csv, skipped.csv and index.csv: Python's csv module's default, which the
 * reference DFaaS tools write (their csv.writer and csv.DictWriter set no lineterminator). The
 * readers take `\n` too (csvLines), and a whole line still ends with `\n` (resume's cut).
 */
export const CSV_EOL = '\r\n';

/** A whole CSV file's text: each line ended with CSV_EOL. */
export function csvText(lines: readonly string[]): string {
  return lines.map((l) => `${l}${CSV_EOL}`).join('');
}

/** A decimal number as `cell` writes it (`-1.5`, `1e+21`, `.5`): no spaces, no hexadecimal, no `_`. */
const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
/** Infinity as `cell` writes it (`Infinity`, `-Infinity`), or as Python and pandas write it (`inf`). */
const INFINITE = /^[-+]?(inf|infinity)$/i;

/**
 * The number a cell's text holds: a decimal (optional sign and exponent), an infinity, or NaN
 * for an empty cell and `nan` (any case); undefined when the text is none of those (` `, `0x10`,
 * `true`), which `Number` would have read as 0, 16 or NaN. Reads back whatever `cell` writes.
 */
export function parseNumberCell(text: string): number | undefined {
  if (text === '' || text.toLowerCase() === 'nan') return Number.NaN;
  if (DECIMAL.test(text)) return Number(text);
  if (INFINITE.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  return undefined;
}

/** A cell read back (see parseNumberCell), NaN when missing or not a number. */
export function numberCell(text: string | undefined): number {
  return (text === undefined ? undefined : parseNumberCell(text)) ?? Number.NaN;
}

/** The lines of a CSV file's text, without line ends (`\r\n` too) and without empty lines, with their 1-based line numbers. */
export function csvLines(text: string): { line: string; number: number }[] {
  return text
    .split('\n')
    .map((raw, i) => ({ line: raw.replace(/\r$/, ''), number: i + 1 }))
    .filter((l) => l.line.trim() !== '');
}

/**
 * What to add to the message about a bad line when it is the text's last and has no line end:
 * the sampler ends every line it appends with one, so such a line is most likely one a crash cut
 * short (resuming the sweep removes it, src/sampler/resume.ts). Empty for any other line.
 */
export function cutLineHint(text: string, lineNumber: number): string {
  let lines = 1;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines++;
  return lineNumber === lines
    ? ' (the last line, with no line end: cut short when the sweep stopped? Resuming the sweep removes it; otherwise delete the line)'
    : '';
}
