import { type ProxyCounters, REJECT_REASONS, type RejectReason } from '../../offload/routing.js';

/** Requests/s of one function over one period, from two counter snapshots. */
export interface FunctionRates {
  user: number;
  local: number;
  forwarded: Record<string, number>;
  fromPeers: Record<string, number>;
  rejected: Record<RejectReason, number>;
}

/**
 * Rates averaged over the whole period: the difference of monotonic counters divided by the
 * period's length. (The reference agent read HAProxy's 1-second http_req_rate at one instant and
 * lost its counters at every reload, so it underestimated rates; counters that persist fix both.)
 * A counter that went down (a proxy restarted) counts from zero.
 */
export function ratesBetween(
  before: ProxyCounters | undefined,
  after: ProxyCounters,
  seconds: number,
): Record<string, FunctionRates> {
  const rates: Record<string, FunctionRates> = {};
  for (const [fn, now] of Object.entries(after)) {
    const was = before?.[fn];
    const per = (a: number, b: number | undefined) =>
      Math.max(0, a - (b !== undefined && b <= a ? b : 0)) / seconds;
    rates[fn] = {
      user: per(now.user, was?.user),
      local: per(now.local, was?.local),
      forwarded: mapRates(now.forwarded, was?.forwarded, per),
      fromPeers: mapRates(now.fromPeers, was?.fromPeers, per),
      rejected: Object.fromEntries(
        REJECT_REASONS.map((r) => [r, per(now.rejected[r], was?.rejected[r])]),
      ) as Record<RejectReason, number>,
    };
  }
  return rates;
}

function mapRates(
  now: Record<string, number>,
  was: Record<string, number> | undefined,
  per: (a: number, b: number | undefined) => number,
): Record<string, number> {
  return Object.fromEntries(Object.entries(now).map(([k, v]) => [k, per(v, was?.[k])]));
}
