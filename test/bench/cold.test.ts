import { describe, expect, it } from 'vitest';
import type { InvocationRow } from '../../src/bench/benchmarker.js';
import { coldAgreement, coldSignals } from '../../src/bench/cold.js';

let end = 0;
/** A root call answered by `instance`, with its marker and the platform's cold-start ms. */
const call = (fn: string, instance: string, isCold?: boolean, platformMs?: number): InvocationRow => {
  end += 1;
  const id = `${fn}-${end}`;
  return {
    identifier: id,
    root_identifier: id,
    function_name: fn,
    instance_identifier: instance,
    ...(isCold === undefined ? {} : { is_cold: isCold }),
    ...(platformMs === undefined ? {} : { platform_cold_start_ms: platformMs }),
    invocation_start: end - 0.5,
    invocation_end: end,
    latency: 0.01,
    thread_id: 0,
    numb_threads: 1,
    retries: 0,
  };
};

describe('cold starts told three ways', () => {
  it('calls a call cold by identity when its replica had not answered the function before', () => {
    const rows = [
      call('f', 'r1', true, 120),
      call('f', 'r1', false, 0),
      call('f', 'r2', true, 95),
      call('g', 'r1', true, 80),
    ];
    expect(coldSignals(rows).map((s) => [s.byIdentity, s.byMarker, s.byPlatform, s.agree])).toEqual([
      [true, true, true, true],
      [false, false, false, true],
      // A second replica of a burst: cold, though the last identifier seen was another one's.
      [true, true, true, true],
      // Replica names are per function.
      [true, true, true, true],
    ]);
    expect(coldAgreement(rows)).toMatchObject({
      calls: 4,
      cold: { identity: 3, marker: 3, platform: 3 },
      agreeing: 4,
      agreement: 1,
    });
  });

  it('reports the calls on which the signals there disagree, and uses only the signals a call has', () => {
    const rows = [
      call('f', 'r1', true, 0), // the replica says first call, the platform no wait: disagree
      call('f', 'r1'), // identity alone: warm, agrees with itself
      call('f', 'r2', false), // new replica, yet not its first call: disagree
    ];
    const report = coldAgreement(rows);
    expect(report).toMatchObject({ calls: 3, agreeing: 1, agreement: 1 / 3 });
    expect(report.disagreements.map((d) => d.identifier)).toEqual([rows[0]?.identifier, rows[2]?.identifier]);
    // Nested entries are not calls of their own.
    const nested = { ...call('f', 'r9', true), root_identifier: rows[0]?.identifier as string };
    expect(coldSignals([...rows, nested])).toHaveLength(3);
    expect(coldAgreement([])).toMatchObject({ calls: 0, agreement: 1 });
  });
});
