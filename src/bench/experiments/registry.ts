/**
 * Every experiment dfaas runs, by name: faas-benchmarker's (its folder names), SeBS's and dfaas's
 * own. `dfaas bench list` shows them in this order and `dfaas bench run all` runs them in it: the
 * idle-time searches first, so the experiments after them wait the coldtime they found.
 */

import { basicWeakestLink } from './basic-weakest-link.js';
import { coldstartIdentifier } from './coldstart-identifier.js';
import { coldstartIdentifierNested } from './coldstart-identifier-nested.js';
import { coldtimeLargeFunctions } from './coldtime-large-functions.js';
import { concurrencyBenchmarking } from './concurrency.js';
import type { Experiment } from './contract.js';
import { devExperiment } from './dev-experiment.js';
import { evictionModel } from './eviction-model.js';
import { functionLifetime } from './function-lifetime.js';
import { growingLoadSpikes } from './growing-load-spikes.js';
import { invocationOverhead } from './invocation-overhead.js';
import { linearInvocation } from './linear-invocation.js';
import { linearInvocationNested } from './linear-invocation-nested.js';
import { perfCost } from './perf-cost.js';
import { scenarioPyramid } from './scenario-pyramid.js';
import { simpleColdFunction } from './simple-cold-function.js';
import { simpleColdFunctionNested } from './simple-cold-function-nested.js';
import { simpleColdFunctionThreadedTwelve } from './simple-cold-function-threaded-twelve.js';
import { throughputBenchmarking } from './throughput-benchmarking.js';
import { trackCloudfunctionsLifecycle } from './track-cloudfunctions-lifecycle.js';
import { weakestLink } from './weakest-link.js';

export const EXPERIMENTS: readonly Experiment[] = [
  coldstartIdentifier,
  coldstartIdentifierNested,
  simpleColdFunction,
  simpleColdFunctionNested,
  simpleColdFunctionThreadedTwelve,
  functionLifetime,
  concurrencyBenchmarking,
  trackCloudfunctionsLifecycle,
  scenarioPyramid,
  growingLoadSpikes,
  throughputBenchmarking,
  coldtimeLargeFunctions,
  linearInvocation,
  linearInvocationNested,
  weakestLink,
  basicWeakestLink,
  devExperiment,
  perfCost,
  evictionModel,
  invocationOverhead,
] as unknown as readonly Experiment[];

export function experimentNamed(name: string): Experiment | undefined {
  return EXPERIMENTS.find((e) => e.name === name);
}
