import { existsSync } from 'node:fs';

const reported = new Set<string>();

/**
 * A Debian program an integration test needs (installed by .ci/run). Missing, the test is
 * skipped and the reason printed (once per program and test file), unless
 * DFAAS_REQUIRE_SERVICES=1 (as in CI), where a missing program fails the run.
 */
export function serviceBinary(path: string): string | undefined {
  if (existsSync(path)) return path;
  if (process.env.DFAAS_REQUIRE_SERVICES === '1') {
    throw new Error(`${path} is missing and DFAAS_REQUIRE_SERVICES=1: install it (see .ci/run)`);
  }
  if (!reported.has(path)) {
    reported.add(path);
    console.warn(`skipping the tests that need ${path}: it is not installed (.ci/run installs it)`);
  }
  return undefined;
}
