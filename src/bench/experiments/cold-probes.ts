/**
 * What the idle-time searches share (simple-cold-function, coldstart-identifier and their
 * variants): a probe that calls a function after an idle time and reads the entry that matters
 * (the root's, or the nested call's for the nested variants), the Coldstart rows of a search,
 * and the summary every search gives (the idle time found).
 */
import type { InvocationRow } from '../benchmarker.js';
import type { StoreRow } from '../store/contract.js';
import type { ExperimentContext } from './contract.js';
import type { IdleSearchResult } from './idle-search.js';

export interface ProbeCall {
  /** The entry's instance_identifier. */
  instance: string;
  /** The entry's identifier (Coldstart.invo_id). */
  invocation: string;
  /** execution_start − invocation_start of the entry, seconds. */
  latency: number;
  entry: InvocationRow;
}

export interface IdentityProbe {
  /** One call; throws when it fails (a search cannot go on without its answer). */
  call(): Promise<ProbeCall>;
  /** Waits until `idleSeconds` (reference seconds) after the start of the last call. */
  idleFor(idleSeconds: number): Promise<void>;
}

/**
 * Calls `fn` with `args`; `entry` picks the root entry or the first nested one (level 1), whose
 * invocation_start is when its parent called it, so its latency is function to function.
 */
export function identityProbe(
  ctx: ExperimentContext,
  fn: string,
  options: {
    args?: Record<string, unknown>;
    entry?: 'root' | 'nested';
    /**
     * Nested probes: call `fn` alone (no nested call) this often (reference seconds) while
     * waiting, so the caller stays warm. A caller gone cold delays the nested call by its own cold
     * start, real time that the time scale does not shrink (0.3 s is 60 reference seconds at
     * 200×): the nested function's idle time would be longer than the search says by an amount
     * no probe can know beforehand. The reference let both go idle and counted that delay in.
     */
    keepCallerWarmEvery?: number;
  } = {},
): IdentityProbe {
  let lastStart = ctx.time.nowSeconds();
  return {
    async call() {
      lastStart = ctx.time.nowSeconds();
      const result = await ctx.bench.invoke(fn, options.args ?? {});
      if (!result.ok) throw new Error(`${fn} failed (${result.error.type}): ${result.error.message}`);
      const entry =
        options.entry === 'nested' ? result.rows.find((r) => Number(r.level) === 1) : result.rows[0];
      if (!entry) throw new Error(`${fn} answered without the ${options.entry ?? 'root'} entry`);
      // A nested function's idle time runs from when its caller called it, later than the root
      // call's start by the caller's own start (a cold start of its own, not scaled by the time
      // scale): count from there, or every probe would be that much shorter than it says.
      const root = result.rows[0];
      if (options.entry === 'nested' && root) {
        const offset = Number(entry.invocation_start) - Number(root.invocation_start);
        if (Number.isFinite(offset) && offset > 0) lastStart += offset * ctx.timeScale;
      }
      const latency =
        options.entry === 'nested'
          ? Number(entry.execution_start) - Number(entry.invocation_start)
          : entry.latency;
      return {
        instance: String(entry.instance_identifier ?? ''),
        invocation: entry.identifier,
        latency,
        entry,
      };
    },
    async idleFor(idleSeconds) {
      const until = lastStart + idleSeconds;
      const every = options.entry === 'nested' ? options.keepCallerWarmEvery : undefined;
      if (every && every > 0) {
        while (until - ctx.time.nowSeconds() > every) {
          await ctx.time.wait(every);
          // A failed keep-warm call is an Error row; the probe after it says what matters.
          await ctx.bench.invoke(fn, {});
        }
      }
      await ctx.time.wait(Math.max(0, until - ctx.time.nowSeconds()));
    },
  };
}

/**
 * The nested variants' probe: `caller` calls `nested` once, the nested entry is read, and the
 * caller is kept warm every finest step while the probe waits (see keepCallerWarmEvery).
 */
export function nestedProbe(
  ctx: ExperimentContext,
  p: { function_name: string; nested_function: string; steps: readonly number[] },
): IdentityProbe {
  return identityProbe(ctx, p.function_name, {
    args: { invoke_nested: [{ function_name: p.nested_function, invoke_payload: {} }] },
    entry: 'nested',
    keepCallerWarmEvery: p.steps.at(-1),
  });
}

/** One Coldstart row per probe of `search`; `invocations[i]` is probe i's call. */
export function coldstartRows(
  search: IdleSearchResult & { invocations: readonly string[] },
  fixed: { threads: number; benchmark: number },
): StoreRow[] {
  return search.probes.map((p, i) => ({
    invo_id: search.invocations[i] ?? null,
    minutes: Math.floor(p.idleSeconds / 60),
    seconds: p.idleSeconds % 60,
    granularity: p.step,
    threads: fixed.threads,
    benchmark: fixed.benchmark,
    cold: p.cold,
    final: search.confirmed && i === search.probes.length - 1,
  }));
}

/** The idle time a search found: the final Coldstart row's, and whether it was confirmed. */
export function idleSearchSummary(recorded: ReadonlyMap<string, readonly StoreRow[]>) {
  const rows = recorded.get('Coldstart') ?? [];
  const final = rows.find((r) => r.final === true);
  const last = final ?? rows.at(-1);
  return {
    idle_seconds: last ? Number(last.minutes) * 60 + Number(last.seconds) : null,
    confirmed: final !== undefined,
    probes: rows.length,
  };
}
