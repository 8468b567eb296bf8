/**
 * The forecaster service, compatible with the DFaaS forecaster so a DFaaS agent uses it unchanged:
 *
 *   GET|POST /                   → `DFaaS Forecaster ready.`
 *   GET|POST /cpu_usage_node     body {rate_group_HIGH_USAGE, rate_group_LOW_USAGE,
 *   GET|POST /ram_usage_node          rate_group_MEDIUM_USAGE, node_type}  (the models' features)
 *   GET|POST /power_usage_node   → [{"cpu_usage_node": v}] (that metric alone)
 *   GET|POST /TARGET             any other trained target (latency_node, cpu_usage_group_G, …), the same way
 *   GET|POST /overloaded_node    → [{"overloaded_node": 0|1, "overloaded_node_probability": p}]
 *   GET|POST /node_usage         → [{"cpu_usage_node": v, "ram_usage_node": v, "power_usage_node": v}]
 *   POST /node_usage/batch       body [input, …] → [{…}, …], one per input
 *
 * The reference serves the three node metrics alone; the other targets are served the same way,
 * so whatever `dfaas forecast train` learnt can be asked for. The overload class answers 1 when
 * its probability reaches the threshold stored with the model (model.ts, answerModel).
 *
 * A batch is predicted in slices of a few milliseconds, between which the service answers other
 * requests: a large batch delays a request that arrives meanwhile by a slice, not by the whole
 * batch (`npm run perf -- forecast-batch` measures it). The body limit (1 MiB, about 10,000
 * inputs) bounds a batch.
 *
 * GET carries a JSON body, as the original's clients send it. `?model=regression|quantile005|
 * quantile095` picks the model per request (default from the command line; the overload class
 * has one model for all). A bad body or model (a quantile of a target that has only the
 * regression: latency, the groups) is 400 with the reason; a metric without a model (power, when
 * the data had none) is 404.
 * Errors answer `{"error": "<reason>", "code": "DFAAS_ERR_…"}` (src/core/http.ts).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  close,
  handleErrors,
  listen,
  MethodNotAllowedError,
  NotFoundError,
  readJsonBody,
  sendJson,
  sendText,
} from '../core/http.js';
import type { Logger } from '../core/logger.js';
import { httpOrigin } from '../core/net.js';
import { ForecastInputError } from './errors.js';
import type { Forecaster, NodeUsage } from './forecaster.js';
import { MODEL_TYPES, type ModelType, NODE_TARGETS } from './model.js';

export interface ForecasterServiceOptions {
  forecaster: Forecaster;
  port: number;
  host?: string;
  defaultModel: ModelType;
  logger: Logger;
}

export interface ForecasterService {
  url: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

/**
 * How long a batch predicts before it lets the event loop serve other requests. With 5 ms a
 * 10,000-input batch took as long as predicted at once (190 against 198 ms, perf/forecast-batch.ts)
 * while a request arriving meanwhile waited 6 ms at the median instead of 194; 2 ms halved that
 * wait but nearly doubled the batch's time under back-to-back small requests.
 */
const BATCH_SLICE_MS = 5;

const isNodeTarget = (name: string) => (NODE_TARGETS as readonly string[]).includes(name);

function modelOf(query: URLSearchParams, fallback: ModelType): ModelType {
  const asked = query.get('model') ?? query.get('model_type');
  if (asked === null) return fallback;
  if (!(MODEL_TYPES as readonly string[]).includes(asked)) {
    throw new ForecastInputError(`model ${asked}: use ${MODEL_TYPES.join(', ')}`);
  }
  return asked as ModelType;
}

/**
 * Every item's prediction, in slices of BATCH_SLICE_MS with a turn of the event loop between
 * them: predicting is synchronous, and a whole batch at once (about 10,000 inputs at the body
 * limit) would hold every other request back until it is done.
 */
async function predictBatch(items: unknown[], predict: (item: unknown) => NodeUsage): Promise<NodeUsage[]> {
  const out: NodeUsage[] = [];
  let sliceStart = performance.now();
  for (const [i, item] of items.entries()) {
    if (performance.now() - sliceStart >= BATCH_SLICE_MS) {
      await nextTurn();
      sliceStart = performance.now();
    }
    out.push(predictingItem(i, () => predict(item)));
  }
  return out;
}

/** A batch item's prediction; a ForecastInputError says which item it is about. */
function predictingItem<T>(i: number, predict: () => T): T {
  try {
    return predict();
  } catch (err) {
    throw err instanceof ForecastInputError ? new ForecastInputError(`[${i}] ${err.message}`) : err;
  }
}

export async function startForecasterService(opts: ForecasterServiceOptions): Promise<ForecasterService> {
  const { forecaster } = opts;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    // Split by hand: new URL() reads `//node_usage` as a host (answering the banner) and throws
    // (a 500) on targets it cannot parse.
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const rawPath = q < 0 ? target : target.slice(0, q);
    if (!rawPath.startsWith('/')) throw new ForecastInputError(`invalid request target ${target}`);
    const path = rawPath.replace(/\/+$/, '') || '/';
    const query = new URLSearchParams(q < 0 ? '' : target.slice(q + 1));
    const method = req.method ?? 'GET';
    if (path === '/') return sendText(res, 200, 'DFaaS Forecaster ready.');
    const name = path.slice(1);
    // Every trained target is a route; a node metric is one even without its model, to say why
    // there is none.
    const metric = forecaster.has(name) || isNodeTarget(name) ? name : undefined;
    if (!metric && path !== '/node_usage' && path !== '/node_usage/batch') {
      throw new NotFoundError(`no route ${path}`);
    }
    const batch = path === '/node_usage/batch';
    if (batch ? method !== 'POST' : method !== 'GET' && method !== 'POST') {
      throw new MethodNotAllowedError(method, path, batch ? ['POST'] : ['GET', 'POST']);
    }
    const model = modelOf(query, opts.defaultModel);
    const body = await readJsonBody(req, { limitBytes: MAX_BODY_BYTES });
    if (metric) {
      if (!forecaster.has(metric))
        throw new NotFoundError(`no model of ${metric} (the training data had none)`);
      return sendJson(res, 200, [forecaster.answer(metric, forecaster.vector(body), model)]);
    }
    if (!batch) return sendJson(res, 200, [forecaster.nodeUsage(body, model)]);
    if (!Array.isArray(body)) throw new ForecastInputError('the batch body is an array of inputs');
    return sendJson(res, 200, await predictBatch(body, (item) => forecaster.nodeUsage(item, model)));
  };

  const server = createServer(handleErrors(handle, opts.logger));
  server.keepAliveTimeout = 65_000;
  const { address, port } = await listen(server, opts.host ?? '127.0.0.1', opts.port);
  return { url: httpOrigin(address, port), close: () => close(server) };
}
