import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { httpForecaster } from '../../../src/node/agent/forecaster-client.js';
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
  it('keeps the node metrics of the answer and asks each question once', async () => {
    const service = await forecaster(200, { cpu_usage_node: 42, other: 1 });
    const client = httpForecaster(service.url);
    expect(await client.predict(0, load)).toEqual({ cpu_usage_node: 42 });
    expect(await client.predict(0, load)).toEqual({ cpu_usage_node: 42 });
    expect(service.requests()).toBe(1);
  });

  it('reports an error answer with its status and body', async () => {
    const service = await forecaster(500, { error: 'no model for node type 7' });
    const predicting = httpForecaster(service.url).predict(7, load);
    await expect(predicting).rejects.toThrow(ForecasterRequestError);
    await expect(predicting).rejects.toThrow(/\/node_usage: HTTP 500: .*no model for node type 7/);
  });
});
