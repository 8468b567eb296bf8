import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliAsync } from '../helpers/cli.js';
import { startOkServer } from '../helpers/ok-server.js';

// The dfaas executable end to end; scenarios files, --json and bad flags are tested in-process
// in test/cli/load.test.ts.
const dir = mkdtempSync(join(tmpdir(), 'dfaas-load-'));
let server: Awaited<ReturnType<typeof startOkServer>>;
let url: string;
beforeAll(async () => {
  server = await startOkServer();
  url = server.url;
});
afterAll(() => server.close());

describe('dfaas load (the executable)', () => {
  it('writes a k6-shaped summary whose request count matches rate × duration', async () => {
    const file = join(dir, 's.json');
    const res = await runCliAsync([
      'load',
      '--url',
      url,
      '--rate',
      '500',
      '--duration',
      '2s',
      '--summary-export',
      file,
    ]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/default\s+1000\s+1000\s+0\s+0/);
    const summary = JSON.parse(readFileSync(file, 'utf8'));
    expect(summary.metrics.http_reqs.count).toBe(1000);
    expect(summary.metrics.success_rate_default.value).toBe(1);
  }, 60_000);
});
