/**
 * What the chain experiments share (weakest-link, basic-weakest-link, linear-invocation and
 * linear-invocation-nested): the payload that makes one function call the next down a chain, a
 * cold start of several functions at once, what each link of a chain call cost, and the table
 * they write it to, Chain_link (one row per link of each call; the summaries come from it).
 *
 * A link's cost is its `hop`: the time from its caller being ready to call it to its start, i.e.
 * the call's transport and any cold start. For the root that is the Benchmarker's latency
 * (execution_start − the client's invocation_start); for a nested link it is its execution_start
 * − (its caller's execution_start + the caller's sleep and busy loop), since a lab function sleeps
 * and spins before it makes its nested calls. It uses only the entries' own fields (the function
 * clocks), not the caller-side invocation_start of a nested entry (which the Benchmarker's rows
 * replace with the client's). It is as exact as those clocks (the lab functions' are whole
 * milliseconds), so a hop of a few ms may read slightly below 0.
 */
import type { CallResult } from '../benchmarker.js';
import { percentile } from '../stats.js';
import type { StoreRow, TableDefinition } from '../store/contract.js';
import type { ExperimentContext } from './contract.js';

/** dfaas's: the links of the chain experiments' calls (weakest-link adds hot, iteration, prewarmed). */
export const CHAIN_LINK: TableDefinition = {
  name: 'Chain_link',
  description: 'one row per link of each chain call: its position, cold or not, and its hop',
  columns: {
    exp_id: 'text',
    invo_id: 'text',
    root_identifier: 'text',
    chain: 'text',
    link: 'integer',
    function_name: 'text',
    is_cold: 'boolean',
    start_offset: 'real',
    hop: 'real',
    hot: 'integer',
    iteration: 'integer',
    prewarmed: 'boolean',
  },
};

/**
 * The arguments that make `fns[0]` call `fns[1]`, which calls `fns[2]`, and so on: each nested
 * payload carries `linkPayload` (the root's arguments carry only the first nested call, as the
 * reference's). One function: no arguments.
 */
export function chainArgs(
  fns: readonly string[],
  linkPayload: Record<string, unknown> = {},
): Record<string, unknown> {
  const nest = (rest: readonly string[]): Record<string, unknown> => ({
    function_name: rest[0],
    invoke_payload: {
      ...linkPayload,
      ...(rest.length > 1 ? { invoke_nested: [nest(rest.slice(1))] } : {}),
    },
  });
  return fns.length > 1 ? { invoke_nested: [nest(fns.slice(1))] } : {};
}

/**
 * Lets every function of `fns` go cold: each forced in turn where the provider can, else one
 * wait of the coldtime, which all of them idle through together. Returns the seconds waited.
 */
export async function goColdAll(ctx: ExperimentContext, fns: readonly string[]): Promise<number> {
  let waited = 0;
  for (const fn of new Set(fns)) {
    waited = await ctx.goCold(fn);
    if (waited > 0) break;
  }
  return waited;
}

/** One link of a chain call: one entry of its answer. */
export interface ChainLink {
  /** Its level in the call tree: 0 for the function the client called. */
  position: number;
  function_name: string;
  identifier: string;
  /** The replica's cold marker (SeBS's), null where the answer has none. */
  is_cold: boolean | null;
  /** execution_start − the client's invocation_start, seconds. */
  offset: number;
  /** From its caller being ready to call it to its start, seconds (see the file's comment). */
  hop: number;
}

const num = (v: unknown): number => (v === null || v === undefined ? Number.NaN : Number(v));

/**
 * The links of one chain call, by position, from its invocation rows (the root's has the client's
 * invocation_start). A chain: each entry calls at most one other; rows of another root are
 * ignored.
 */
export function chainLinks(rows: readonly StoreRow[]): ChainLink[] {
  const root = rows.find((r) => r.identifier === r.root_identifier) ?? rows[0];
  if (!root) return [];
  const tree = rows.filter((r) => r.root_identifier === root.root_identifier);
  const byId = new Map(tree.map((r) => [String(r.identifier), r]));
  const clientStart = num(root.invocation_start);
  return [...tree]
    .sort((a, b) => num(a.level) - num(b.level))
    .map((r) => {
      const start = num(r.execution_start);
      const caller = r === root ? undefined : byId.get(String(r.parent));
      const ready = caller
        ? num(caller.execution_start) + (num(caller.sleep) || 0) + (num(caller.throughput_running_time) || 0)
        : clientStart;
      return {
        position: num(r.level),
        function_name: String(r.function_name ?? ''),
        identifier: String(r.identifier),
        is_cold: typeof r.is_cold === 'boolean' ? r.is_cold : null,
        offset: start - clientStart,
        hop: start - ready,
      };
    });
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const median = (values: readonly number[]): number | null => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return sorted.length > 0 ? percentile(sorted, 50) : null;
};

