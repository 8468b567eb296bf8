/**
 * The forecaster service, compatible with the DFaaS forecaster so a DFaaS agent uses it unchanged:
 *
 *   GET|POST /                   → `DFaaS Forecaster ready.`
 *   GET|POST /cpu_usage_node     body {rate_group_HIGH_USAGE, rate_group_LOW_USAGE,
 *   GET|POST /ram_usage_node          rate_group_MEDIUM_USAGE, node_type}  (the models' features)
 *   GET|POST /power_usage_node   → [{"cpu_usage_node": v}] (that metric alone)
 *   GET|POST /node_usage         → [{"cpu_usage_node": v, "ram_usage_node": v, "power_usage_node": v}]
 *   POST /node_usage/batch       body [input, …] → [{…}, …], one per input
 *
 * GET carries a JSON body, as the original's clients send it. `?model=regression|quantile005|
 * quantile095` picks the model per request (default from the command line). A bad body or
 * model is 400 with the reason; a metric without a model (power, when the data had none) is 404.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../core/logger.js';
import { httpOrigin } from '../core/net.js';
import {
  type Forecaster,
  ForecastInputError,
  MODEL_TYPES,
  type ModelType,
  NODE_TARGETS,
} from './forecaster.js';

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

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, `body over ${MAX_BODY_BYTES} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function jsonBody(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  if (text.trim() === '') throw new HttpError(400, 'a JSON body is required');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, `body is not JSON: ${(err as Error).message}`);
  }
}

function modelOf(url: URL, fallback: ModelType): ModelType {
  const asked = url.searchParams.get('model') ?? url.searchParams.get('model_type');
  if (asked === null) return fallback;
  if (!(MODEL_TYPES as readonly string[]).includes(asked)) {
    throw new HttpError(400, `model ${asked}: use ${MODEL_TYPES.join(', ')}`);
  }
  return asked as ModelType;
}

export async function startForecasterService(opts: ForecasterServiceOptions): Promise<ForecasterService> {
  const { forecaster, logger } = opts;
  const send = (res: ServerResponse, status: number, body: unknown) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://forecaster');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    if (path === '/') return send(res, 200, 'DFaaS Forecaster ready.');
    const metric = NODE_TARGETS.find((t) => `/${t}` === path);
    if (!metric && path !== '/node_usage' && path !== '/node_usage/batch') {
      throw new HttpError(404, `no route ${path}`);
    }
    const batch = path === '/node_usage/batch';
    if (batch ? method !== 'POST' : method !== 'GET' && method !== 'POST') {
      res.setHeader('allow', batch ? 'POST' : 'GET, POST');
      throw new HttpError(405, `${method} is not allowed on ${path}`);
    }
    const model = modelOf(url, opts.defaultModel);
    const body = await jsonBody(req);
    if (metric) {
      if (!forecaster.has(metric))
        throw new HttpError(404, `no model of ${metric} (the training data had none)`);
      return send(res, 200, [{ [metric]: forecaster.predict(metric, forecaster.vector(body), model) }]);
    }
    if (!batch) return send(res, 200, [forecaster.nodeUsage(body, model)]);
    if (!Array.isArray(body)) throw new HttpError(400, 'the batch body is an array of inputs');
    return send(
      res,
      200,
      body.map((item, i) => {
        try {
          return forecaster.nodeUsage(item, model);
        } catch (err) {
          throw err instanceof ForecastInputError ? new HttpError(400, `[${i}] ${err.message}`) : err;
        }
      }),
    );
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      const status = err instanceof HttpError ? err.status : err instanceof ForecastInputError ? 400 : 500;
      if (status === 500) logger.error('forecaster failed', { error: err.message });
      if (!res.headersSent) send(res, status, { error: err.message });
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: httpOrigin(address, port),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
