import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/bench/store/registry.js';
import { dfaas } from '../helpers/cli.js';

/**
 * `dfaas bench run` on the embedded provider, as the acceptance run does it but at a higher time
 * scale: the platform reclaims an idle instance after 300 s and retires a busy one after 1800 s
 * (reference time, 1.5 s and 9 s here); each idle-time search must find the 300 s within one of its
 * finest steps, function-lifetime the 1800 s within one of its calls, and the three cold-start
 * signals must agree on every call.
 */
const dir = mkdtempSync(join(tmpdir(), 'dfaas-bench-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FINEST_STEP: Record<string, number> = {
  'coldstart-identifier': 10,
  'coldstart-identifier-nested': 20,
  'simple-cold-function': 20,
};

describe('dfaas bench run on the embedded provider', () => {
  it('finds the configured idle time and lifetime, the cold signals agreeing on every call', async () => {
    const store = join(dir, 'bench.db');
    const res = await dfaas([
      '--json',
      'bench',
      'run',
      ...Object.keys(FINEST_STEP),
      'function-lifetime',
      '--time-scale',
      '200',
      // One at a time: at this scale a finest step is 0.05–0.1 s of real time, and another
      // platform's autoscaler and replicas on the same 2 cores delay the reclaiming tick by as much.
      '--parallel',
      '1',
      '--store',
      store,
    ]);
    expect(res.code, res.stdout + res.stderr.slice(-2000)).toBe(0);
    const { experiments } = JSON.parse(res.stdout) as {
      experiments: { name: string; status: string; coldAgreement: number; summary: Record<string, number> }[];
    };
    expect(experiments.map((e) => e.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    for (const e of experiments) expect(e.coldAgreement, e.name).toBe(1);
    for (const [name, step] of Object.entries(FINEST_STEP)) {
      const found = experiments.find((e) => e.name === name)?.summary;
      expect(found?.confirmed, name).toBe(true);
      expect(found?.idle_seconds, name).toBeGreaterThanOrEqual(300);
      expect((found?.idle_seconds as number) - 300, name).toBeLessThanOrEqual(step);
    }
    // Retired at 1800 s, seen by the next call (every coldtime / 2 = 150 s) once it has answered:
    // that call's cold start is real time, 200 times longer in reference time (0.3 s is 60 s).
    const lifetime = experiments.find((e) => e.name === 'function-lifetime')?.summary;
    expect(lifetime?.reclaimed).toBe(true);
    expect(lifetime?.lifetime_seconds).toBeGreaterThanOrEqual(1800);
    expect(lifetime?.lifetime_seconds).toBeLessThanOrEqual(1800 + 150 + 200);

    // Every row landed in the store, with the experiment it belongs to.
    const db = await openStore(store);
    try {
      await db.prepare();
      const runs = await db.select('Experiment');
      expect(runs).toHaveLength(4);
      for (const run of runs) {
        expect(run.time_scale).toBe(200);
        expect((await db.select('Invocation', { exp_id: run.uuid })).length).toBe(run.invocation_count);
      }
      const finals = (await db.select('Coldstart', { final: true })).length;
      expect(finals).toBe(3);
    } finally {
      await db.close();
    }
  }, 180_000);
});
