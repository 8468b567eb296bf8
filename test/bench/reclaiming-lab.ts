/**
 * A fake lab (./fake-lab.ts) that behaves as a platform reclaiming idle instances, for the
 * idle-time searches' tests: each function has at most one instance; a call finds it gone (and
 * starts a new one: a cold start) when the function has been idle `reclaimSeconds` or more,
 * counted on the test's virtual time from the start of its last call. Nested calls (one level)
 * reach their function's instance the same way, at the same moment.
 */
import type { ScaledTime } from '../../src/bench/experiments/contract.js';
import { type FakeAnswer, type FakeCall, type FakeLab, fakeContext, startFakeLab } from './fake-lab.js';

export interface ReclaimingLabOptions {
  /** Idle seconds after which an instance is gone: one for all functions, or per function (absent: never). */
  reclaimSeconds: number | Record<string, number>;
  /** A call's latency: `start` is the instance's cold-start count (from 1), `cold` whether this call started it. */
  latency?: (fn: string, cold: boolean, start: number) => number;
  /** Answers that override the platform's (a status, fields). */
  answer?: (call: FakeCall) => Partial<FakeAnswer>;
}

export interface ReclaimingLab {
  lab: FakeLab;
  /** Cold starts so far, by function. */
  starts: Map<string, number>;
  /** Functions forced cold, in order. */
  forced: string[];
  /** A test context on this lab (virtual time); `force` gives its provider forced cold starts. */
  context(options?: { force?: boolean; timeScale?: number }): ReturnType<typeof fakeContext>;
  close(): Promise<void>;
}

export async function startReclaimingLab(opts: ReclaimingLabOptions): Promise<ReclaimingLab> {
  let time: ScaledTime | undefined;
  const state = new Map<string, { instance: string; last: number }>();
  const starts = new Map<string, number>();
  const forced: string[] = [];
  const reclaimOf = (fn: string) =>
    typeof opts.reclaimSeconds === 'number'
      ? opts.reclaimSeconds
      : (opts.reclaimSeconds[fn] ?? Number.POSITIVE_INFINITY);
  const latencyOf = opts.latency ?? ((_fn, cold) => (cold ? 0.3 : 0.005));
  const reach = (fn: string) => {
    const t = time?.nowSeconds() ?? 0;
    const s = state.get(fn);
    const cold = !s || t - s.last >= reclaimOf(fn);
    const start = (starts.get(fn) ?? 0) + (cold ? 1 : 0);
    starts.set(fn, start);
    const instance = cold ? `${fn}-instance-${start}` : (s as { instance: string }).instance;
    state.set(fn, { instance, last: t });
    return { instance, latency: latencyOf(fn, cold, start) };
  };
  const lab = await startFakeLab((call) => {
    const root = reach(call.fn);
    const nested = ((call.body.invoke_nested ?? []) as { function_name: string }[]).map((n) =>
      reach(n.function_name),
    );
    return { ...root, nested, ...opts.answer?.(call) };
  });
  const forceCold = async (fn: string) => {
    forced.push(fn);
    state.delete(fn);
  };
  return {
    lab,
    starts,
    forced,
    context(options = {}) {
      const ctx = fakeContext(lab, {
        ...(options.force ? { provider: { ...lab.provider, forceCold } } : {}),
        ...(options.timeScale ? { timeScale: options.timeScale } : {}),
      });
      time = ctx.time;
      return ctx;
    },
    close: () => lab.close(),
  };
}
