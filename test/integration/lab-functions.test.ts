import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabEntry, LabResponse } from '../../src/platform/functions/lab.js';
import { startTestGateway, type TestGateway } from '../helpers/embedded-gateway.js';
import { waitFor } from '../helpers/wait.js';

/** The lab functions as built-ins of the embedded platform, calling each other through its gateway. */
describe('lab functions on the embedded gateway', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway({
      deployments: ['function1', 'function2', 'function3', 'monolith'].map((name) => ({
        service: name,
        image: `dfaas/${name}`,
      })),
    });
  });

  afterAll(async () => {
    await gw?.close();
  });

  async function call(name: string, body: unknown): Promise<{ status: number; text: string }> {
    const res = await fetch(`${gw.url}/function/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, text: await res.text() };
  }

  async function entries(name: string, body: unknown): Promise<{ response: LabResponse; root: LabEntry }> {
    const { status, text } = await call(name, body);
    expect(status, text).toBe(200);
    const response = JSON.parse(text) as LabResponse;
    return { response, root: response[response.root_identifier] as LabEntry };
  }

  it('marks the first call a replica serves cold, and the next one warm on the same replica', async () => {
    const first = (await entries('monolith', { run_function: 'maxDepth', args: 3, seed: 1 })).root;
    const second = (await entries('monolith', { run_function: 'maxDepth', args: 3, seed: 1 })).root;
    expect([first.is_cold, second.is_cold]).toEqual([true, false]);
    expect(second.instance_identifier).toBe(first.instance_identifier);
    expect(second.container_id).toBe(first.container_id);
    expect(first).toMatchObject({ function_called: 'maxDepth', monolith_result: '4' });
  });

  it('function1 → function2 → function3 through the gateway: three entries, flat, chained by parent and level', async () => {
    const { response, root } = await entries('function1', {
      invoke_nested: [
        {
          function_name: 'function2',
          invoke_payload: { invoke_nested: [{ function_name: 'function3', invoke_payload: { sleep: 0.2 } }] },
        },
      ],
    });
    const all = Object.entries(response)
      .filter(([key]) => key !== 'root_identifier')
      .map(([, entry]) => entry as LabEntry)
      .sort((a, b) => a.level - b.level);
    expect(all.map((e) => [e.function_name, e.level])).toEqual([
      ['function1', 0],
      ['function2', 1],
      ['function3', 2],
    ]);
    const [f1, f2, f3] = all as [LabEntry, LabEntry, LabEntry];
    expect(root).toEqual(f1);
    expect([f1.parent, f2.parent, f3.parent]).toEqual(['root', f1.identifier, f2.identifier]);
    expect(new Set(all.map((e) => e.instance_identifier)).size).toBe(3);
    expect(f3.execution_end - f3.execution_start).toBeGreaterThanOrEqual(0.2);
    expect(f1.execution_end).toBeGreaterThanOrEqual(f3.execution_end);
  });

  it('a nested call to an unknown function answers 400 naming the field', async () => {
    const { status, text } = await call('function1', { invoke_nested: [{ function_name: 'nope' }] });
    expect(status).toBe(400);
    expect(text).toMatch(/^invoke_nested\[0\]\.function_name: no function "nope"/);
  });

  it('two replicas have different instance identifiers, and the new one is cold', async () => {
    await gw.platform.scale('function2', 2);
    await waitFor(
      'two ready function2 replicas',
      async () => (await gw.platform.get('function2')).availableReplicas === 2,
    );
    // Two calls at once: each goes to the replica with fewer calls in flight.
    const [a, b] = await Promise.all([
      entries('function2', { sleep: 0.3 }),
      entries('function2', { sleep: 0.3 }),
    ]);
    expect(a.root.instance_identifier).not.toBe(b.root.instance_identifier);
    expect(a.root.container_id).not.toBe(b.root.container_id);
    expect([a.root.is_cold, b.root.is_cold].sort()).toEqual([false, true]);
  });
});
