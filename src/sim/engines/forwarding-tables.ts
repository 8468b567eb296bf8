import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { loadConfigFile } from '../../config/read-file.js';
import { ConfigError } from '../../core/errors.js';
import { writeFileAtomic } from '../../core/files.js';
import type { ForwardingMatrix, RoundsInstant } from './rounds-result.js';

/**
 * The simulation framework's forwarding tables, as its simulation.py writes them (pandas to_csv,
 * tab-separated) and its analyzer.py reads them: `<dir>/<strategy>/minute_<t>/<function>.csv`, one
 * file per function of the instance at every instant, a row per sending node (node order), a
 * column per receiving node (sorted as strings: node_0, node_1, node_10, …, node_2), integers;
 * the header's first cell is empty (the index column). Every node has a row for every function,
 * zeros when it does not call it.
 *
 * dfaas's fixed mode also has requests the proxies refused, which the tables cannot hold: they go
 * beside them, in `<dir>/<strategy>/refused.json` (per instant: function → node → requests).
 */

/** Python's sorted() of node ids: plain code-unit order. */
const sortedIds = (ids: readonly string[]) => [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

export function forwardingTableCsv(matrix: ForwardingMatrix, nodeIds: readonly string[]): string {
  const columns = sortedIds(nodeIds);
  const lines = [['', ...columns].join('\t')];
  for (const from of nodeIds) {
    const row = matrix[from] ?? {};
    lines.push([from, ...columns.map((to) => String(row[to] ?? 0))].join('\t'));
  }
  return `${lines.join('\n')}\n`;
}

export function tablePath(dir: string, strategy: string, t: number, fn: string): string {
  return join(dir, strategy, `minute_${t}`, `${fn}.csv`);
}

/** Writes one strategy's tables, every function at every instant. */
export function writeForwardingTables(
  dir: string,
  strategy: string,
  instants: readonly RoundsInstant[],
  functions: readonly string[],
  nodeIds: readonly string[],
): void {
  instants.forEach((instant, t) => {
    for (const fn of functions) {
      writeFileAtomic(
        tablePath(dir, strategy, t, fn),
        forwardingTableCsv(instant.forwarding[fn] ?? {}, nodeIds),
      );
    }
  });
  if (instants.some((i) => Object.keys(i.refused).length > 0))
    writeFileAtomic(refusedPath(dir, strategy), `${JSON.stringify(instants.map((i) => i.refused))}\n`);
}

const refusedPath = (dir: string, strategy: string) => join(dir, strategy, 'refused.json');

/** Parses one table; a malformed one is a ConfigError naming the file and the line. */
export function parseForwardingTable(text: string, file: string): ForwardingMatrix {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const header = (lines[0] ?? '').split('\t');
  if (header.length < 2 || header[0] !== '')
    throw new ConfigError(file, [
      { field: 'line 1', message: 'a header: an empty cell, then the receiving nodes' },
    ]);
  const columns = header.slice(1);
  const matrix: ForwardingMatrix = {};
  lines.slice(1).forEach((line, i) => {
    const cells = line.split('\t');
    const values = cells.slice(1).map(Number);
    if (cells.length !== header.length || values.some((v) => !Number.isInteger(v) || v < 0))
      throw new ConfigError(file, [
        {
          field: `line ${i + 2}`,
          message: `a node id and ${columns.length} whole numbers ≥ 0, tab-separated`,
        },
      ]);
    const row: Record<string, number> = {};
    columns.forEach((to, k) => {
      const v = values[k] as number;
      if (v !== 0) row[to] = v;
    });
    matrix[cells[0] as string] = row;
  });
  return matrix;
}

/**
 * Reads one strategy's tables back (`dfaas sim analyze` on a run of ours or of the framework), with
 * its refused.json when there is one. A missing or malformed file is a ConfigError.
 */
export function readForwardingTables(
  dir: string,
  strategy: string,
  instants: number,
  functions: readonly string[],
): RoundsInstant[] {
  const refused = readRefused(refusedPath(dir, strategy), instants);
  return Array.from({ length: instants }, (_, t) => {
    const forwarding: Record<string, ForwardingMatrix> = {};
    for (const fn of functions) {
      const file = tablePath(dir, strategy, t, fn);
      if (!existsSync(file))
        throw new ConfigError(file, [
          { field: 'file', message: `missing: ${strategy} has no table of ${fn} at minute ${t}` },
        ]);
      forwarding[fn] = parseForwardingTable(readFileSync(file, 'utf8'), file);
    }
    return { forwarding, refused: refused[t] ?? {} };
  });
}

const RefusedSchema = z.array(z.record(z.string(), z.record(z.string(), z.number().int().min(0))));

function readRefused(file: string, instants: number): RoundsInstant['refused'][] {
  if (!existsSync(file)) return [];
  const refused = loadConfigFile(RefusedSchema, file);
  if (refused.length !== instants)
    throw new ConfigError(file, [
      { field: 'length', message: `${refused.length} instants, the instance has ${instants}` },
    ]);
  return refused;
}