/** One position of a chain, over its calls. */
export interface LinkSummary {
  position: number;
  function_name: string;
  calls: number;
  /** Calls whose replica said it was cold. */
  cold: number;
  /** Median hop of all, of the warm and of the cold calls (seconds; null when none). */
  median_hop: number | null;
  median_hop_warm: number | null;
  median_hop_cold: number | null;
}

export interface ChainSummary {
  /** The functions of the chain, caller first, joined by `>`. */
  chain: string;
  calls: number;
  links: LinkSummary[];
  /** The function at the position with the largest median hop. */
  weakest: string | null;
}

/** The chain of a call's links, as `function1>function2`. */
export const chainName = (links: readonly ChainLink[]): string => links.map((l) => l.function_name).join('>');

/** Summarises links by position: `calls` holds each call's links (one chain per call). */
export function summariseLinks(chain: string, calls: readonly (readonly ChainLink[])[]): ChainSummary {
  const positions = new Map<number, ChainLink[]>();
  for (const link of calls.flat()) pushTo(positions, link.position, link);
  const links = [...positions.entries()]
    .sort(([a], [b]) => a - b)
    .map(([position, list]): LinkSummary => {
      const hops = (f: (l: ChainLink) => boolean) => median(list.filter(f).map((l) => l.hop));
      return {
        position,
        function_name: list[0]?.function_name ?? '',
        calls: list.length,
        cold: list.filter((l) => l.is_cold === true).length,
        median_hop: hops(() => true),
        median_hop_warm: hops((l) => l.is_cold === false),
        median_hop_cold: hops((l) => l.is_cold === true),
      };
    });
  const ranked = links.filter((l) => l.median_hop !== null);
  const weakest = ranked.reduce<LinkSummary | undefined>(
    (best, l) => (best === undefined || (l.median_hop as number) > (best.median_hop as number) ? l : best),
    undefined,
  );
  return { chain, calls: calls.length, links, weakest: weakest?.function_name ?? null };
}

/**
 * Records a successful call's links as Chain_link rows, with `extra` columns (weakest-link's);
 * a failed call records nothing (it is an Error row). Returns the links.
 */
export function recordChainCall(
  ctx: ExperimentContext,
  result: CallResult,
  extra: (link: ChainLink) => StoreRow = () => ({}),
): ChainLink[] {
  if (!result.ok) return [];
  const links = chainLinks(result.rows);
  const chain = chainName(links);
  ctx.record(
    CHAIN_LINK.name,
    links.map((link) => ({
      invo_id: link.identifier,
      root_identifier: result.rows[0]?.root_identifier,
      chain,
      link: link.position,
      function_name: link.function_name,
      is_cold: link.is_cold,
      start_offset: link.offset,
      hop: link.hop,
      ...extra(link),
    })),
  );
  return links;
}

/** Chain_link rows grouped by `keyOf` (the chain by default), then by call, in order of appearance. */
export function groupChainLinks(
  rows: readonly StoreRow[],
  keyOf: (row: StoreRow) => string = (r) => String(r.chain),
): Map<string, ChainLink[][]> {
  const groups = new Map<string, Map<string, ChainLink[]>>();
  for (const r of rows) {
    const key = keyOf(r);
    const calls = groups.get(key) ?? new Map<string, ChainLink[]>();
    groups.set(key, calls);
    pushTo(calls, String(r.root_identifier), {
      position: Number(r.link),
      function_name: String(r.function_name),
      identifier: String(r.invo_id),
      is_cold: typeof r.is_cold === 'boolean' ? r.is_cold : null,
      offset: Number(r.start_offset),
      hop: Number(r.hop),
    });
  }
  return new Map([...groups.entries()].map(([key, calls]) => [key, [...calls.values()]]));
}

/** Every chain of the Chain_link rows, summarised, in the order the chains first ran. */
export function chainLinkSummaries(rows: readonly StoreRow[]): ChainSummary[] {
  return [...groupChainLinks(rows).entries()].map(([chain, calls]) => summariseLinks(chain, calls));
}
