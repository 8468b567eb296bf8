import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfigText } from '../../src/config/read-file.js';
import { loadSamplerConfig, SamplerConfigSchema } from '../../src/config/sampler.js';
import { dfaas } from '../helpers/cli.js';
import { configError } from '../helpers/config-error.js';

const dir = mkdtempSync(join(tmpdir(), 'dfaas-read-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Ten lists of ten aliases of a ten-item list: 1,000 values from three lines, past yaml's limit of 100 alias expansions. */
const ALIAS_BOMB = [
  'a: &a [1,1,1,1,1,1,1,1,1,1]',
  'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]',
  'c: [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]',
  '',
].join('\n');

describe('YAML aliases in configuration files', () => {
  it('an alias without its anchor is a ConfigError naming the file, the alias, its field and line', () => {
    const err = configError(() => parseConfigText('functions: *a\n', 'f.yaml'));
    expect(err.code).toBe('DFAAS_ERR_BAD_INPUT');
    expect(err.issues).toEqual([
      {
        field: 'functions',
        message: expect.stringMatching(/^unknown alias \*a \(line 1, column 12\): no anchor &a before it/),
      },
    ]);
    expect(err.message).toMatch(/^f\.yaml: functions: unknown alias \*a/);
    // An anchor set after the alias does not count (YAML resolves aliases backwards only).
    const later = configError(() => parseConfigText('x: [1, *b]\ny: &b 2\n', 'g.yaml'));
    expect(later.issues).toEqual([
      { field: 'x[1]', message: expect.stringMatching(/^unknown alias \*b \(line 1/) },
    ]);
    // A key that is an unknown alias.
    expect(configError(() => parseConfigText('*k : 1\n', 'h.yaml')).message).toMatch(
      /^h\.yaml: unknown alias \*k/,
    );
  });

  it('aliases expanding past the limit are a ConfigError saying so, not a resource exhaustion', () => {
    const err = configError(() => parseConfigText(ALIAS_BOMB, 'bomb.yaml'));
    expect(err.code).toBe('DFAAS_ERR_BAD_INPUT');
    expect(err.message).toMatch(/^bomb\.yaml: too many alias expansions/);
    // A few aliases are fine.
    expect(parseConfigText('a: &a [1, 2]\nb: *a\nc: *a\n', 'ok.yaml')).toEqual({
      a: [1, 2],
      b: [1, 2],
      c: [1, 2],
    });
  });

  it('an alias inside the value of its own anchor (a value that contains itself) is a ConfigError', () => {
    const err = configError(() => parseConfigText('functions: &f [*f]\n', 'loop.yaml'));
    expect(err.issues).toEqual([
      {
        field: 'functions[0]',
        message: expect.stringMatching(/^alias \*f \(line 1, column 16\) is inside the value of &f/),
      },
    ]);
  });

  it('every loader reports them as bad input naming the file', () => {
    for (const [name, text] of [
      ['unknown.yaml', 'functions: *a\n'],
      ['bomb.yaml', ALIAS_BOMB],
    ] as const) {
      const file = join(dir, name);
      writeFileSync(file, text);
      for (const load of [() => loadSamplerConfig(file), () => loadConfigFile(SamplerConfigSchema, file)]) {
        const err = configError(load);
        expect(err.source).toBe(file);
        expect(err.exitCode).toBe(2);
      }
    }
  });

  it('dfaas sample --dry-run exits 2 naming the file, not DFAAS_ERR_INTERNAL', async () => {
    for (const [name, text, what] of [
      ['unknown.yaml', 'functions: *a\n', /unknown alias \*a/],
      ['bomb.yaml', ALIAS_BOMB, /too many alias expansions/],
    ] as const) {
      const file = join(dir, name);
      writeFileSync(file, text);
      const res = await dfaas(['sample', '--config', file, '--dry-run']);
      expect(res.code, res.stderr).toBe(2);
      expect(res.stderr).toContain(`bad input in ${file}`);
      expect(res.stderr).toMatch(what);
      expect(res.stderr).not.toContain('DFAAS_ERR_INTERNAL');
    }
  });
});
