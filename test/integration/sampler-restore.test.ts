import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/logger.js';
import { OpenFaaSClient } from '../../src/platform/openfaas/client.js';
import { chooseRestorer, replicaFloors, scaleToZeroRestorer } from '../../src/sampler/restore.js';
import { startTestGateway, type TestGateway } from '../helpers/embedded-gateway.js';

const auth = { username: 'admin', password: 'restore-test-secret' };
const dir = mkdtempSync(join(tmpdir(), 'dfaas-restore-'));
let gw: TestGateway;

beforeAll(async () => {
  // The embedded gateway answers the OpenFaaS gateway API (test/integration/openapi.test.ts), so
  // the restorer is exercised here as it drives a real OpenFaaS: /system/scale-function and
  // /system/function/NAME with basic auth. echo starts with 2 replicas (com.openfaas.scale.min).
  gw = await startTestGateway({ stack: 'examples/stack.yml', auth });
});
afterAll(async () => {
  await gw.close();
  rmSync(dir, { recursive: true, force: true });
});

const logLines = () => {
  const lines: string[] = [];
  return { lines, logger: createLogger({ level: 'info', json: false, write: (l) => lines.push(l) }) };
};

describe('restoring functions between runs', () => {
  it('scales each function to zero and back through the gateway API: fresh replica processes, as many as before', async () => {
    const client = new OpenFaaSClient({ gateway: gw.url, auth });
    try {
      await gw.client.invoke('figlet', { body: 'warm' });
      await gw.client.invoke('echo', { body: 'warm' });
      const before = { figlet: gw.platform.replicaPids('figlet'), echo: gw.platform.replicaPids('echo') };
      expect(before.echo).toHaveLength(2);
      const restorer = scaleToZeroRestorer(client, ['figlet', 'echo'], logLines().logger);
      await restorer.restore();
      expect(restorer.record).toEqual({ method: 'scale-to-zero' });
      const after = { figlet: gw.platform.replicaPids('figlet'), echo: gw.platform.replicaPids('echo') };
      expect(after.figlet).toHaveLength(before.figlet.length);
      expect(after.echo).toHaveLength(2);
      for (const pid of [...after.figlet, ...after.echo])
        expect([...before.figlet, ...before.echo]).not.toContain(pid);
      expect((await client.get('echo')).availableReplicas).toBe(2);
      // The next restore returns to the counts of the first, not to what the functions have then.
      await client.scale('echo', 3);
      await restorer.restore();
      expect((await client.get('echo')).availableReplicas).toBe(2);
      expect((await gw.client.invoke('echo', { body: 'after' })).status).toBe(200);
    } finally {
      await client.close();
    }
  });

  it('turns restoring off with one warning, recorded, when the gateway refuses the credentials', async () => {
    const client = new OpenFaaSClient({ gateway: gw.url });
    const { lines, logger } = logLines();
    try {
      const before = gw.platform.replicaPids('figlet');
      const restorer = scaleToZeroRestorer(client, ['figlet'], logger);
      await restorer.restore();
      await restorer.restore();
      expect(restorer.record.method).toBe('none');
      expect(restorer.record.reason).toMatch(/refused to scale.*unauthorized/);
      expect(lines.filter((l) => l.includes('not restored'))).toHaveLength(1);
      expect(lines[0]).toContain('gateway_auth_file');
      expect(gw.platform.replicaPids('figlet')).toEqual(before);
    } finally {
      await client.close();
    }
  });

  it('restores a new sweep by default, and not one resumed from before the option existed', () => {
    const functions = [{ name: 'figlet', method: 'POST', body: '', headers: {} }];
    const fresh = join(dir, 'fresh');
    const { lines, logger } = logLines();
    expect(chooseRestorer({ functions }, fresh, gw.client, logger).record.method).toBe('scale-to-zero');
    // A sweep begun by an older dfaas: results.csv and a run.json without `restore`.
    const oldDir = mkdtempSync(join(dir, 'old-'));
    writeFileSync(join(oldDir, 'results.csv'), 'header\r\n');
    writeFileSync(join(oldDir, 'run.json'), '{"state": "running"}\n');
    expect(chooseRestorer({ functions }, oldDir, gw.client, logger).record).toEqual({
      method: 'none',
      reason: 'resumed a sweep that began without restoring',
    });
    expect(lines.join('')).toContain('this sweep began without');
    // Asked for, it restores anyway; asked not to, never.
    expect(
      chooseRestorer({ functions, restore_functions: true }, oldDir, gw.client, logger).record.method,
    ).toBe('scale-to-zero');
    expect(chooseRestorer({ functions, restore_functions: false }, fresh, gw.client, logger).record).toEqual({
      method: 'none',
      reason: 'restore_functions: false',
    });
  });

  it('reads the replicas each function keeps when idle from its com.openfaas.scale.min label', async () => {
    expect(await replicaFloors(gw.client, ['echo', 'figlet', 'env'])).toEqual({ echo: 2, figlet: 1, env: 1 });
    // A gateway that refuses the credentials does not say: the reference's 1.
    const anonymous = new OpenFaaSClient({ gateway: gw.url });
    try {
      expect(await replicaFloors(anonymous, ['echo'])).toEqual({ echo: 1 });
    } finally {
      await anonymous.close();
    }
  });
});
