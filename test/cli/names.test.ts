import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_REPLICAS_FOR_HELP,
  DEFAULT_STRATEGY_FOR_HELP,
  MODEL_TYPES_FOR_HELP,
  STRATEGY_NAMES_FOR_HELP,
} from '../../src/cli/names.js';
import { MODEL_TYPES } from '../../src/forecast/model.js';
import { DEFAULT_STRATEGY, STRATEGY_NAMES } from '../../src/offload/strategies/index.js';
import { DEFAULT_MAX_REPLICAS } from '../../src/platform/embedded/function-settings.js';
import { dfaas } from '../helpers/cli.js';

describe('the names --help lists', () => {
  it('are the registries’ names', () => {
    expect([...STRATEGY_NAMES_FOR_HELP].sort()).toEqual([...STRATEGY_NAMES].sort());
    expect(DEFAULT_STRATEGY_FOR_HELP).toBe(DEFAULT_STRATEGY);
    expect([...MODEL_TYPES_FOR_HELP]).toEqual([...MODEL_TYPES]);
    expect(DEFAULT_MAX_REPLICAS_FOR_HELP).toBe(DEFAULT_MAX_REPLICAS);
  });

  it('appear in the help of the flags that take them', async () => {
    const cluster = await dfaas(['cluster', 'up', '--help']);
    expect(cluster.stdout).toMatch(/--strategy <name>\s+offloading strategy: all-local, static, recalc/);
    expect(cluster.stdout).toMatch(/\(default: "recalc"\)/);
    expect((await dfaas(['forecast', 'serve', '--help'])).stdout).toMatch(
      /--model <type>[\s\S]*regression, quantile005, quantile095[\s\S]*\(default: "regression"\)/,
    );
  });
});
