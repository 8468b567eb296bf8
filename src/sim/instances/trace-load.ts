import { ConfigError, type ConfigIssue } from '../../core/errors.js';
import { csvLines, parseNumberCell } from '../../dataset/cells.js';
import { roundHalfEven } from '../python-round.js';
import {
  FRAMEWORK_GROUPS,
  FUNCTION_GROUPS,
  type FunctionGroup,
  type InstantLoad,
  type SimInstance,
  type SimNode,
} from './instance.js';

/**
 * An instance's load from a trace: a CSV whose header names the columns `instant,node,function,rate`
 * (any order, any case; other columns are ignored), then one row per offered rate:
 *
 * ```
 * instant,node,function,rate
 * 0,node_0,figlet,12
 * 0,node_0,curl,3.5
 * 1,node_2,figlet,40
 * ```
 *
 * - instant: an integer ≥ 0; the load has T = max instant + 1 instants.
 * - node: node_<i>, a node of the instance.
 * - function: a function of the groups list (the framework's group_list.json by default).
 * - rate: requests/s ≥ 0, rounded half to even to an integer (the instance format's rates are
 *   integers; half to even as the framework's Python round), so 3.5 → 4 and 2.5 → 2.
 *
 * A node's functions are those the trace names for it at any instant: its deployment. At an
 * instant the trace leaves a deployed function out, its rate is 0 but it stays listed, so the
 * deployment reads the same at every instant (deployment.ts). A node the trace never names offers
 * nothing. Groups come in the framework's order and functions in the groups list's, whatever the
 * rows' order, so a trace's rows may come in any order. A (instant, node, function) given twice is
 * an error, not a sum.
 */

export interface TraceLoadOptions {
  /** Where the text comes from (the file name), for errors. */
  source: string;
  /** The functions of each group (default: the framework's group_list.json). */
  groups?: Readonly<Record<FunctionGroup, readonly string[]>>;
}

const COLUMNS = ['instant', 'node', 'function', 'rate'] as const;
type Column = (typeof COLUMNS)[number];

const NODE_ID = /^node_(0|[1-9]\d*)$/;

/** Bad cells listed in one error at most; a file that is wrong throughout names the first ones. */
const MAX_ISSUES = 10;

/**
 * Instants a trace may have: a bound so that a typo (an instant of 1e9) is an error naming its
 * line, not an out-of-memory crash; a day of one-second instants fits.
 */
export const MAX_TRACE_INSTANTS = 1_000_000;

/** One valid row. */
interface TraceRow {
  instant: number;
  node: number;
  function: string;
  rate: number;
}

/** The instance with its load replaced by the trace's (see the module comment); bad rows are a ConfigError naming each line and column. */
export function traceLoad(csvText: string, instance: SimInstance, options: TraceLoadOptions): SimInstance {
  const groupOf = functionGroups(options.groups ?? FRAMEWORK_GROUPS);
  const rows = parseTrace(csvText, instance.nodes.length, groupOf, options.source);
  const instants = rows.reduce((max, r) => Math.max(max, r.instant), 0) + 1;

  // rates[node] maps each function the trace names for the node to its rate at each instant.
  const rates = instance.nodes.map(() => new Map<string, number[]>());
  for (const row of rows) {
    const byFunction = rates[row.node] as Map<string, number[]>;
    let series = byFunction.get(row.function);
    if (series === undefined) {
      series = Array.from({ length: instants }, () => 0);
      byFunction.set(row.function, series);
    }
    series[row.instant] = row.rate;
  }

  const groupList = options.groups ?? FRAMEWORK_GROUPS;
  const nodes = instance.nodes.map((node, i): SimNode => {
    const byFunction = rates[i] as Map<string, number[]>;
    const deployment = FUNCTION_GROUPS.map((group) => ({
      group,
      functions: groupList[group].filter((f) => byFunction.has(f) && groupOf.get(f) === group),
    })).filter((d) => d.functions.length > 0);
    const load = Array.from({ length: instants }, (_, t) => {
      const instant: InstantLoad = {};
      for (const { group, functions } of deployment) {
        const fns = functions.map((name) => ({ name, rate: byFunction.get(name)?.[t] ?? 0 }));
        instant[group] = { functions: fns, totalRate: fns.reduce((s, f) => s + f.rate, 0) };
      }
      return instant;
    });
    return { ...node, neighbours: [...node.neighbours], load };
  });
  return { ...instance, nodes };
}

