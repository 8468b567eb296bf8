import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runComparison } from '../../../src/workflow/autoscale/compare.js';
import { REWARD_PRESETS } from '../../../src/workflow/autoscale/config.js';
import type { EpisodeResult } from '../../../src/workflow/autoscale/episode.js';
import { SimulatedFarm } from '../../../src/workflow/autoscale/sim.js';
import { checkGoals, frontier, type PolicyEvaluation } from '../../../src/workflow/autoscale/train.js';
import { defaultWorkload } from '../../../src/workflow/workload/phases.js';

const dir = mkdtempSync(join(tmpdir(), 'dfaas-compare-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runComparison on the simulated farm', () => {
  it('trains under the reward it records, evaluates every policy on the same seeds, writes the data and the report', async () => {
    const reward = { ...REWARD_PRESETS.head, w_efficiency: 1 };
    const out = join(dir, 'cmp');
    const comparison = await runComparison({
      policies: ['sarsa', 'reactive-average', 'static-16'],
      models: [],
      workload: defaultWorkload(42),
      reward,
      backend: new SimulatedFarm(),
      episodes: 2,
      seed: 42,
      trainEpisodes: 3,
      out,
    });
    expect(comparison.policies.map((p) => p.policy)).toEqual(['sarsa', 'reactive-average', 'static-16']);
    expect(comparison.reward).toEqual(reward);
    const model = JSON.parse(readFileSync(join(out, 'models', 'sarsa.json'), 'utf8'));
    expect(model).toMatchObject({ kind: 'sarsa', episodes: 3, reward });
    const data = JSON.parse(readFileSync(join(out, 'comparison.json'), 'utf8'));
    for (const p of data.episodesDetail) {
      expect(p.episodes.map((e: EpisodeResult) => e.seed)).toEqual([42, 43]);
    }
    // A fixed pool of 16 ends every episode at 16 workers.
    const pool = data.episodesDetail.find((p: { policy: string }) => p.policy === 'static-16');
    for (const e of pool.episodes) expect(e.timeline.at(-1).workers).toBe(16);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('reactive-average');
    expect(html.match(/data-chart=/g)?.length).toBe(1 + 3 * 3);
  });
});

function evaluation(policy: string, qos: number, workerSeconds: number): PolicyEvaluation {
  const m = (mean: number) => ({ mean, std: 0 });
  return {
    policy,
    episodes: [],
    summary: { final_qos_total: m(qos), worker_seconds: m(workerSeconds) } as PolicyEvaluation['summary'],
  };
}

describe('the frontier and the goals', () => {
  const evaluations = [
    evaluation('sarsa', 0.995, 3500),
    evaluation('dqn', 0.95, 2800),
    evaluation('reactive-average', 0.5, 2400),
    evaluation('reactive-maximum', 0.66, 3100),
    evaluation('static-16', 0.994, 3600),
    evaluation('static-20', 0.999, 4300),
  ];

  it('marks the policies no other beats on both QoS and cost', () => {
    const onFrontier = frontier(evaluations)
      .filter((p) => p.onFrontier)
      .map((p) => p.policy);
    expect(onFrontier).toEqual(['sarsa', 'dqn', 'reactive-average', 'static-20']);
  });

  it('checks the published ordering and the 99 % bar against the cheapest baseline reaching it', () => {
    expect(checkGoals(evaluations, ['sarsa', 'dqn'])).toMatchObject({
      publishedOrdering: true,
      bestLearned: { policy: 'sarsa', reaches99: true },
      cheapestBaselineAt99: { policy: 'static-16' },
      learnedWinsAt99: true,
    });
    const dearer = evaluations.map((e) => (e.policy === 'sarsa' ? evaluation('sarsa', 0.995, 3700) : e));
    expect(checkGoals(dearer, ['sarsa', 'dqn']).learnedWinsAt99).toBe(false);
  });
});
