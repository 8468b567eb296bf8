import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../core/errors.js';

export interface Credentials {
  username: string;
  password: string;
}

/**
 * Reads an auth file: one line `username:password` (the password may hold ':'), as OpenFaaS's
 * basic-auth-user and basic-auth-password secrets joined by a colon.
 */
export function readAuthFile(file: string): Credentials {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [{ field: '', message: `cannot read file: ${(err as Error).message}` }]);
  }
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  const colon = line.indexOf(':');
  if (colon <= 0 || colon === line.trimEnd().length - 1) {
    throw new ConfigError(file, [
      { field: 'username:password', message: 'expected one line "username:password"' },
    ]);
  }
  return { username: line.slice(0, colon), password: line.slice(colon + 1).trimEnd() };
}

/** Checks an Authorization header against the credentials, in constant time. */
export function checkBasicAuth(header: string | undefined, expected: Credentials): boolean {
  if (!header?.startsWith('Basic ')) return false;
  const given = Buffer.from(header.slice(6), 'base64');
  const want = Buffer.from(`${expected.username}:${expected.password}`);
  return given.length === want.length && timingSafeEqual(given, want);
}
