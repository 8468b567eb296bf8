import fc from 'fast-check';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/embedded-gateway.js';
import { functionName, runs } from '../helpers/property.js';

/**
 * The embedded gateway's control API (src/platform/embedded/gateway.ts) takes request bodies from
 * anyone who can reach it: whatever the body, the answer is a 2xx (a valid request) or a 4xx,
 * never a 5xx and never a dropped connection, and the gateway keeps serving.
 *
 * Unit tier: no replica process may start. Every deployment sent here has
 * com.openfaas.scale.min 0 (the platform starts replicas only for a request, and none is invoked),
 * /system/scale-function targets a function that does not exist, and each property checks that
 * no function has a replica process.
 */

let gw: TestGateway;
/** Its own connections, so a connection the gateway drops fails the request that was on it. */
const agent = new Agent({ connections: 4 });

/** The function PUT bodies update: deployed once, with no replicas. */
const TARGET = 'fuzz-target';
const NO_REPLICAS = { 'com.openfaas.scale.min': '0' };

beforeAll(async () => {
  gw = await startTestGateway({
    deployments: [{ service: TARGET, image: 'dfaas/echo', labels: NO_REPLICAS }],
  });
});
afterAll(async () => {
  await gw?.close();
  await agent.close();
});

/** Sends one request; a dropped connection or a timeout throws (failing the property). */
async function send(
  method: 'POST' | 'PUT' | 'DELETE',
  path: string,
  body: string | Uint8Array,
): Promise<number> {
  const res = await request(`${gw.url}${path}`, {
    method,
    body,
    dispatcher: agent,
    headersTimeout: 5000,
    bodyTimeout: 5000,
  });
  await res.body.dump();
  return res.statusCode;
}

/** A valid request's 2xx or a refusal's 4xx; never a 5xx (nor a 1xx or 3xx). */
function expect2xxOr4xx(status: number, what: string): void {
  const ok = (status >= 200 && status < 300) || (status >= 400 && status < 500);
  expect(ok, `${what} answered ${status}`).toBe(true);
}

/** Removes what a property deployed (keeping TARGET, deploying it again if a DELETE removed it) and checks no replica ran. */
async function resetFunctions(): Promise<void> {
  for (const fn of await gw.platform.list()) {
    expect(gw.platform.replicaPids(fn.name), `replica processes of ${fn.name}`).toEqual([]);
    if (fn.name !== TARGET) await gw.platform.remove(fn.name);
  }
  if (!(await gw.platform.list()).some((f) => f.name === TARGET))
    await gw.platform.deploy({ service: TARGET, image: 'dfaas/echo', labels: NO_REPLICAS });
}

const ENDPOINTS = [
  ['POST', '/system/functions'],
  ['PUT', '/system/functions'],
  ['DELETE', '/system/functions'],
  ['POST', '/system/scale-function/x'],
] as const;

/** Sends `body` to every control endpoint, expecting 2xx or 4xx from each. */
async function sendEverywhere(body: string | Uint8Array): Promise<void> {
  for (const [method, path] of ENDPOINTS) expect2xxOr4xx(await send(method, path, body), `${method} ${path}`);
  await resetFunctions();
}

/** Mostly a valid value, sometimes any string or JSON value: bodies that reach every check, one bad field at a time. */
const mostly = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof(
    { arbitrary: valid, weight: 8 },
    { arbitrary: fc.string(), weight: 1 },
    { arbitrary: fc.jsonValue(), weight: 1 },
  );
const duration = fc.constantFrom('10s', '1m30s', '500ms', '2', '0s');
const count = (min: number, max: number) => fc.integer({ min, max }).map(String);

