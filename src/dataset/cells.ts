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

/** A cell read back: empty or `nan` (any case) is NaN. */
export function numberCell(text: string | undefined): number {
  return text === undefined || text === '' || text.toLowerCase() === 'nan' ? Number.NaN : Number(text);
}

/** The lines of a CSV file's text, without line ends (`\r\n` too) and without empty lines, with their 1-based line numbers. */
export function csvLines(text: string): { line: string; number: number }[] {
  return text
    .split('\n')
    .map((raw, i) => ({ line: raw.replace(/\r$/, ''), number: i + 1 }))
    .filter((l) => l.line.trim() !== '');
}
