import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startTestGateway, type TestGateway } from '../helpers/local-gateway.js';

/** The OpenFaaS gateway's OpenAPI 3.0 spec, from openfaas/faas (MIT), in shared/reference. */
const SPEC_FILE = '../shared/reference/openfaas-gateway.openapi.yml';
const spec = parse(readFileSync(SPEC_FILE, 'utf8')) as {
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
};

/**
 * OpenAPI 3.0 writes "may be null" as `nullable: true`, which JSON Schema lacks (and Ajv accepts
 * only beside `type`); rewrite it as anyOf [schema, null] throughout.
 */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (typeof node !== 'object' || node === null) return node;
  const { nullable, ...rest } = node as Record<string, unknown>;
  const converted = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, toJsonSchema(v)]));
  return nullable === true ? { anyOf: [converted, { type: 'null' }] } : converted;
}

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats.default(ajv);
// OpenAPI's numeric and custom formats carry no constraint JSON Schema can check.
for (const format of ['int64', 'integer', 'double', 'semver', 'binary', 'byte']) ajv.addFormat(format, true);
ajv.addSchema(toJsonSchema(spec) as object, 'openapi');

function validator(schema: string) {
  const validate = ajv.getSchema(`openapi#/components/schemas/${schema}`);
  if (!validate) throw new Error(`no schema ${schema} in ${SPEC_FILE}`);
  return (value: unknown) => {
    const ok = validate(value);
    return ok ? 'valid' : ajv.errorsText(validate.errors);
  };
}

/** Is `status` one of the responses the spec documents for this operation? */
function documented(method: string, path: string, status: number): boolean {
  return String(status) in (spec.paths[path]?.[method]?.responses ?? {});
}

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ stack: 'examples/stack.yml' });
});
afterAll(async () => {
  await gw?.close();
});

const call = (path: string, init: RequestInit = {}) => fetch(`${gw.url}${path}`, init);

describe('the embedded gateway against the OpenFaaS OpenAPI spec', () => {
  it('GET /system/functions returns FunctionStatus items', async () => {
    await call('/function/figlet', { method: 'POST', body: 'x' });
    const res = await call('/system/functions');
    expect(documented('get', '/system/functions', res.status)).toBe(true);
    const list = (await res.json()) as unknown[];
    expect(list.length).toBe(7);
    const check = validator('FunctionStatus');
    for (const item of list) expect(check(item)).toBe('valid');
  });

  it('GET /system/function/{name} returns a FunctionStatus with usage', async () => {
    const res = await call('/system/function/figlet');
    expect(documented('get', '/system/function/{functionName}', res.status)).toBe(true);
    const body = (await res.json()) as Record<string, unknown>;
    expect(validator('FunctionStatus')(body)).toBe('valid');
    expect(body).toHaveProperty('usage.totalMemoryBytes');
    expect(body).toHaveProperty('availableReplicas');
    const missing = await call('/system/function/missing');
    expect(documented('get', '/system/function/{functionName}', missing.status)).toBe(true);
  });

  it('GET /system/info returns GatewayInfo', async () => {
    const res = await call('/system/info');
    expect(documented('get', '/system/info', res.status)).toBe(true);
    expect(validator('GatewayInfo')(await res.json())).toBe('valid');
  });

  it('the spec validator is strict enough to catch a wrong shape', () => {
    expect(validator('FunctionStatus')({ name: 'x' })).toMatch(/image/);
    expect(validator('GatewayInfo')({ provider: {}, version: null, arch: 1 })).not.toBe('valid');
  });

  it('answers the documented statuses for deploy, update, scale, invoke and delete', async () => {
    const deployment = { service: 'spec-fn', image: 'dfaas/echo:latest', labels: {}, annotations: {} };
    const statuses: [string, string, number][] = [];
    const record = async (method: string, path: string, res: Promise<Response>) => {
      const r = await res;
      await r.arrayBuffer();
      statuses.push([method, path, r.status]);
    };
    const json = (method: string, body: unknown): RequestInit => ({ method, body: JSON.stringify(body) });
    await record('post', '/system/functions', call('/system/functions', json('POST', deployment)));
    await record('post', '/system/functions', call('/system/functions', json('POST', { service: 'x' })));
    await record(
      'put',
      '/system/functions',
      call('/system/functions', json('PUT', { ...deployment, labels: { a: 'b' } })),
    );
    await record(
      'put',
      '/system/functions',
      call('/system/functions', json('PUT', { ...deployment, service: 'nope' })),
    );
    await record(
      'post',
      '/system/scale-function/{functionName}',
      call(
        '/system/scale-function/spec-fn',
        json('POST', { serviceName: 'spec-fn', namespace: 'openfaas-fn', replicas: 2 }),
      ),
    );
    await record(
      'post',
      '/system/scale-function/{functionName}',
      call(
        '/system/scale-function/nope',
        json('POST', { serviceName: 'nope', namespace: 'openfaas-fn', replicas: 2 }),
      ),
    );
    await record(
      'post',
      '/function/{functionName}',
      call('/function/spec-fn', { method: 'POST', body: 'x' }),
    );
    await record('post', '/function/{functionName}', call('/function/nope', { method: 'POST', body: 'x' }));
    await record(
      'post',
      '/function/{functionName}.{namespace}',
      call('/function/spec-fn.openfaas-fn', { method: 'POST', body: 'x' }),
    );
    await record(
      'post',
      '/async-function/{functionName}',
      call('/async-function/spec-fn', { method: 'POST' }),
    );
    await record('post', '/async-function/{functionName}', call('/async-function/nope', { method: 'POST' }));
    await record(
      'delete',
      '/system/functions',
      call('/system/functions', json('DELETE', { functionName: 'spec-fn' })),
    );
    await record(
      'delete',
      '/system/functions',
      call('/system/functions', json('DELETE', { functionName: 'spec-fn' })),
    );
    await record('get', '/healthz', call('/healthz'));
    await record('get', '/metrics', call('/metrics'));
    expect(statuses.map(([, , s]) => s)).toEqual([
      202, 400, 200, 404, 202, 404, 200, 404, 200, 202, 404, 200, 404, 200, 200,
    ]);
    for (const [method, path, status] of statuses)
      expect(documented(method, path, status), `${method} ${path} ${status}`).toBe(true);
  });
});
