import type { FunctionResult, NodeResult } from '../../src/dataset/results.js';

/** Rows for the format tests: values a 3-decimal cell writes exactly, so a round trip is exact. */

export const aFunction = (
  name: string,
  rate: number,
  over: Partial<FunctionResult> = {},
): FunctionResult => ({
  name,
  rate,
  successRate: 0.5,
  cpuPct: 12.25,
  ramBytes: 1024,
  powerMicrowatts: Number.NaN,
  replicas: 1,
  overloaded: true,
  meanLatencyMs: 3.125,
  ...over,
});

export const aNode = (over: Partial<NodeResult> = {}): NodeResult => ({
  idleCpuPct: 1,
  cpuPct: 2,
  idleRamBytes: 3,
  ramBytes: 4,
  idleRamPct: 5,
  ramPct: 6,
  idlePowerMicrowatts: Number.NaN,
  powerMicrowatts: Number.NaN,
  restSeconds: 7.5,
  overloaded: false,
  ...over,
});
