import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/logger.js';
import { Forecaster } from '../../../src/forecast/forecaster.js';
import { startForecasterService } from '../../../src/forecast/service.js';
import { httpForecaster, inProcessForecaster } from '../../../src/node/agent/forecaster-client.js';
import { ForecasterRequestError } from '../../../src/node/errors.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** A forecaster service answering every request with `status` and `body`; counts the requests. */
async function forecaster(status: number, body: unknown): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  server = createServer((req, res) => {
    requests++;
    req.resume();
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, requests: () => requests };
}

const load = { RateHighUsage: 1, RateMediumUsage: 2, RateLowUsage: 3 };

describe('httpForecaster', () => {
  it('keeps the node metrics of the answer, a one-element array as the DFaaS forecaster gives, and asks each question once', async () => {
    const service = await forecaster(200, [{ cpu_usage_node: 42, power_usage_node: null, other: 1 }]);
    const client = httpForecaster(service.url);
    expect(await client.predict(0, load)).toEqual({ cpu_usage_node: 42 });
    expect(await client.predict(0, load)).toEqual({ cpu_usage_node: 42 });
    expect(service.requests()).toBe(1);
  });

  it('takes a bare object answer as well', async () => {
    const service = await forecaster(200, { cpu_usage_node: 42 });
    expect(await httpForecaster(service.url).predict(0, load)).toEqual({ cpu_usage_node: 42 });
  });

  it('predicts what the models in process predict, from dfaas forecast serve', async () => {
    const models = Forecaster.load('examples/forecast/models');
    const service = await startForecasterService({
      forecaster: models,
      port: 0,
      defaultModel: 'regression',
      logger: silentLogger,
    });
    try {
      const remote = await httpForecaster(service.url).predict(1, load);
      expect(remote.cpu_usage_node).toBeGreaterThan(0);
      expect(remote).toEqual(await inProcessForecaster(models).predict(1, load));
    } finally {
      await service.close();
    }
  });

  it('reports an answer without a node metric, naming what it got', async () => {
    const service = await forecaster(200, []);
    const predicting = httpForecaster(service.url).predict(0, load);
    await expect(predicting).rejects.toThrow(ForecasterRequestError);
    await expect(predicting).rejects.toThrow(/\/node_usage: HTTP 200: no node metric in \[\]/);
  });

  it('reports an error answer with its status and body', async () => {
    const service = await forecaster(500, { error: 'no model for node type 7' });
    const predicting = httpForecaster(service.url).predict(7, load);
    await expect(predicting).rejects.toThrow(ForecasterRequestError);
    await expect(predicting).rejects.toThrow(/\/node_usage: HTTP 500: .*no model for node type 7/);
  });
});
