import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startTestGateway, type TestGateway } from '../helpers/embedded-gateway.js';

/** The OpenFaaS gateway's OpenAPI 3.0 spec, vendored from openfaas/faas (MIT) in test/fixtures/openfaas/. */
const SPEC_FILE = fileURLToPath(
  new URL('../fixtures/openfaas/openfaas-gateway.openapi.yml', import.meta.url),
);
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
    expect(list.length).toBe(8);
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
    const json = (method: string, body: unknown): RequestInit => ({ method, body: JSON.stringify(body) });
    const scale = (name: string) =>
      json('POST', { serviceName: name, namespace: 'openfaas-fn', replicas: 2 });
    const invoke: RequestInit = { method: 'POST', body: 'x' };
    // [operation in the spec, request path, request, status expected], run in this order.
    const cases: [string, string, string, RequestInit, number][] = [
      ['post', '/system/functions', '/system/functions', json('POST', deployment), 202],
      ['post', '/system/functions', '/system/functions', json('POST', { service: 'x' }), 400],
      [
        'put',
        '/system/functions',
        '/system/functions',
        json('PUT', { ...deployment, labels: { a: 'b' } }),
        200,
      ],
      ['put', '/system/functions', '/system/functions', json('PUT', { ...deployment, service: 'nope' }), 404],
      [
        'post',
        '/system/scale-function/{functionName}',
        '/system/scale-function/spec-fn',
        scale('spec-fn'),
        202,
      ],
      ['post', '/system/scale-function/{functionName}', '/system/scale-function/nope', scale('nope'), 404],
      ['post', '/function/{functionName}', '/function/spec-fn', invoke, 200],
      ['post', '/function/{functionName}', '/function/nope', invoke, 404],
      ['post', '/function/{functionName}.{namespace}', '/function/spec-fn.openfaas-fn', invoke, 200],
      ['post', '/async-function/{functionName}', '/async-function/spec-fn', { method: 'POST' }, 202],
      ['post', '/async-function/{functionName}', '/async-function/nope', { method: 'POST' }, 404],
      ['delete', '/system/functions', '/system/functions', json('DELETE', { functionName: 'spec-fn' }), 200],
      ['delete', '/system/functions', '/system/functions', json('DELETE', { functionName: 'spec-fn' }), 404],
      ['get', '/healthz', '/healthz', {}, 200],
      ['get', '/metrics', '/metrics', {}, 200],
    ];
    for (const [method, specPath, path, init, expected] of cases) {
      const res = await call(path, init);
      await res.arrayBuffer();
      expect(res.status, `${method} ${path}`).toBe(expected);
      expect(
        documented(method, specPath, res.status),
        `${method} ${specPath} ${res.status} in the spec`,
      ).toBe(true);
    }
  });
});
