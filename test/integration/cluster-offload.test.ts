import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type OffloadResult, runOffloadScenario } from '../../src/node/offload-scenario.js';
import { CLUSTER_LOCK, exclusive } from '../helpers/exclusive.js';
import { withNodeLogs } from '../helpers/node-logs.js';
import { serviceBinary } from '../helpers/services.js';

const dir = mkdtempSync(join(tmpdir(), 'dfaas-offload-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const haproxy = serviceBinary('/usr/sbin/haproxy');

function line(r: OffloadResult): string {
  const refused = Object.entries(r.statuses)
    .map(([s, n]) => `${s}×${n}`)
    .join(' ');
  return `${r.proxy} ${r.strategy}: success ${(100 * r.successRate).toFixed(1)}% of ${r.sent}, served by peers ${(100 * r.servedByPeers).toFixed(1)}%${refused ? `, refused ${refused}` : ''}`;
}

/**
 * Three nodes, node-1 getting 12 requests/s of a function whose capacity is 10/s (maxrate 7), the
 * others idle: recalc must serve its users (≥ 99%) by sending part of the load to the peers;
 * all-local, which never forwards, must do clearly worse.
 */
describe.each([
  ['embedded', true],
  ['haproxy', haproxy !== undefined],
] as const)('three-node offloading through the %s proxy', (proxy, available) => {
  it.runIf(available)(
    'recalc serves ≥ 99% with a measured share served by peers; all-local clearly less',
    // The whole machine is this test's: see exclusive().
    () =>
      exclusive(CLUSTER_LOCK, async () => {
        const run = (strategy: 'recalc' | 'all-local') => {
          const runDir = join(dir, `${proxy}-${strategy}`);
          return withNodeLogs(runDir, () =>
            runOffloadScenario({ strategy, proxy, dir: runDir, durationMs: 8_000 }),
          );
        };
        const recalc = await run('recalc');
        const allLocal = await run('all-local');
        console.log(`${line(recalc)}\n${line(allLocal)}`);
        expect(recalc.successRate).toBeGreaterThanOrEqual(0.99);
        expect(recalc.servedByPeers).toBeGreaterThan(0.2);
        expect(allLocal.servedByPeers).toBe(0);
        expect(allLocal.successRate).toBeLessThan(recalc.successRate - 0.1);
      }),
    600_000,
  );
});
