import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { descendants, spawnGateway } from '../helpers/cli.js';
import { pipelinedPosts } from '../helpers/raw-http.js';
import { alive, waitFor } from '../helpers/wait.js';

// The dfaas executable end to end: a gateway process with its replicas, until a signal. Flags,
// bad stacks and exit codes are tested in-process in test/cli/gateway.test.ts.
const dir = mkdtempSync(join(tmpdir(), 'dfaas-cli-'));

interface Status {
  name: string;
  availableReplicas: number;
  replicas: number;
}

async function allReady(url: string): Promise<boolean> {
  const list = (await (await fetch(`${url}/system/functions`, { headers: AUTH })).json()) as Status[];
  return list.length > 0 && list.every((f) => f.availableReplicas === f.replicas);
}

const AUTH = { authorization: `Basic ${Buffer.from('admin:s3cret:with:colons').toString('base64')}` };

describe('dfaas gateway (the executable)', () => {
  it('guards /system/* with --auth-file, drains the requests in flight on SIGTERM and refuses new ones with 503, and leaves no process behind after SIGTERM or SIGKILL', async () => {
    const auth = join(dir, 'auth');
    writeFileSync(auth, 'admin:s3cret:with:colons\n');
    const args = ['--stack', resolve('examples/stack.yml'), '--auth-file', auth];
    // Two gateways at once: one ends with SIGTERM, the other with SIGKILL.
    const [gw, killed] = await Promise.all([spawnGateway(args, 60_000), spawnGateway(args, 60_000)]);
    try {
      expect((await fetch(`${gw.url}/system/functions`)).status).toBe(401);
      const wrong = Buffer.from('admin:nope').toString('base64');
      expect(
        (await fetch(`${gw.url}/system/functions`, { headers: { authorization: `Basic ${wrong}` } })).status,
      ).toBe(401);
      expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${gw.url}/function/echo`, { method: 'POST', body: 'open' })).status).toBe(200);

      await waitFor(
        'all replicas ready',
        async () => (await allReady(gw.url)) && allReady(killed.url),
        60_000,
      );
      const tree = descendants(gw.child.pid as number);
      expect(tree.length).toBeGreaterThanOrEqual(9); // 9 replicas in the example stack
      const killedTree = descendants(killed.child.pid as number);

      const inflight = fetch(`${gw.url}/function/sleep`, { method: 'POST', body: '400' });
      // A keep-alive connection busy at the signal sends its next request after it.
      const pipelined = pipelinedPosts(
        Number(new URL(gw.url).port),
        '/function/sleep?ms=600',
        async () => {
          await new Promise((r) => setTimeout(r, 100));
          gw.child.kill('SIGTERM');
          killed.child.kill('SIGKILL');
          await new Promise((r) => setTimeout(r, 100));
        },
        '/function/echo',
      );
      const res = await inflight;
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('slept 400 ms\n');
      // In flight at the signal: served. After it: 503, come back later, on another connection.
      const answers = await pipelined;
      expect(answers.map((a) => a.slice(0, 12))).toEqual(['HTTP/1.1 200', 'HTTP/1.1 503']);
      expect(answers[1]).toMatch(/\r\nretry-after: 1\r\nconnection: close\r\n/i);
      expect(await gw.exited).toEqual({ code: 0, signal: null });
      await killed.exited;
      await waitFor('no replica left', () => [...tree, ...killedTree].every((p) => !alive(p)), 20_000);
    } finally {
      gw.child.kill('SIGKILL');
      killed.child.kill('SIGKILL');
    }
  }, 180_000);
});
