import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { Forecaster } from '../../src/forecast/forecaster.js';
import { type ForecasterService, startForecasterService } from '../../src/forecast/service.js';
import { prepareData, trainAndEvaluate, writeModels } from '../../src/forecast/train.js';
import { SYNTHETIC_GROUPS, syntheticOptions, writeSyntheticResults } from './helpers.js';

const INPUT = {
  rate_group_HIGH_USAGE: 10,
  rate_group_LOW_USAGE: 50,
  rate_group_MEDIUM_USAGE: 0,
  node_type: 1,
};

/** An HTTP call with a body on any method: the DFaaS agent sends its JSON body on GET. */
function call(
  url: string,
  method: string,
  body?: unknown,
): Promise<{ status: number; type: string; body: string; json(): unknown }> {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const headers = text
      ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }
      : {};
    const req = request(url, { method, headers }, (res) => {
      let data = '';
      res.on('data', (c: Buffer) => (data += c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          type: String(res.headers['content-type']),
          body: data,
          json: () => JSON.parse(data),
        }),
      );
    });
    req.on('error', reject);
    req.end(text);
  });
}

describe('the forecaster service', () => {
  let service: ForecasterService;
  let forecaster: Forecaster;
  let modelsDir: string;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dfaas-forecaster-'));
    const files = [{ path: writeSyntheticResults(dir, 'heavy'), nodeType: 0 }];
    const { models, evaluation } = trainAndEvaluate(
      prepareData(files, SYNTHETIC_GROUPS),
      syntheticOptions(files),
    );
    modelsDir = join(dir, 'models');
    writeModels(modelsDir, models, evaluation);
    forecaster = Forecaster.load(modelsDir);
    service = await startForecasterService({
      forecaster,
      port: 0,
      defaultModel: 'regression',
      logger: silentLogger,
    });
  });

  afterAll(() => service?.close());

  it('answers / as the DFaaS forecaster does', async () => {
    const res = await call(`${service.url}/`, 'GET');
    expect([res.status, res.body]).toEqual([200, 'DFaaS Forecaster ready.']);
  });

  it('answers /node_usage on GET with a JSON body (as the DFaaS agent asks) and on POST', async () => {
    const expected = forecaster.nodeUsage(INPUT);
    for (const method of ['GET', 'POST']) {
      const res = await call(`${service.url}/node_usage`, method, INPUT);
      expect(res.status, res.body).toBe(200);
      expect(res.type).toBe('application/json');
      const body = res.json() as Record<string, number>[];
      expect(body).toHaveLength(1);
      expect(Object.keys(body[0] ?? {})).toEqual(['cpu_usage_node', 'ram_usage_node', 'power_usage_node']);
      expect(body[0]).toEqual(expected);
      expect(body[0]?.cpu_usage_node).toBeGreaterThan(0);
    }
  });

  it('answers a single metric alone', async () => {
    for (const metric of ['cpu_usage_node', 'ram_usage_node', 'power_usage_node']) {
      const res = await call(`${service.url}/${metric}`, 'GET', INPUT);
      expect(res.json()).toEqual([{ [metric]: forecaster.nodeUsage(INPUT)[metric as 'cpu_usage_node'] }]);
    }
  });

  it('serves every trained target, the overload as its class and probability', async () => {
    const x = forecaster.vector(INPUT);
    for (const target of forecaster.targets) {
      const res = await call(`${service.url}/${target}`, 'POST', INPUT);
      expect(res.status, `${target}: ${res.body}`).toBe(200);
      expect(res.json()).toEqual([forecaster.answer(target, x)]);
    }
    expect(forecaster.targets).toEqual(expect.arrayContaining(['latency_node', 'overloaded_node']));
    const calm = (await call(`${service.url}/overloaded_node`, 'GET', INPUT)).json();
    expect(calm).toEqual([{ overloaded_node: 0, overloaded_node_probability: expect.any(Number) }]);
    // The synthetic node overloads above 300% CPU: 4% per HIGH_USAGE request/s.
    const busy = { ...INPUT, rate_group_HIGH_USAGE: 90 };
    const [answer] = (await call(`${service.url}/overloaded_node`, 'POST', busy)).json() as Record<
      string,
      number
    >[];
    expect(answer?.overloaded_node).toBe(1);
    expect(answer?.overloaded_node_probability).toBeGreaterThan(0.5);
    const quantile = await call(`${service.url}/latency_node?model=quantile095`, 'POST', INPUT);
    expect([quantile.status, quantile.json()]).toEqual([
      400,
      {
        error: 'latency_node has no quantile095 model (only the node targets have quantiles)',
        code: 'DFAAS_ERR_FORECAST_INPUT',
      },
    ]);
  });

  it('picks the model per request, else the default', async () => {
    const at = async (query: string) =>
      (
        (await call(`${service.url}/cpu_usage_node${query}`, 'POST', INPUT)).json() as {
          cpu_usage_node: number;
        }[]
      )[0]?.cpu_usage_node;
    expect(await at('?model=quantile095')).toBe(forecaster.nodeUsage(INPUT, 'quantile095').cpu_usage_node);
    expect(await at('?model=quantile005')).toBe(forecaster.nodeUsage(INPUT, 'quantile005').cpu_usage_node);
    expect(await at('')).toBe(forecaster.nodeUsage(INPUT, 'regression').cpu_usage_node);
    expect(await at('?model=quantile095')).not.toBe(await at('?model=quantile005'));
  });

  it('answers a batch, one result per input', async () => {
    const inputs = [INPUT, { ...INPUT, rate_group_HIGH_USAGE: 80 }];
    const res = await call(`${service.url}/node_usage/batch`, 'POST', inputs);
    expect(res.json()).toEqual(inputs.map((i) => forecaster.nodeUsage(i)));
  });

  it('answers a small request while a large batch is predicted, not after it', async () => {
    // A forecaster of its own, whose predictions the test sees in the order the service makes them.
    const own = Forecaster.load(modelsDir);
    const server = await startForecasterService({
      forecaster: own,
      port: 0,
      defaultModel: 'regression',
      logger: silentLogger,
    });
    const small = { ...INPUT, node_type: 2 };
    const batch = Array.from({ length: 10_000 }, () => INPUT); // just under the 1 MiB body limit
    const predicted: string[] = [];
    const answered: string[] = [];
    let smallCall: Promise<unknown> | undefined;
    const nodeUsage = own.nodeUsage.bind(own);
    vi.spyOn(own, 'nodeUsage').mockImplementation((body, model) => {
      predicted.push((body as typeof INPUT).node_type === 2 ? 'small' : 'batch');
      // The small request is sent once the batch is being predicted.
      smallCall ??= call(`${server.url}/node_usage`, 'POST', small).then(() => answered.push('small'));
      return nodeUsage(body, model);
    });
    try {
      const res = await call(`${server.url}/node_usage/batch`, 'POST', batch);
      answered.push('batch');
      await smallCall;
      expect(res.status, res.body.slice(0, 200)).toBe(200);
      expect(res.json()).toHaveLength(batch.length);
      // Predicted between two of the batch's inputs, and answered before the batch.
      const at = predicted.indexOf('small');
      expect(at).toBeGreaterThan(0);
      expect(at).toBeLessThan(predicted.lastIndexOf('batch'));
      expect(answered).toEqual(['small', 'batch']);
    } finally {
      await server.close();
    }
  });

  it('says what is wrong with a bad request', async () => {
    const input = 'DFAAS_ERR_FORECAST_INPUT';
    const cases: [string, string, unknown, number, RegExp, string][] = [
      [
        '/node_usage',
        'POST',
        { ...INPUT, rate_group_LOW_USAGE: undefined },
        400,
        /rate_group_LOW_USAGE/,
        input,
      ],
      ['/node_usage', 'POST', { ...INPUT, rate_group_HIGH_USAGE: -3 }, 400, /rate_group_HIGH_USAGE/, input],
      ['/node_usage', 'POST', '{"rate_group', 400, /not JSON/, 'DFAAS_ERR_BAD_INPUT'],
      ['/node_usage', 'GET', undefined, 400, /JSON body is required/, 'DFAAS_ERR_BAD_INPUT'],
      [
        '/node_usage?model=median',
        'POST',
        INPUT,
        400,
        /model median: use regression, quantile005, quantile095/,
        input,
      ],
      ['/node_usage/batch', 'POST', INPUT, 400, /array/, input],
      ['/node_usage/batch', 'POST', [INPUT, { node_type: 1 }], 400, /\[1\] rate_group_HIGH_USAGE/, input],
      ['/node_usage', 'POST', { ...INPUT, node_type: -1 }, 400, /node_type/, input],
      // JSON has no Infinity: 1e999 parses as one, and is refused like a negative rate.
      [
        '/node_usage',
        'POST',
        `{"rate_group_HIGH_USAGE":1e999,"rate_group_LOW_USAGE":1,"rate_group_MEDIUM_USAGE":1,"node_type":1}`,
        400,
        /rate_group_HIGH_USAGE/,
        input,
      ],
      [
        '/node_usage',
        'POST',
        { ...INPUT, rate_group_MEDIUM_USAGE: '5' },
        400,
        /rate_group_MEDIUM_USAGE/,
        input,
      ],
      // Not the banner: `//node_usage` is a path with an empty segment, not a host.
      ['//node_usage', 'POST', INPUT, 404, /no route \/\/node_usage/, 'DFAAS_ERR_NOT_FOUND'],
      ['/node_usage', 'DELETE', INPUT, 405, /DELETE is not allowed/, 'DFAAS_ERR_METHOD_NOT_ALLOWED'],
      ['/disk_usage_node', 'POST', INPUT, 404, /no route/, 'DFAAS_ERR_NOT_FOUND'],
    ];
    for (const [path, method, body, status, message, code] of cases) {
      const res = await call(`${service.url}${path}`, method, body);
      expect(res.status, `${method} ${path}`).toBe(status);
      expect(res.json(), `${method} ${path}`).toEqual({ error: expect.stringMatching(message), code });
    }
  });

  it('answers 400, not 500, to a request target that is not a path', async () => {
    const { port } = new URL(service.url);
    const head = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () =>
        socket.write('OPTIONS * HTTP/1.1\r\nHost: forecaster\r\nConnection: close\r\n\r\n'),
      );
      let data = '';
      socket.on('data', (c: Buffer) => (data += c));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(head).toMatch(/invalid request target \*/);
  });
});
