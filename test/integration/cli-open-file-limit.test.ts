import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { transformWithEsbuild } from 'vite';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * Under a low `ulimit -n` Node.js runs out of file descriptors while it loads dfaas's modules, and
 * says "Cannot find package" of one that is there; the CLI says that the limit is too low instead.
 * It runs as plain JavaScript, as installed (src/ transpiled to a temporary folder): under tsx the
 * loader's own esbuild process may be the one that fails first.
 */
const out = mkdtempSync(join(tmpdir(), 'dfaas-cli-js-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Every .ts file under `from` as JavaScript under `to` (esbuild, through vite: type erasure only). */
async function transpileTree(from: string, to: string): Promise<void> {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    if (entry.isDirectory()) await transpileTree(source, join(to, entry.name));
    else if (entry.name.endsWith('.ts')) {
      const { code } = await transformWithEsbuild(readFileSync(source, 'utf8'), source, {
        format: 'esm',
        target: 'es2022',
      });
      mkdirSync(to, { recursive: true });
      writeFileSync(join(to, entry.name.replace(/\.ts$/, '.js')), code);
    }
  }
}

/** Runs the transpiled CLI with at most `limit` open files; its exit code and stderr. */
function cliUnderLimit(limit: number, args: string[]): { status: number | null; stderr: string } {
  const main = join(out, 'src/cli/main.js');
  const res = spawnSync(
    'bash',
    ['-c', `ulimit -n ${limit} && exec "$0" "$@"`, process.execPath, main, ...args],
    {
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  return { status: res.status, stderr: res.stderr };
}

describe('the CLI under a low open-file limit', () => {
  it('says the limit is too low, with its value and the fix, instead of "Cannot find package"', async () => {
    await transpileTree(resolve('src'), join(out, 'src'));
    copyFileSync('package.json', join(out, 'package.json')); // "type": "module", and the version
    symlinkSync(resolve('node_modules'), join(out, 'node_modules'));
    const config = join(out, 'node.yaml');
    writeFileSync(config, 'agent:\n  strategy: fastest\n');
    // `node up` loads about 300 modules at once (libp2p, zod, …): far more than 64 descriptors.
    const json = cliUnderLimit(64, ['--json', 'node', 'up', '--config', config]);
    expect(json.status, json.stderr).toBe(1);
    expect(JSON.parse(json.stderr)).toEqual({
      code: 'DFAAS_ERR_OPEN_FILE_LIMIT',
      message: expect.stringMatching(/open-file limit \(ulimit -n\) is 64, too low/),
      hint: expect.stringContaining('ulimit -n 4096'),
    });
    const text = cliUnderLimit(64, ['node', 'up', '--config', config]);
    expect(text.status).toBe(1);
    expect(text.stderr).toMatch(/^dfaas: too many open files: .* is 64, too low/);
    expect(text.stderr).not.toMatch(/Cannot find|EMFILE|DFAAS_ERR_INTERNAL/);
  });
});
