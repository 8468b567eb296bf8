import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliAsync } from '../helpers/cli.js';
import { useOkServer } from '../helpers/ok-server.js';

// The dfaas executable end to end; scenarios files, --json and bad flags are tested in-process
// in test/cli/load.test.ts.
const dir = mkdtempSync(join(tmpdir(), 'dfaas-load-'));
const okUrl = useOkServer();

describe('dfaas load (the executable)', () => {
  it('writes a k6-shaped summary whose sent and dropped requests add up to rate × duration', async () => {
    const file = join(dir, 's.json');
    const res = await runCliAsync([
      'load',
      '--url',
      okUrl(),
      '--rate',
      '500',
      '--duration',
      '2s',
      '--summary-export',
      file,
    ]);
    expect(res.code, res.stderr).toBe(0);
    // The schedule and the accounting, not the machine's speed: every one of the 1000 arrivals is
    // sent or, on a machine too loaded to keep up, counted as dropped; every request sent succeeds.
    const summary = JSON.parse(readFileSync(file, 'utf8'));
    const sent = summary.metrics.http_reqs.count;
    expect(sent + (summary.metrics.dropped_iterations?.count ?? 0)).toBe(1000);
    expect(sent).toBeGreaterThan(0);
    expect(summary.metrics.success_rate_default.value).toBe(1);
    expect(res.stdout).toMatch(new RegExp(`default\\s+${sent}\\s+${sent}\\s+0\\s`));
  }, 60_000);
});
