import { describe, expect, it } from 'vitest';
import { checkBasicAuth } from '../../../src/platform/embedded/basic-auth.js';

const creds = { username: 'admin', password: 'se:cret' };
const token = Buffer.from('admin:se:cret').toString('base64');

describe('basic auth', () => {
  it('accepts the credentials with the scheme in any case', () => {
    for (const scheme of ['Basic', 'basic', 'BASIC'])
      expect(checkBasicAuth(`${scheme} ${token}`, creds), scheme).toBe(true);
  });

  it('refuses anything but strict base64 of the exact credentials', () => {
    for (const header of [
      undefined,
      '',
      token,
      `Bearer ${token}`,
      `Basic ${token}!!`, // Node's decoder would skip the junk
      `Basic ${token.replace(/=+$/, '')}`, // padding dropped
      `Basic ${token.slice(0, 8)} ${token.slice(8)}`,
      `Basic ${Buffer.from('admin:se:cre').toString('base64')}`,
      `Basic ${Buffer.from('admin:se:cretX').toString('base64')}`,
    ])
      expect(checkBasicAuth(header, creds), String(header)).toBe(false);
  });
});
