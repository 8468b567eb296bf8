/**
 * A CSV of forecaster inputs, what `dfaas forecast predict --data` reads: a header naming the
 * models' features in any order and any case (`rate_group_high_usage` is rate_group_HIGH_USAGE;
 * other columns are ignored, as the service ignores extra fields), then one input per line. Each input is checked as the service checks a request body
 * (Forecaster.vector), and bad input is a ConfigError naming the file, the line and the column.
 */
import { ConfigError } from '../core/errors.js';
import { readInputFile } from '../core/files.js';
import { csvLines, parseNumberCell } from '../dataset/cells.js';
import { ForecastInputError } from './errors.js';
import type { Forecaster } from './forecaster.js';

export interface FeatureInput {
  /** The input's line in the file (the header is line 1). */
  line: number;
  /** The features by name, as read. */
  input: Record<string, number>;
  /** The same, in the models' order. */
  x: number[];
}

/** Every input of the CSV at `path`, for `forecaster`'s models (see the module comment). */
export function readFeatureCsv(path: string, forecaster: Forecaster): FeatureInput[] {
  const bad = (field: string, message: string) => new ConfigError(path, [{ field, message }]);
  const [head, ...lines] = csvLines(readInputFile(path));
  const columns = (head?.line ?? '').split(',').map((c) => c.trim().toLowerCase());
  const columnOf = (feature: string) => columns.indexOf(feature.toLowerCase());
  const missing = forecaster.features.filter((f) => columnOf(f) < 0);
  if (missing.length > 0)
    throw bad(
      'header',
      `no column ${missing.join(', ')} (the models take ${forecaster.features.join(', ')})`,
    );
  if (lines.length === 0) throw bad('', 'no input below the header');
  return lines.map(({ line, number }) => {
    const cells = line.split(',');
    if (cells.length !== columns.length)
      throw bad(`line ${number}`, `${cells.length} cells, expected ${columns.length} (the header's)`);
    const input: Record<string, number> = {};
    for (const feature of forecaster.features) {
      const text = (cells[columnOf(feature)] ?? '').trim();
      const value = parseNumberCell(text);
      // parseNumberCell reads an empty cell and `nan` as NaN, a missing figure in the sampler's
      // files; an input without the figure is no input.
      if (value === undefined || Number.isNaN(value))
        throw bad(`line ${number}`, `${feature}: "${text}" is not a number`);
      input[feature] = value;
    }
    try {
      return { line: number, input, x: forecaster.vector(input) };
    } catch (err) {
      throw err instanceof ForecastInputError ? bad(`line ${number}`, err.message) : err;
    }
  });
}
