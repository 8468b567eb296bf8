/**
 * dfaas's library entry point: the platform boundary, its two implementations, config loading,
 * the forecasting chain (function groups, node-usage models, the forecaster in-process and as a service),
 * and DFaaS nodes (the offloading strategies as pure functions, the proxy drivers, a whole node).
 */

export { FunctionDeploymentSchema } from './config/function-deployment.js';
export { jsonSchemaOf } from './config/json-schema.js';
export { loadConfigFile } from './config/read-file.js';
export { type Stack, StackSchema, stackToDeployments } from './config/stack.js';
export { ConfigError, ExitCode } from './core/errors.js';
export { createLogger, type Logger } from './core/logger.js';
export type { GroupList } from './dataset/groups.js';
export { nodeTypeCode } from './dataset/node-types.js';
export { readSamplerResults } from './forecast/dataset.js';
export {
  Forecaster,
  ForecastInputError,
  MODEL_TYPES,
  type ModelType,
  NODE_TARGETS,
  type NodeUsage,
} from './forecast/forecaster.js';
export { type GbtModel, type GbtOptions, predictGbt, trainGbt } from './forecast/gbt.js';
export {
  addToGroupList,
  assignGroup,
  fitGroups,
  type GroupModel,
  readProfileCsv,
} from './forecast/profiles.js';
export { type ForecasterService, startForecasterService } from './forecast/service.js';
export {
  type Evaluation,
  type ModelFile,
  prepareData,
  trainAndEvaluate,
  writeModels,
} from './forecast/train.js';
export { type RunningNode, startNode } from './node/agent/node.js';
export { type NodeConfig, NodeConfigSchema } from './node/config.js';
export { type ProxyDriver, startProxy } from './node/proxy/index.js';
export { decodeMessage, encodeMessage, type PeerMessage } from './offload/messages.js';
export type { FunctionRoute, ProxyCounters, RoutingTable } from './offload/routing.js';
export {
  createStrategy,
  NeighbourTable,
  STRATEGY_NAMES,
  type Strategy,
  type StrategyInput,
  type StrategyResult,
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
