import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dfaas } from '../helpers/cli.js';

/**
 * A listen address that cannot be listened on is bad input naming the flag or field, found before
 * anything starts. `.invalid` names never resolve (RFC 6761: the resolver answers locally), and
 * 192.0.2.1 (TEST-NET-1, RFC 5737) is no machine's own address.
 */
const dir = mkdtempSync(join(tmpdir(), 'dfaas-cli-host-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const UNRESOLVED = /cannot resolve "no-such-host\.invalid" \((ENOTFOUND|EAI_AGAIN|EAI_FAIL)\)/;

describe('--host and the listen addresses of a configuration', () => {
  it('exits 2 naming --host when it does not resolve or is not this machine’s, for gateway and forecast serve', async () => {
    const models = 'examples/forecast/models';
    const cases: [string[], RegExp][] = [
      [['gateway', '--host', 'no-such-host.invalid'], UNRESOLVED],
      [['gateway', '--host', 'no-such-host.invalid', '--insecure-no-auth'], UNRESOLVED],
      [
        ['gateway', '--host', '192.0.2.1', '--insecure-no-auth'],
        /"192\.0\.2\.1" is not an address of this machine/,
      ],
      [['forecast', 'serve', '--models', models, '--host', 'no-such-host.invalid'], UNRESOLVED],
    ];
    for (const [args, message] of cases) {
      const res = await dfaas(['--log-level', 'silent', ...args, '--port', '0']);
      expect(res.code, `${args.join(' ')}: ${res.stderr}`).toBe(2);
      expect(res.stderr).toMatch(/bad input in command line\n {2}--host: /);
      expect(res.stderr).toMatch(message);
      expect(res.stdout).toBe('');
    }
  });

  it('node up exits 2 naming agent_host and proxy.host, before it writes its identity', async () => {
    const file = join(dir, 'node.yaml');
    writeFileSync(
      file,
      'agent_host: no-such-host.invalid\nproxy:\n  driver: embedded\n  host: other-host.invalid\n  advertise_host: 127.0.0.1\n',
    );
    const res = await dfaas(['--json', 'node', 'up', '--config', file]);
    expect(res.code, res.stderr).toBe(2);
    expect(JSON.parse(res.stderr)).toMatchObject({
      code: 'DFAAS_ERR_BAD_INPUT',
      source: file,
      issues: [
        { field: 'agent_host', message: expect.stringMatching(UNRESOLVED) },
        { field: 'proxy.host', message: expect.stringMatching(/cannot resolve "other-host\.invalid"/) },
      ],
    });
    expect(existsSync(join(dir, 'node.key'))).toBe(false);
    expect(readdirSync(dir)).toEqual(['node.yaml']);
  });
});
