import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliAsync } from '../helpers/cli.js';

// The dfaas executable end to end on the demo's first part (src/demo/cold-warm-tour.ts); the
// sweep and the offloading run are the sampler's and the node's, tested with them.
const dir = mkdtempSync(join(tmpdir(), 'dfaas-cli-demo-'));

describe('dfaas demo (the executable)', () => {
  it('calls each function of a stack cold and warm, prints the table, and writes the results file', async () => {
    const stack = join(dir, 'stack.yml');
    writeFileSync(
      stack,
      'functions:\n  echo:\n    lang: builtin\n    handler: echo\n    annotations:\n      dfaas.example: hello demo\n',
    );
    const args = ['demo', '--stack', stack, '--out', dir, '--no-sweep', '--no-offload'];
    const table = await runCliAsync(args);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^function\s+replicas\s+cold-start ms/);
    expect(table.stdout).toMatch(/\becho\s+1\s+[\d.-]+\s+[\d.]+\s+[\d.]+\s+200\s+hello demo\n/);

    const json = await runCliAsync(['--json', ...args]);
    expect(json.code, json.stderr).toBe(0);
    const out = JSON.parse(json.stdout) as { results: { function: string; status: number }[]; file: string };
    expect(out.results).toEqual([
      expect.objectContaining({ function: 'echo', status: 200, response: 'hello demo' }),
    ]);
    expect(JSON.parse(readFileSync(out.file, 'utf8')).results).toEqual(out.results);
  }, 120_000);
});
