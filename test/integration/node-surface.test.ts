import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { startNode } from '../../src/node/agent/node.js';
import { NodeConfigSchema } from '../../src/node/config.js';
import { serviceBinary } from '../helpers/services.js';

/**
 * A node's public surface is its proxy, and the proxy serves /function/* only. Before, it passed
 * every other path to the node's gateway, which had no auth: `POST /system/functions` with
 * `envProcess: id` through a node's proxy, then `GET /function/x`, ran `id` as the node's user.
 * The node's gateway listens on loopback and asks for credentials only the node has.
 */
const dir = mkdtempSync(join(tmpdir(), 'dfaas-node-surface-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'stack.yml'), 'functions:\n  echo:\n    lang: builtin\n    handler: echo\n');

const haproxy = serviceBinary('/usr/sbin/haproxy');
const curl = serviceBinary('/usr/bin/curl');
const attack = JSON.stringify({ service: 'pwn', image: 'pwn', envProcess: 'id' });

async function call(url: string, init: { method?: string; body?: string; auth?: string } = {}) {
  const res = await request(url, {
    method: (init.method ?? 'GET') as 'GET',
    body: init.body ?? null,
    headers: init.auth ? { authorization: `Basic ${Buffer.from(init.auth).toString('base64')}` } : {},
  });
  return { status: res.statusCode, text: await res.body.text() };
}

describe.each([
  ['embedded', true],
  ['haproxy', haproxy !== undefined],
] as const)('a node with the %s proxy', (driver, available) => {
  it.skipIf(!available)(
    'serves functions through its proxy, not the gateway API; the gateway wants the node’s credentials',
    async () => {
      const config = NodeConfigSchema.parse({
        node_id: `surface-${driver}`,
        identity_file: `${driver}.key`,
        proxy: { driver },
        platform: { stack: 'stack.yml' },
        agent: { strategy: 'all-local', period: '1s' },
      });
      const node = await startNode(config, dir, silentLogger);
      try {
        expect(new URL(node.gatewayUrl).hostname).toBe('127.0.0.1');
        expect(await call(`${node.proxyUrl}/function/echo`, { method: 'POST', body: 'hi' })).toEqual({
          status: 200,
          text: 'hi',
        });

        for (const method of ['POST', 'PUT']) {
          const res = await call(`${node.proxyUrl}/system/functions`, { method, body: attack });
          expect(res.status, `${method} /system/functions through the proxy`).toBe(404);
        }
        expect((await call(`${node.proxyUrl}/function/pwn`)).status).toBe(404); // never deployed

        // A peer id is public (DFaaS-Served-By): claimed without the peer's token, it gets 403.
        const served = await request(`${node.proxyUrl}/function/echo`, { method: 'POST', body: 'x' });
        await served.body.dump();
        const id = served.headers['dfaas-served-by'] as string;
        const spoofed = await request(`${node.proxyUrl}/function/echo`, {
          method: 'POST',
          body: 'x',
          headers: { 'DFaaS-Node-ID': id, 'DFaaS-Node-Token': 'guess' },
        });
        expect([spoofed.statusCode, await spoofed.body.text()]).toEqual([403, expect.stringContaining(id)]);

        // A 20 MB body sent by curl (Expect: 100-continue) through the proxy is echoed whole.
        if (curl) {
          const out = await promisify(execFile)('bash', [
            '-c',
            `head -c 20000000 /dev/urandom | ${curl} -sS --data-binary @- -o /dev/null -w '%{http_code} %{size_download}' ${node.proxyUrl}/function/echo`,
          ]);
          expect(out.stdout).toBe('200 20000000');
          // Over the gateway's 64 MiB, without Expect: the proxy is still sending the body when
          // the gateway answers, and the client must get that 413 (it got 502 before).
          const over = await promisify(execFile)('bash', [
            '-c',
            `head -c 70000000 /dev/zero | ${curl} -sS -H 'Expect:' --data-binary @- -o /dev/null -w '%{http_code}' ${node.proxyUrl}/function/echo`,
          ]);
          expect(over.stdout).toBe('413');
        }

        // On the gateway itself (loopback): nothing without the node's credentials.
        expect(
          (await call(`${node.gatewayUrl}/system/functions`, { method: 'POST', body: attack })).status,
        ).toBe(401);
        const wrong = await call(`${node.gatewayUrl}/system/functions`, { auth: 'admin:admin' });
        expect(wrong.status).toBe(401);
        const auth = node.gatewayAuth;
        expect(auth?.password.length).toBeGreaterThanOrEqual(24);
        const list = await call(`${node.gatewayUrl}/system/functions`, {
          auth: `${auth?.username}:${auth?.password}`,
        });
        expect(list.status).toBe(200);
        expect(JSON.parse(list.text).map((f: { name: string }) => f.name)).toEqual(['echo']);
      } finally {
        await node.stop();
      }
    },
    60_000,
  );
});
