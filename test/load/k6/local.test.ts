import { describe, expect, it } from 'vitest';
import { k6RunArgs } from '../../../src/load/k6/local.js';
import { sshFingerprint } from '../../../src/load/k6/ssh.js';

describe('k6 runners', () => {
  it('give k6 the summary file, every --out and every --tag, the script last', () => {
    expect(
      k6RunArgs('a.js', 'a.summary.json', {
        binary: 'k6',
        outputs: ['json=raw.json', 'experimental-prometheus-rw'],
        tags: { site: 'lab', run: 'r 1' },
      }),
    ).toEqual([
      'run',
      '--quiet',
      '--no-color',
      '--summary-export',
      'a.summary.json',
      '--out',
      'json=raw.json',
      '--out',
      'experimental-prometheus-rw',
      '--tag',
      'site=lab',
      '--tag',
      'run=r 1',
      'a.js',
    ]);
  });

  it('print host key fingerprints as ssh-keygen -lf does', () => {
    // sha256 of the bytes "abc", base64 without padding.
    expect(sshFingerprint(Buffer.from('abc'))).toBe('SHA256:ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0');
  });
});
