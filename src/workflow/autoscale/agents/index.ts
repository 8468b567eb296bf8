/**
 * Every scaling policy by name: the learned agents (SARSA(λ), Double DQN) and the baselines. DQN
 * loads TensorFlow.js only when it is asked for.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../../core/errors.js';
import { seededRandom } from '../../../core/random.js';
import type { AgentModel, LearningAgent, Policy } from '../contract.js';
import { BASELINE_NAMES, BASELINES, type BaselineName } from './baselines.js';
import { SarsaAgent } from './sarsa.js';

export const LEARNED_AGENTS = ['sarsa', 'dqn'] as const;
export type LearnedAgentName = (typeof LEARNED_AGENTS)[number];
export const POLICY_NAMES = [...LEARNED_AGENTS, ...BASELINE_NAMES] as const;
/** A fixed pool of N workers (`static-16`), besides `static` (the initial workers). */
export type FixedPoolName = `static-${number}`;
export type PolicyName = LearnedAgentName | BaselineName | FixedPoolName;
const FIXED_POOL = /^static-(\d+)$/;

export function isLearnedAgent(name: string): name is LearnedAgentName {
  return (LEARNED_AGENTS as readonly string[]).includes(name);
}

export function checkPolicyName(name: string, field: string): PolicyName {
  if ((POLICY_NAMES as readonly string[]).includes(name)) return name as PolicyName;
  const pool = Number(FIXED_POOL.exec(name)?.[1]);
  if (pool >= 1 && pool <= 32) return name as FixedPoolName;
  throw new ConfigError('command line', [
    {
      field,
      message: `unknown policy "${name}" (policies: ${POLICY_NAMES.join(', ')}, and static-N: a fixed pool of N workers, 1…32)`,
    },
  ]);
}

/** A fresh learned agent, seeded, recording the reward it trains under. */
export async function createAgent(
  name: LearnedAgentName,
  seed: number,
  reward: Record<string, number>,
): Promise<LearningAgent & { dispose?(): void }> {
  const rng = seededRandom(seed);
  if (name === 'sarsa') return new SarsaAgent({ rng, reward });
  const { DqnAgent } = await import('./dqn.js');
  return new DqnAgent({ rng, reward, seed });
}

export function createBaseline(name: BaselineName | FixedPoolName): Policy {
  const pool = FIXED_POOL.exec(name)?.[1];
  return pool === undefined ? BASELINES[name as BaselineName]() : BASELINES.static({ workers: Number(pool) });
}

/** A saved agent (`dfaas workflow train`'s model file), rebuilt. */
export async function loadAgent(file: string, seed: number): Promise<LearningAgent & { dispose?(): void }> {
  let model: AgentModel;
  try {
    model = JSON.parse(readFileSync(file, 'utf8')) as AgentModel;
  } catch (err) {
    throw new ConfigError(file, [{ field: '', message: `not a model file: ${(err as Error).message}` }]);
  }
  const rng = seededRandom(seed);
  if (model?.kind === 'sarsa') return SarsaAgent.fromModel(model, rng);
  if (model?.kind === 'dqn') {
    const { DqnAgent } = await import('./dqn.js');
    return DqnAgent.fromModel(model, rng);
  }
  throw new ConfigError(file, [
    { field: 'kind', message: `must be sarsa or dqn, got ${JSON.stringify(model?.kind)}` },
  ]);
}