/** Bodies shaped like a FunctionDeployment, valid or nearly: they reach the deeper checks (function-settings.ts). */
const deploymentLike = fc
  .tuple(
    fc.record(
      {
        service: mostly(functionName()),
        image: mostly(fc.constantFrom('dfaas/echo', 'ghcr.io/x/dfaas/figlet:1', 'dfaas/nope', 'nginx')),
        namespace: mostly(fc.constantFrom('openfaas-fn', 'other')),
        envProcess: mostly(fc.constantFrom('cat', 'wc -c')),
        envVars: fc.record(
          {
            exec_timeout: mostly(duration),
            read_timeout: mostly(duration),
            write_timeout: mostly(duration),
            max_inflight: mostly(count(0, 100)),
            mode: mostly(fc.constantFrom('serializing', 'http', 'other')),
            GREETING: fc.string(),
          },
          { requiredKeys: [] },
        ),
        labels: fc.record(
          {
            'com.openfaas.scale.max': mostly(count(0, 60)),
            'com.openfaas.scale.factor': mostly(count(0, 120)),
            'com.openfaas.scale.zero': mostly(fc.constantFrom('true', 'false', '1', 'yes')),
            'com.openfaas.scale.zero-duration': mostly(duration),
            'com.openfaas.scale.type': mostly(fc.constantFrom('rps', 'capacity', 'cpu', 'memory')),
            'com.openfaas.scale.target': mostly(fc.constantFrom('50', '0.5', '0', '-1')),
            'com.openfaas.scale.target-proportion': mostly(fc.constantFrom('0.9', '1', '0')),
            'dfaas.scale.down-window': mostly(duration),
          },
          { requiredKeys: [] },
        ),
        annotations: fc.option(
          fc.record(
            { 'dfaas.handler': mostly(fc.constantFrom('builtin:echo', 'builtin:nope', '/nonexistent.ts')) },
            { requiredKeys: [] },
          ),
          { nil: null },
        ),
        limits: fc.option(
          fc.record(
            {
              memory: mostly(fc.constantFrom('128Mi', '1G', '', 'lots')),
              cpu: mostly(fc.constantFrom('500m', '2', '', 'x')),
            },
            { requiredKeys: [] },
          ),
          { nil: null },
        ),
        readOnlyRootFilesystem: mostly(fc.boolean()),
      },
      { requiredKeys: ['service', 'image'] },
    ),
    // Now and then a key the schema does not know (refused: a typo must not be ignored).
    fc.oneof(
      { arbitrary: fc.constant({}), weight: 9 },
      { arbitrary: fc.record({ envVar: fc.jsonValue() }), weight: 1 },
    ),
  )
  .map(([d, extra]) => ({
    ...d,
    ...extra,
    // Whatever else it says, the function gets no replica until it is invoked (it never is here).
    labels: { ...d.labels, ...NO_REPLICAS },
  }));

describe('embedded gateway request bodies, property-based', () => {
  it('any JSON value is answered 2xx or 4xx by every control endpoint', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), (value) => sendEverywhere(JSON.stringify(value))),
      runs(60),
    );
  });

  it('any bytes are answered 2xx or 4xx by every control endpoint', async () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 2048 }),
      fc.string({ unit: 'binary' }).map((s) => new TextEncoder().encode(s)),
      // Truncated or padded JSON, the near misses of a client.
      fc.jsonValue().chain((v) => {
        const text = JSON.stringify(v) ?? '';
        return fc
          .nat({ max: text.length })
          .map((cut) => new TextEncoder().encode(`${text.slice(0, cut)}\u0000`));
      }),
    );
    await fc.assert(fc.asyncProperty(bytes, sendEverywhere), runs(60));
  });

  it('deployment-shaped bodies are deployed (202), updated (200) or refused (4xx), and start no process', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(deploymentLike, fc.boolean(), async (deployment, update) => {
        const body = JSON.stringify(update ? { ...deployment, service: TARGET } : deployment);
        const status = await send(update ? 'PUT' : 'POST', '/system/functions', body);
        expect2xxOr4xx(status, update ? 'PUT' : 'POST');
        if (status < 300) expect(status).toBe(update ? 200 : 202);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        await resetFunctions();
      }),
      runs(150),
    );
    // The generator reaches the valid paths too, not only the refusals.
    expect([...statuses.keys()]).toEqual(expect.arrayContaining([200, 202, 400]));
  });

  it('scale and delete bodies with any fields are answered 2xx or 4xx', async () => {
    const scale = fc.record(
      {
        serviceName: fc.oneof(fc.constant('x'), fc.string()),
        namespace: fc.string(),
        replicas: fc.oneof(fc.integer(), fc.double(), fc.constant(1e300), fc.jsonValue()),
      },
      { requiredKeys: [] },
    );
    const remove = fc.record(
      { functionName: fc.oneof(fc.constant('x'), fc.string(), fc.jsonValue()) },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(scale, remove, async (s, r) => {
        // x does not exist: a valid scale body is a 404, so no replica starts.
        expect2xxOr4xx(await send('POST', '/system/scale-function/x', JSON.stringify(s)), 'scale');
        expect2xxOr4xx(await send('DELETE', '/system/functions', JSON.stringify(r)), 'delete');
        await resetFunctions();
      }),
      runs(100),
    );
  });

  it('still answers /healthz and lists its function afterwards', async () => {
    const health = await request(`${gw.url}/healthz`, { dispatcher: agent });
    expect(health.statusCode).toBe(200);
    expect(await health.body.text()).toBe('OK\n');
    expect((await gw.client.list()).map((f) => f.name)).toEqual([TARGET]);
  });
});
