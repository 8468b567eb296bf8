/**
 * The comparison's HTML report: the table (mean ± std over episodes), the QoS / worker-seconds
 * plane with each policy's episodes and mean, the goals checked, and per policy the episodes'
 * timelines of workers, backlog and per-step QoS. Self-contained (src/charts): it opens offline.
 */
import { ChartPage, escapeHtml } from '../../charts/page.js';
import { type ChartSpec, renderChart } from '../../charts/render.js';
import { writeFileAtomic } from '../../core/files.js';
import type { MetricName, MetricSummary } from './episode.js';
import type { ComparisonGoals, FrontierPoint, PolicyEvaluation } from './train.js';

export interface ComparisonHeader {
  backend: 'sim' | 'live';
  mode: string;
  episodes: number;
  seeds: [number, number];
  reward: Record<string, number>;
  training: Record<string, { episodes: number; model: string }>;
  policies: { policy: string; summary: Record<MetricName, MetricSummary> }[];
  frontier: FrontierPoint[];
  goals: ComparisonGoals;
}

const ms = (m: MetricSummary, scale = 1, digits = 2) =>
  `${(m.mean * scale).toFixed(digits)} ± ${(m.std * scale).toFixed(digits)}`;

const table = (header: string[], rows: string[][]) =>
  `<table><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('')}</table>`;

function planeSpec(evaluations: readonly PolicyEvaluation[]): ChartSpec {
  const values = evaluations.flatMap((e) =>
    e.episodes.map((r) => ({
      policy: e.policy,
      seed: r.seed,
      qos: 100 * r.metrics.final_qos_total,
      workerSeconds: r.metrics.worker_seconds,
    })),
  );
  return {
    width: 520,
    height: 320,
    data: { values },
    mark: { type: 'point', filled: true, tooltip: true },
    encoding: {
      x: {
        field: 'workerSeconds',
        type: 'quantitative',
        title: 'worker-seconds per episode',
        scale: { zero: false },
      },
      y: {
        field: 'qos',
        type: 'quantitative',
        title: 'QoS (% of tasks within deadline)',
        scale: { zero: false },
      },
      color: { field: 'policy', type: 'nominal' },
      shape: { field: 'policy', type: 'nominal' },
    },
  };
}

function timelineSpec(
  evaluation: PolicyEvaluation,
  field: 'workers' | 'backlog' | 'qos_rate',
  title: string,
): ChartSpec {
  const values = evaluation.episodes.flatMap((r) =>
    r.timeline.map((s) => ({
      seed: r.seed,
      time: s.time,
      value: field === 'qos_rate' ? 100 * s.qos_rate : s[field],
    })),
  );
  return {
    width: 360,
    height: 180,
    data: { values },
    mark: { type: 'line', interpolate: field === 'workers' ? 'step-after' : 'linear', tooltip: true },
    encoding: {
      x: { field: 'time', type: 'quantitative', title: 'time in the episode (s)' },
      y: { field: 'value', type: 'quantitative', title },
      color: { field: 'seed', type: 'nominal', title: 'episode seed' },
    },
  };
}

function goalsText(goals: ComparisonGoals): string {
  const lines: string[] = [];
  if (goals.publishedOrdering !== undefined) {
    lines.push(
      `The published ordering (SARSA ≥ DQN > reactive) ${goals.publishedOrdering ? 'holds' : 'does not hold'}.`,
    );
  }
  if (goals.bestLearned) {
    const b = goals.bestLearned;
    lines.push(
      `The best learned agent, ${b.policy}, reaches ${b.qos.toFixed(2)} % QoS with ${b.workerSeconds.toFixed(0)} worker-seconds per episode.`,
    );
  }
  lines.push(
    goals.cheapestBaselineAt99
      ? `The cheapest baseline at ≥ 99 % is ${goals.cheapestBaselineAt99.policy} (${goals.cheapestBaselineAt99.qos.toFixed(2)} %, ${goals.cheapestBaselineAt99.workerSeconds.toFixed(0)} worker-seconds).`
      : 'No baseline reaches 99 % QoS.',
  );
  if (goals.learnedWinsAt99 !== undefined) {
    lines.push(
      goals.learnedWinsAt99
        ? 'The learned agent reaches 99 % with fewer worker-seconds than every baseline that does.'
        : 'The learned agent does not beat the baselines at 99 %: see the plane above for the frontier.',
    );
  }
  return lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('');
}

export async function comparisonReport(
  header: ComparisonHeader,
  evaluations: readonly PolicyEvaluation[],
): Promise<string> {
  const page = new ChartPage('dfaas workflow comparison');
  const rows = evaluations.map((e) => {
    const s = e.summary;
    const onFrontier = header.frontier.find((f) => f.policy === e.policy)?.onFrontier ? 'yes' : '';
    return [
      e.policy,
      ms(s.final_qos_total, 100),
      ms(s.mean_workers),
      ms(s.max_workers),
      ms(s.worker_seconds, 1, 0),
      ms(s.scaling_actions),
      ms(s.noop_actions),
      ms(s.mean_qos, 100),
      ms(s.total_reward, 1, 1),
      onFrontier,
    ];
  });
  const sections: string[] = [];
  for (const e of evaluations) {
    const charts = await Promise.all([
      renderChart(timelineSpec(e, 'workers', 'workers')),
      renderChart(timelineSpec(e, 'backlog', 'backlog (tasks in worker_queue)')),
      renderChart(timelineSpec(e, 'qos_rate', 'QoS in the window (%)')),
    ]);
    sections.push(
      `<h2>${escapeHtml(e.policy)}</h2><div class="row">${page.figure('workers', charts[0])}${page.figure('backlog', charts[1])}${page.figure('QoS per step', charts[2])}</div>`,
    );
  }
  const trained = Object.entries(header.training)
    .map(([name, t]) => `${name}: trained ${t.episodes} episodes on the simulated farm (${t.model})`)
    .join('; ');
  return page.html(
    [
      '<h1>dfaas workflow: autoscaling policies compared</h1>',
      `<p>${header.episodes} episodes per policy on the ${header.backend === 'sim' ? 'simulated' : 'live'} farm, ${escapeHtml(header.mode)} workload, seeds ${header.seeds[0]}–${header.seeds[1]} (the same episodes for every policy), greedy. Mean ± population std over episodes.${trained ? ` ${escapeHtml(trained)}.` : ''}</p>`,
      table(
        [
          'policy',
          'QoS %',
          'mean workers',
          'max workers',
          'worker-seconds',
          'scaling actions',
          'no-ops',
          'per-step QoS %',
          'total reward',
          'on the frontier',
        ],
        rows,
      ),
      `<ul>${goalsText(header.goals)}</ul>`,
      `<p>Reward configuration: <code>${escapeHtml(JSON.stringify(header.reward))}</code></p>`,
      `<h2>QoS against cost</h2><div class="row">${page.figure('each episode of each policy', await renderChart(planeSpec(evaluations)))}</div>`,
      ...sections,
    ].join('\n'),
  );
}

export async function writeComparisonReport(
  file: string,
  header: ComparisonHeader,
  evaluations: readonly PolicyEvaluation[],
): Promise<void> {
  writeFileAtomic(file, await comparisonReport(header, evaluations));
}
