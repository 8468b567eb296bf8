import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { markNodeStart, nodeFailureCause } from '../../src/node/node-log.js';

const dir = mkdtempSync(join(tmpdir(), 'dfaas-node-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let logs = 0;
/** A node log holding `lines` (objects as JSON lines, strings as they are). */
function logOf(...lines: (string | Record<string, unknown>)[]): string {
  const file = join(dir, `node-${++logs}.log`);
  for (const l of lines) appendFileSync(file, `${typeof l === 'string' ? l : JSON.stringify(l)}\n`);
  return file;
}

const info = { time: 't', level: 'info', message: 'proxy listening' };

describe('why a cluster node exited, from its log', () => {
  it('is the error the node reported last (--json: one object with a code and no level)', () => {
    const log = logOf(info, { code: 'DFAAS_ERR_HAPROXY', message: 'haproxy failed to start (exit code 1)' });
    expect(nodeFailureCause(log)).toBe('haproxy failed to start (exit code 1)');
  });

  it('is the last error the node logged when it reported none', () => {
    const log = logOf(
      { time: 't', level: 'error', message: 'first' },
      { time: 't', level: 'error', message: 'agent period failed', error: 'forecaster refused' },
      info,
      'a line that is no JSON',
    );
    expect(nodeFailureCause(log)).toBe('agent period failed: forecaster refused');
  });

  it('is only what its last run wrote: an earlier run’s error is not the cause', () => {
    const log = logOf({ code: 'DFAAS_ERR_BAD_INPUT', message: 'old mistake' });
    markNodeStart(log, 'node-1');
    appendFileSync(log, `${JSON.stringify(info)}\n`);
    expect(nodeFailureCause(log)).toBeUndefined();
  });

  it('is unknown when the log is missing', () => {
    expect(nodeFailureCause(join(dir, 'none.log'))).toBeUndefined();
  });
});
