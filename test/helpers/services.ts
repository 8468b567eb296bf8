import { existsSync } from 'node:fs';

/**
 * A Debian program an integration test needs (installed by .ci/run). Missing, the test is
 * skipped, unless DFAAS_REQUIRE_SERVICES=1 (as in CI), where a missing program fails the run.
 */
export function serviceBinary(path: string): string | undefined {
  if (existsSync(path)) return path;
  if (process.env.DFAAS_REQUIRE_SERVICES === '1') {
    throw new Error(`${path} is missing and DFAAS_REQUIRE_SERVICES=1: install it (see .ci/run)`);
  }
  return undefined;
}
