import {
  emptyCounters,
  type FunctionCounters,
  type ProxyCounters,
  REJECT_REASONS,
  type RejectReason,
} from '../../../offload/routing.js';
import { KEYS, LOCAL_SERVER, peerOfServer } from './names.js';

/** One entry of `show table <name>`: its key and its stored data (e.g. http_req_cnt). */
export interface TableEntry {
  key: string;
  data: Record<string, number>;
}

/**
 * Parses `show table <name>`: a "# table: ..." line, then one line per entry such as
 * `0x55d3...: key=user/f1 use=0 exp=0 shard=0 http_req_cnt=9 http_req_rate(1000)=2`.
 * Our keys never contain spaces (see names.ts), so fields split on spaces.
 */
export function parseTable(output: string): TableEntry[] {
  const entries: TableEntry[] = [];
  for (const line of output.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const keyField = fields.find((f) => f.startsWith('key='));
    if (!fields[0]?.startsWith('0x') || !keyField) continue;
    const data: Record<string, number> = {};
    for (const field of fields) {
      const eq = field.lastIndexOf('=');
      const value = Number(field.slice(eq + 1));
      if (eq > 0 && field !== keyField && Number.isFinite(value)) data[field.slice(0, eq)] = value;
    }
    entries.push({ key: keyField.slice('key='.length), data });
  }
  return entries;
}

const isReason = (s: string): s is RejectReason => (REJECT_REASONS as readonly string[]).includes(s);

/**
 * Turns the counts table into ProxyCounters: every function of `functions` (those of the table)
 * plus every function seen in a request. Rate-only keys (admissions) are not counters.
 */
export function countersFromTable(entries: TableEntry[], functions: Iterable<string>): ProxyCounters {
  const counters: ProxyCounters = {};
  const of = (fn: string): FunctionCounters => {
    counters[fn] ??= emptyCounters();
    return counters[fn];
  };
  for (const fn of functions) of(fn);
  for (const { key, data } of entries) {
    const count = data.http_req_cnt ?? 0;
    const parts = key.split('/');
    const [kind, a, b] = parts;
    if (parts.length === 2 && kind === KEYS.user && a) {
      of(a).user = count;
    } else if (parts.length === 3 && a && b) {
      if (kind === KEYS.fromPeer) of(b).fromPeers[a] = count;
      else if (kind === KEYS.rejected && isReason(a)) of(b).rejected[a] = count;
      else if (kind === KEYS.served) {
        const peer = peerOfServer(a);
        if (a === LOCAL_SERVER) of(b).local = count;
        else if (peer !== undefined) of(b).forwarded[peer] = count;
      }
    }
  }
  return counters;
}

/** The larger of each count: keeps counters monotonic while a reloaded process is still being
 *  taught the old one's table (a fraction of a second, see the `peers` section in config.ts). */
export function maxCounters(previous: ProxyCounters, current: ProxyCounters): ProxyCounters {
  const max = (a: Record<string, number>, b: Record<string, number>) => {
    const out = { ...b };
    for (const [k, v] of Object.entries(a)) out[k] = Math.max(v, out[k] ?? 0);
    return out;
  };
  const merged: ProxyCounters = { ...current };
  for (const [fn, prev] of Object.entries(previous)) {
    const cur = current[fn] ?? emptyCounters();
    merged[fn] = {
      user: Math.max(prev.user, cur.user),
      local: Math.max(prev.local, cur.local),
      forwarded: max(prev.forwarded, cur.forwarded),
      fromPeers: max(prev.fromPeers, cur.fromPeers),
      rejected: max(prev.rejected, cur.rejected) as Record<RejectReason, number>,
    };
  }
  return merged;
}
