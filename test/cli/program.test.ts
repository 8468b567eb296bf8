import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../../src/core/version.js';
import { dfaas } from '../helpers/cli.js';

describe('createProgram (the dfaas command line, in-process)', () => {
  it('prints the version and the help with exit code 0, on stdout', async () => {
    const version = await dfaas(['--version']);
    expect(version).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    const help = await dfaas(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['gateway', 'demo', 'load', 'sample', 'forecast', 'node', 'cluster', 'schema'])
      expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    const sub = await dfaas(['gateway', '--help']);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toMatch(/--auth-file <file>/);
    expect((await dfaas(['forecast', 'train', '--help'])).stdout).toMatch(/--data <file:type\.\.\.>/);
  });

  it('exits 2 naming the flag, command or argument that is wrong', async () => {
    const cases: [string[], RegExp][] = [
      [['gateway', '--port', 'eighty'], /--port must be a whole number from 0 to 65535, got "eighty"/],
      [['--log-level', 'loud', 'schema'], /--log-level must be one of debug, info/],
      [['gateway', '--nope'], /unknown option '--nope'/],
      [['frobnicate'], /unknown command 'frobnicate'/],
      [['sample'], /--config: give the sampler configuration/],
      [['cluster', 'up', '--nodes', '0'], /--nodes must be a whole number from 1 to 50/],
      [['cluster', 'up', '--proxy', 'nginx'], /--proxy.*Allowed choices are auto, embedded, haproxy/],
      [
        ['forecast', 'profile', '--profiles', 'p', '--out', 'o', '--k', '1'],
        /--k must be a whole number from 2/,
      ],
      [['forecast', 'evaluate', '--data', 'x.csv', '--groups', 'g'], /--data x\.csv: give FILE:NODE_TYPE/],
    ];
    for (const [args, message] of cases) {
      const res = await dfaas(args);
      expect(res.code, args.join(' ')).toBe(2);
      expect(res.stderr, args.join(' ')).toMatch(message);
      expect(res.stdout).toBe('');
    }
  });

  it('takes numbers only as decimals: 0x50, 0b1, a fraction, empty and blank are bad input', async () => {
    for (const port of ['0x50', '0b1', '', ' ', '8080.5', '-1', '1e99']) {
      const res = await dfaas(['gateway', '--port', port, '--stack', 'examples/stack.yml']);
      expect(res.code, `--port "${port}": ${res.stderr}`).toBe(2);
      expect(res.stderr).toMatch(/--port must be a whole number from 0 to 65535/);
    }
    const rate = await dfaas(['load', '--url', 'http://127.0.0.1:9/', '--rate', '0x10', '--duration', '1s']);
    expect(rate.code).toBe(2);
    expect(rate.stderr).toMatch(/--rate: /);
  });

  it('says a configuration that is not a mapping, or not text, is one, without echoing its bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dfaas-cli-config-'));
    const files: [string, string | Buffer, RegExp][] = [
      ['list.yaml', '- a\n- b\n', /\(file\): expected a mapping of keys/],
      [
        'binary.yaml',
        Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x00, 0xff, 0xfe, 0x41]),
        /\(file\): not a text file/,
      ],
    ];
    for (const [name, content, message] of files) {
      const file = join(dir, name);
      writeFileSync(file, content);
      for (const args of [
        ['node', 'up', '--config', file],
        ['sample', '--config', file, '--dry-run'],
      ]) {
        const res = await dfaas(args);
        expect(res.code, `${args.join(' ')}: ${res.stderr}`).toBe(2);
        expect(res.stderr).toContain(`bad input in ${file}`);
        expect(res.stderr).toMatch(message);
        expect(res.stderr).not.toMatch(/ELF|DFAAS_ERR_INTERNAL/);
      }
    }
  });
});
