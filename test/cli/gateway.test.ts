import { mkdtempSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dfaas } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'dfaas-cli-gateway-'));

describe('dfaas gateway: bad input', () => {
  it('exits 2 naming the field and the file for a bad stack, before starting anything', async () => {
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
      const path = join(dir, name);
      writeFileSync(path, text);
      const res = await dfaas(['gateway', '--port', '0', '--stack', path]);
      expect(res.code, res.stderr).toBe(2);
      expect(res.stderr).toContain(`bad input in ${path}`);
      expect(res.stderr).toMatch(field);
      expect(res.stderr).not.toMatch(/listening/);
    }
    const missing = await dfaas(['gateway', '--stack', join(dir, 'nope.yml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read file/);
  });

  it('with --json, reports bad input as one JSON object naming the file and field', async () => {
    const path = join(dir, 'json.yml');
    writeFileSync(path, 'functions:\n  a:\n    image: dfaas/echo\n    imagee: x\n');
    const res = await dfaas(['--json', 'gateway', '--stack', path]);
    expect(res.code).toBe(2);
    expect(JSON.parse(res.stderr)).toMatchObject({
      code: 'DFAAS_ERR_BAD_INPUT',
      source: path,
      issues: [{ field: 'functions.a.imagee', message: 'unknown key' }],
    });
  });

  it('refuses to listen beyond loopback without --auth-file, naming --host, and starts nothing', async () => {
    // Addresses of this machine (one that is not is refused as such: listen-host.test.ts).
    const lan = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && !a.internal && a.family === 'IPv4')?.address;
    for (const host of ['0.0.0.0', '::', ...(lan ? [lan] : [])]) {
      const res = await dfaas(['gateway', '--host', host, '--port', '0']);
      expect(res.code, res.stderr).toBe(2);
      expect(res.stderr).toMatch(/--host: .* is not a loopback address: .*--auth-file.*--insecure-no-auth/);
      expect(res.stderr).not.toMatch(/listening/);
    }
  });
});
