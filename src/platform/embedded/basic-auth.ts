import { timingSafeEqual } from 'node:crypto';
import { ConfigError } from '../../core/errors.js';
import { readInputFile } from '../../core/files.js';

export interface Credentials {
  username: string;
  password: string;
}

/**
 * Reads an auth file: one line `username:password` (the password may hold ':'), as OpenFaaS's
 * basic-auth-user and basic-auth-password secrets joined by a colon.
 */
export function readAuthFile(file: string): Credentials {
  const text = readInputFile(file);
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  const colon = line.indexOf(':');
  if (colon <= 0 || colon === line.trimEnd().length - 1) {
    throw new ConfigError(file, [
      { field: 'username:password', message: 'expected one line "username:password"' },
    ]);
  }
  return { username: line.slice(0, colon), password: line.slice(colon + 1).trimEnd() };
}

/** `Basic <token>`, the scheme in any case (RFC 9110: schemes are case-insensitive). */
const BASIC = /^basic +([A-Za-z0-9+/]+={0,2})$/i;

/**
 * Checks an Authorization header against the credentials, in constant time. The token must be
 * strict base64 (Node's decoder skips characters it does not know and accepts a missing padding,
 * so "YWRtaW46c2VjcmV0!!" would pass as "admin:secret").
 */
export function checkBasicAuth(header: string | undefined, expected: Credentials): boolean {
  const token = header === undefined ? undefined : BASIC.exec(header.trim())?.[1];
  if (token === undefined || token.length % 4 !== 0) return false;
  const given = Buffer.from(token, 'base64');
  const want = Buffer.from(`${expected.username}:${expected.password}`);
  return given.length === want.length && timingSafeEqual(given, want);
}
