import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { ensureDir, writeFileAtomic } from '../../src/core/files.js';

const origin = { source: 'sweep.yaml', field: 'output_dir' };

describe('durable files', () => {
  it('makes missing folders level by level', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'dfaas-files-')), 'a', 'b', 'c');
    ensureDir(dir, origin);
    ensureDir(dir, origin); // there already: nothing to do
    writeFileAtomic(join(dir, 'x.json'), '{}');
    expect(readFileSync(join(dir, 'x.json'), 'utf8')).toBe('{}');
  });

  it('refuses a folder it cannot make as bad input naming where the path came from, at once', () => {
    const root = mkdtempSync(join(tmpdir(), 'dfaas-files-'));
    writeFileSync(join(root, 'file'), '');
    const cases: [string, RegExp][] = [
      [join(root, 'file', 'sub'), /is not a folder/],
      // Node's recursive mkdir retries this one forever (ENOENT under /proc).
      ['/proc/dfaas-nope/out', /cannot create the folder \/proc\/dfaas-nope/],
    ];
    for (const [dir, message] of cases) {
      const make = () => ensureDir(dir, origin);
      expect(make).toThrow(ConfigError);
      expect(make).toThrow(message);
      expect(make).toThrow(/^sweep\.yaml: output_dir: /);
    }
  });

  it('leaves no temp file behind when the write fails', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dfaas-files-'));
    mkdirSync(join(dir, 'taken')); // a folder where the file should go: the rename fails
    expect(() => writeFileAtomic(join(dir, 'taken'), 'data')).toThrow();
    expect(readdirSync(dir)).toEqual(['taken']);
  });
});
