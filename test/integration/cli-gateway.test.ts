import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { descendants, runCli, spawnGateway } from '../helpers/cli.js';
import { alive, waitFor } from '../helpers/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'dfaas-cli-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

interface Status {
  name: string;
  availableReplicas: number;
  replicas: number;
}

async function allReady(url: string): Promise<boolean> {
  const list = (await (await fetch(`${url}/system/functions`)).json()) as Status[];
  return list.length > 0 && list.every((f) => f.availableReplicas === f.replicas);
}

describe('dfaas gateway (the command)', () => {
  it('exits 2 naming the field and the file for a bad stack, and starts nothing', () => {
    const cases: [string, string, RegExp][] = [
      [
        'unknown.yml',
        'functions:\n  a:\n    image: dfaas/echo\n    imagee: x\n',
        /functions\.a\.imagee: unknown key/,
      ],
      ['type.yml', 'functions:\n  a:\n    image: dfaas/echo\n    labels: 7\n', /functions\.a\.labels: /],
      [
        'dup.yml',
        'functions:\n  a:\n    image: dfaas/echo\n  a:\n    image: dfaas/echo\n',
        /functions\.a: duplicate key/,
      ],
    ];
    for (const [name, text, field] of cases) {
      const path = file(name, text);
      const res = runCli(['gateway', '--port', '0', '--stack', path]);
      expect(res.status, res.stderr).toBe(2);
      expect(res.stderr).toContain(path);
      expect(res.stderr).toMatch(field);
    }
    const flag = runCli(['gateway', '--port', 'eighty']);
    expect(flag.status).toBe(2);
    expect(flag.stderr).toMatch(/--port must be a whole number/);
    const missing = runCli(['gateway', '--stack', join(dir, 'nope.yml')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/cannot read file/);
  });

  it('prints help and version with exit 0, and the JSON Schema of a config', () => {
    const help = runCli(['gateway', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/--auth-file <file>/);
    expect(runCli(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const schema = runCli(['schema', 'stack']);
    expect(schema.status).toBe(0);
    expect(JSON.parse(schema.stdout).properties.functions).toBeDefined();
    expect(runCli(['schema', 'nope']).status).toBe(2);
  });

  it('leaves no process behind after SIGTERM, and drains the request in flight', async () => {
    const gw = await spawnGateway(['--stack', resolve('examples/stack.yml')]);
    await waitFor('all replicas ready', () => allReady(gw.url), 20_000);
    const pid = gw.child.pid as number;
    const tree = descendants(pid);
    expect(tree.length).toBeGreaterThanOrEqual(9); // 9 replicas in the example stack
    const inflight = fetch(`${gw.url}/function/sleep`, { method: 'POST', body: '400' });
    await new Promise((r) => setTimeout(r, 100));
    gw.child.kill('SIGTERM');
    const res = await inflight;
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('slept 400 ms\n');
    expect(await gw.exited).toEqual({ code: 0, signal: null });
    await waitFor('no replica left', () => tree.every((p) => !alive(p)), 5000);
  });

  it('leaves no replica behind even when the gateway is SIGKILLed', async () => {
    const gw = await spawnGateway(['--stack', resolve('examples/stack.yml')]);
    await waitFor('all replicas ready', () => allReady(gw.url), 20_000);
    const tree = descendants(gw.child.pid as number);
    gw.child.kill('SIGKILL');
    await gw.exited;
    await waitFor('no replica left', () => tree.every((p) => !alive(p)), 5000);
  });

  it('guards /system/* with basic auth from --auth-file, leaving /function/* open', async () => {
    const auth = file('auth', 'admin:s3cret:with:colons\n');
    const gw = await spawnGateway(['--stack', resolve('examples/stack.yml'), '--auth-file', auth]);
    try {
      expect((await fetch(`${gw.url}/system/functions`)).status).toBe(401);
      const wrong = Buffer.from('admin:nope').toString('base64');
      expect(
        (await fetch(`${gw.url}/system/functions`, { headers: { authorization: `Basic ${wrong}` } })).status,
      ).toBe(401);
      const right = Buffer.from('admin:s3cret:with:colons').toString('base64');
      expect(
        (await fetch(`${gw.url}/system/functions`, { headers: { authorization: `Basic ${right}` } })).status,
      ).toBe(200);
      expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${gw.url}/function/echo`, { method: 'POST', body: 'open' })).status).toBe(200);
    } finally {
      gw.child.kill('SIGTERM');
      await gw.exited;
    }
  });
});
