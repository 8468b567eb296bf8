import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../../src/core/net.js';

// The README's forecasting block, run top to bottom by bash as a reader runs it: with the built
// CLI (dist/cli/main.js, as `npm install` builds it; unlike the other integration tests, which run
// src/ through tsx, because the block is what a reader copies), from a scratch folder that links to
// this repository's dist/ and committed dataset, so what the block writes (results/forecast/) lands
// there; on a free loopback port instead of 8080.
const MARKER = '<!-- forecast-block';
const REPO = resolve('.');
const scratch = mkdtempSync(join(tmpdir(), 'dfaas-readme-forecast-'));
let bash: ChildProcess | undefined;

afterAll(() => {
  // bash leads its own process group, the background `forecast serve` included: end them both
  // (the block's `kill %1` has stopped the server already unless the block failed before it).
  if (bash?.pid !== undefined) {
    try {
      process.kill(-bash.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  rmSync(scratch, { recursive: true, force: true });
});

/** The ```sh block after the marker comment in README.md. */
function forecastBlock(): string {
  const readme = readFileSync('README.md', 'utf8');
  const at = readme.indexOf(MARKER);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at));
  if (at < 0 || !block?.[1]) throw new Error(`README.md has no \`\`\`sh block after "${MARKER}"`);
  return block[1];
}

/** Runs `script` with bash -e in `cwd` (a failing command fails the block); its exit code and output. */
function runBash(
  script: string,
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    bash = spawn('bash', ['-e', '-c', script], { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    bash.stdout?.on('data', (c: Buffer) => (stdout += c));
    bash.stderr?.on('data', (c: Buffer) => (stderr += c));
    bash.on('exit', (code) => done({ code, stdout, stderr }));
  });
}

describe("the README's forecasting block", () => {
  it('profiles, trains, evaluates and serves node_usage and overloaded_node as printed', async () => {
    if (!existsSync(join(REPO, 'dist/cli/main.js')))
      throw new Error('dist/cli/main.js is missing: run `npm run build` (npm install does) first');
    const block = forecastBlock();
    expect(block).toContain('--port 8080');
    symlinkSync(join(REPO, 'dist'), join(scratch, 'dist'));
    mkdirSync(join(scratch, 'test/fixtures'), { recursive: true });
    symlinkSync(join(REPO, 'test/fixtures/forecast'), join(scratch, 'test/fixtures/forecast'));
    const port = await freeLoopbackPort();

    const run = await runBash(block.replaceAll('8080', String(port)), scratch);
    expect(run.code, run.stderr).toBe(0);
    // profile and train share results/forecast: serve loaded the models beside the group files.
    for (const file of ['group_list.json', 'group_model.json', 'evaluation.json', 'overloaded_node.json'])
      expect(existsSync(join(scratch, 'results/forecast', file)), file).toBe(true);
    expect(run.stdout).toMatch(/^overloaded_node\s+boosted trees/m); // train's and evaluate's tables
    expect(run.stdout).toMatch(/^overloaded_node\s+random forest/m); // evaluate's baselines
    expect(run.stdout).toContain('DFaaS Forecaster ready.\n');

    // Each curl's answer is one line of JSON.
    const answers = run.stdout
      .split('\n')
      .filter((line) => line.startsWith('[{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>[]);
    expect(answers).toEqual([
      [
        {
          cpu_usage_node: expect.any(Number),
          ram_usage_node: expect.any(Number),
          // The committed dataset was sampled on the embedded platform, which measures no power.
          power_usage_node: null,
        },
      ],
      [{ overloaded_node: expect.any(Number), overloaded_node_probability: expect.any(Number) }],
    ]);
    const [[usage], [overload]] = answers as [[Record<string, number>], [Record<string, number>]];
    expect(usage.cpu_usage_node).toBeGreaterThan(0);
    expect(usage.ram_usage_node).toBeGreaterThan(0);
    expect([0, 1]).toContain(overload.overloaded_node);
    expect(overload.overloaded_node_probability).toBeGreaterThanOrEqual(0);
    expect(overload.overloaded_node_probability).toBeLessThanOrEqual(1);
  }, 60_000);
});
