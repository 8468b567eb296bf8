/**
 * dfaas's library entry point, layer by layer (docs/architecture.md): core (errors, logger),
 * the foundations (configuration files, the platform boundary and its two implementations, load
 * drivers, metrics sources), the model layer (the dataset formats, offloading strategies, the
 * forecasting chain) and the capabilities (the sampler, DFaaS nodes, the benchmark statistics,
 * the workflow farm and its autoscaling).
 */

// Capabilities
export {
  type BenchClock,
  Benchmarker,
  type BenchmarkerOptions,
  type CallResult,
  type ErrorRow,
  type InvocationRow,
} from './bench/benchmarker.js';
export { type ColdAgreement, coldAgreement, coldSignals } from './bench/cold.js';
export { type EmbeddedProvider, startEmbeddedProvider } from './bench/embedded-provider.js';
export {
  defineExperiment,
  type Experiment,
  type ExperimentContext,
  type ScaledTime,
  scaledTime,
} from './bench/experiments/contract.js';
export { type IdleProbe, type IdleSearchResult, searchIdleTime } from './bench/experiments/idle-search.js';
export {
  amount,
  count,
  functionName,
  functionNames,
  numbers,
  paramsOf,
  seconds,
} from './bench/experiments/params.js';
export { EXPERIMENTS, experimentNamed } from './bench/experiments/registry.js';
export type { ProviderSpec } from './bench/provider-spec.js';
export { type BenchProvider, dfaasNodeProvider, httpProvider, openfaasProvider } from './bench/providers.js';
export { type BenchEvent, type BenchRunOptions, type ExperimentOutcome, runBench } from './bench/run.js';
export {
  CONFIDENCE_LEVELS,
  groupStatistics,
  type Interval,
  meanInterval,
  medianInterval,
  percentile,
  type SampleStatistics,
  sampleStatistics,
} from './bench/stats.js';
export type { ColumnType, ResultsStore, StoreRow, TableDefinition } from './bench/store/contract.js';
export { openStore } from './bench/store/registry.js';
// Foundations
export { FunctionDeploymentSchema } from './config/function-deployment.js';
export { toJsonSchema } from './config/json-schema.js';
export { loadConfigFile } from './config/read-file.js';
export { type SamplerConfig, SamplerConfigSchema } from './config/sampler.js';
export { type Stack, StackSchema, stackToDeployments } from './config/stack.js';
export { ConfigError, DfaasError, ExitCode, TimeoutError } from './core/errors.js';
export { createLogger, type Logger, silentLogger } from './core/logger.js';
export { pollUntil } from './core/poll.js';
// Model layer
export { type GroupList, GroupListSchema } from './dataset/groups.js';
export { NODE_METRICS, type NodeMetric } from './dataset/node-metrics.js';
export { NODE_TYPES, nodeTypeCode } from './dataset/node-types.js';
export { type ProfileRow, readProfileCsv, writeProfileCsv } from './dataset/profiles.js';
export {
  type FunctionResult,
  type NodeResult,
  parseResults,
  type ResultRow,
  ratesOf,
  readResults,
  resultsHeader,
  resultsLine,
} from './dataset/results.js';
export { readSamplerResults } from './forecast/dataset.js';
export { ForecastInputError } from './forecast/errors.js';
export { Forecaster, type NodeUsage } from './forecast/forecaster.js';
export { type GbtModel, type GbtOptions, predictGbt, trainGbt } from './forecast/gbt.js';
export { loadModels, MODEL_TYPES, type ModelFile, type ModelType, NODE_TARGETS } from './forecast/model.js';
export { addToGroupList, assignGroup, fitGroups, type GroupModel } from './forecast/profiles.js';
export { type ForecasterService, startForecasterService } from './forecast/service.js';
export { type Evaluation, prepareData, trainAndEvaluate, writeModels } from './forecast/train.js';
export type { ConfigurationLoad, LoadConfiguration, LoadDriver, ScenarioFigures } from './load/index.js';
export { createLoadDriver, LOAD_DRIVERS } from './load/index.js';
export type { MetricsSource, NodeNow, NodeSample, WindowFigures } from './metrics/index.js';
export { chooseMetricsSource, createMetricsSource, METRICS_SOURCES } from './metrics/index.js';
export { type RunningNode, startNode } from './node/agent/node.js';
export { type NodeConfig, NodeConfigSchema } from './node/config.js';
export { type ProxyDriver, startProxy } from './node/proxy/index.js';
export { StrategyInputError } from './offload/errors.js';
export { decodeMessage, encodeMessage, type PeerMessage } from './offload/messages.js';
export { NeighbourTable } from './offload/neighbours.js';
export type { FunctionRoute, ProxyCounters, RoutingTable } from './offload/routing.js';
export {
  createStrategy,
  DEFAULT_STRATEGY,
  needsForecaster,
  needsRtt,
  neighbourTtlMs,
  STRATEGIES,
  STRATEGY_NAMES,
  type Strategy,
  type StrategyDefinition,
  type StrategyInput,
  type StrategyName,
  type StrategyParams,
  type StrategyResult,
  strategyDefinition,
} from './offload/strategies/index.js';
export type {
  AsyncInvokeRequest,
  FunctionDeployment,
  FunctionResources,
  FunctionStatus,
  FunctionUsage,
  GatewayInfo,
  InvokeRequest,
  InvokeResponse,
  Platform,
} from './platform/api.js';
export { type ColdWarmResult, measureColdWarm } from './platform/cold-warm.js';
export { type Gateway, type GatewayOptions, startGateway } from './platform/embedded/gateway.js';
export {
  EmbeddedPlatform,
  type EmbeddedPlatformOptions,
  type PlatformSnapshot,
} from './platform/embedded/platform.js';
export { loadStackForEmbedded } from './platform/embedded/stack.js';
export * from './platform/errors.js';
export { BUILTIN_FUNCTIONS } from './platform/functions/builtins.js';
export type { FunctionRequest, FunctionResponse, Handler } from './platform/functions/handler.js';
export { OpenFaaSClient, type OpenFaaSClientOptions } from './platform/openfaas/client.js';
export { runSamplerSession, type SamplerSessionOptions } from './sampler/session.js';
export { computeIndexes, INDEX_NAMES, type Indexes } from './sim/analysis/indexes.js';
export { analyzeRun, type RunAnalysis } from './sim/analysis/success.js';
export { runEvents } from './sim/engines/events/engine.js';
export type { EventsResult } from './sim/engines/events/result.js';
export type { EventsOptionsInput } from './sim/engines/events/scenario.js';
export { runRounds } from './sim/engines/rounds.js';
export type { RoundsRun } from './sim/engines/rounds-result.js';
export { type ExperimentOptions, runExperiment } from './sim/experiment.js';
export { generateInstance } from './sim/instances/generator.js';
export { readInstance, type SimInstance, writeInstance } from './sim/instances/instance.js';
export { frameworkAnalyticModel } from './sim/model/analytic.js';
export { forecasterModel } from './sim/model/forecaster-model.js';
export {
  FRAMEWORK_THRESHOLDS,
  type NodeModel,
  TESTBED_THRESHOLDS,
  type Thresholds,
} from './sim/model/node-model.js';
export { runSimulation, type SimRunOptions } from './sim/run.js';
export { createAgent, createBaseline, loadAgent, POLICY_NAMES } from './workflow/autoscale/agents/index.js';
export type {
  Action,
  AgentModel,
  FarmBackend,
  FarmSnapshot,
  LearningAgent,
  Observation,
  Policy,
} from './workflow/autoscale/contract.js';
export { AutoscalingEnv } from './workflow/autoscale/env.js';
export { runEpisode, summarise } from './workflow/autoscale/episode.js';
export { LiveBackend } from './workflow/autoscale/live.js';
export { SimulatedFarm } from './workflow/autoscale/sim.js';
export { evaluatePolicy, trainAgent } from './workflow/autoscale/train.js';
export { openFarmEngines } from './workflow/engines.js';
export { LiveFarm } from './workflow/farm.js';
export * from './workflow/messages.js';
export type { Queues } from './workflow/queues/contract.js';
export { openQueues } from './workflow/queues/index.js';
export { runWorkflow } from './workflow/run.js';
export { defaultWorkload } from './workflow/workload/phases.js';
export { workloadSchedule } from './workflow/workload/schedule.js';
