import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chooseProxyDriver, haproxyExecutable } from '../../src/node/agent/node.js';
import { NodeConfigSchema } from '../../src/node/config.js';

const dir = mkdtempSync(join(tmpdir(), 'dfaas-haproxy-choice-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const proxyOf = (proxy: Record<string, unknown>) => NodeConfigSchema.parse({ proxy }).proxy;

describe('which HAProxy a node runs', () => {
  it('reads a relative haproxy_binary from the configuration’s folder, as every path of it', () => {
    mkdirSync(join(dir, 'bin'));
    const program = join(dir, 'bin/haproxy');
    writeFileSync(program, '#!/bin/sh\n');
    chmodSync(program, 0o755);
    const proxy = proxyOf({ driver: 'auto', haproxy_binary: 'bin/haproxy' });
    expect(haproxyExecutable(proxy, dir)).toBe(program);
    expect(chooseProxyDriver(proxy, dir)).toBe('haproxy');
    // From another folder, the same relative path names nothing.
    expect(chooseProxyDriver(proxy, tmpdir())).toBe('embedded');
  });

  it('takes a file that is there but not executable for no HAProxy: auto chooses the embedded proxy', () => {
    const file = join(dir, 'not-a-program');
    writeFileSync(file, 'text');
    chmodSync(file, 0o644);
    expect(chooseProxyDriver(proxyOf({ driver: 'auto', haproxy_binary: file }), dir)).toBe('embedded');
    expect(chooseProxyDriver(proxyOf({ driver: 'haproxy', haproxy_binary: file }), dir)).toBe('haproxy');
  });
});
