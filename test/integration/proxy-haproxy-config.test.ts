import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { mapPath, renderConfig } from '../../src/node/proxy/haproxy/config.js';
import { MAP_NAMES } from '../../src/node/proxy/haproxy/names.js';
import { serviceBinary } from '../helpers/services.js';

/** The rendered haproxy.cfg passes HAProxy's own check (`haproxy -c`) without a warning. */
const haproxy = serviceBinary('/usr/sbin/haproxy');
const dir = mkdtempSync(join(tmpdir(), 'dfaas-haproxy-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it.skipIf(!haproxy)('renders a configuration haproxy -c accepts without warnings', () => {
  const cfg = join(dir, 'haproxy.cfg');
  writeFileSync(
    cfg,
    renderConfig({
      nodeId: 'node-self',
      dir,
      bind: { host: '127.0.0.1', port: 8000 },
      gateway: { host: '127.0.0.1', port: 8080 },
      syncPort: 8090,
      functions: ['echo', 'resize'],
      peers: { 'peer-b': { host: '10.0.0.2', port: 8001 }, 'peer-a': { host: '10.0.0.1', port: 8001 } },
    }),
  );
  for (const name of MAP_NAMES) writeFileSync(mapPath(dir, name), '');
  writeFileSync(join(dir, 'servers.state'), '1\n');
  const check = spawnSync(haproxy as string, ['-c', '-f', cfg], { encoding: 'utf8' });
  expect(check.stderr).not.toMatch(/\[(ALERT|WARNING)\]/);
  expect(check.status).toBe(0);
});