/** Each function's group; a name listed in two groups belongs to the first in the framework's order. */
function functionGroups(
  groups: Readonly<Record<FunctionGroup, readonly string[]>>,
): Map<string, FunctionGroup> {
  const groupOf = new Map<string, FunctionGroup>();
  for (const group of FUNCTION_GROUPS)
    for (const f of groups[group]) if (!groupOf.has(f)) groupOf.set(f, group);
  return groupOf;
}

function parseTrace(
  text: string,
  nodeCount: number,
  groupOf: ReadonlyMap<string, FunctionGroup>,
  source: string,
): TraceRow[] {
  const [head, ...lines] = csvLines(text);
  const header = (head?.line ?? '').split(',').map((c) => c.trim().toLowerCase());
  const missing = COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0)
    throw new ConfigError(source, [
      { field: 'header', message: `no column ${missing.join(', ')} (a trace has ${COLUMNS.join(',')})` },
    ]);
  const twice = COLUMNS.filter((c) => header.indexOf(c) !== header.lastIndexOf(c));
  if (twice.length > 0)
    throw new ConfigError(source, [{ field: 'header', message: `column ${twice.join(', ')} named twice` }]);
  if (lines.length === 0) throw new ConfigError(source, [{ field: '', message: 'no row below the header' }]);

  const issues: ConfigIssue[] = [];
  const rows: TraceRow[] = [];
  const firstLine = new Map<string, number>(); // "instant node function" → the line that gave it
  for (const { line, number } of lines) {
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length !== header.length) {
      issues.push({
        field: `line ${number}`,
        message: `${cells.length} cells, expected ${header.length} (the header's)`,
      });
      continue;
    }
    const cell = (column: Column) => cells[header.indexOf(column)] as string;
    const bad = (column: Column, message: string) =>
      issues.push({ field: `line ${number}, column ${column}`, message: `"${cell(column)}" ${message}` });
    const before = issues.length;

    const instant = parseNumberCell(cell('instant'));
    if (instant === undefined || !Number.isInteger(instant) || instant < 0 || instant >= MAX_TRACE_INSTANTS)
      bad('instant', `is not an integer in [0, ${MAX_TRACE_INSTANTS})`);
    const nodeMatch = NODE_ID.exec(cell('node'));
    const node = nodeMatch ? Number(nodeMatch[1]) : -1;
    if (node < 0 || node >= nodeCount)
      bad('node', `is no node of the instance (node_0..node_${nodeCount - 1})`);
    if (!groupOf.has(cell('function')))
      bad('function', `is in no group (the groups' functions: ${[...groupOf.keys()].join(', ')})`);
    const rate = parseNumberCell(cell('rate'));
    if (rate === undefined || !Number.isFinite(rate) || rate < 0)
      bad('rate', 'is not a rate ≥ 0 (requests/s)');
    if (issues.length > before) continue;

    const key = `${instant} ${node} ${cell('function')}`;
    const earlier = firstLine.get(key);
    if (earlier !== undefined) {
      issues.push({
        field: `line ${number}`,
        message: `repeats line ${earlier}'s instant, node and function`,
      });
      continue;
    }
    firstLine.set(key, number);
    rows.push({
      instant: instant as number,
      node,
      function: cell('function'),
      rate: roundHalfEven(rate as number),
    });
  }
  if (issues.length > MAX_ISSUES) {
    const more = issues.length - MAX_ISSUES;
    issues.splice(MAX_ISSUES, more, { field: '', message: `and ${more} more bad cells or lines` });
  }
  if (issues.length > 0) throw new ConfigError(source, issues);
  return rows;
}
