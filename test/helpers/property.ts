import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { DfaasError, ExitCode } from '../../src/core/errors.js';

/**
 * Settings shared by the property tests (test/property/). The seed is fixed so that a run, and a
 * failure, is the same on every machine; fast-check prints the seed and the shrunk counterexample
 * of a failure. To explore other inputs locally: DFAAS_PROPERTY_SEED=<integer> picks another seed,
 * DFAAS_PROPERTY_RUNS=<factor> multiplies every test's number of runs (keep the suite's default
 * small: each file stays within a few seconds of the unit tier).
 */
const SEED = Number(process.env.DFAAS_PROPERTY_SEED ?? 20_251_104);
const RUNS_FACTOR = Number(process.env.DFAAS_PROPERTY_RUNS ?? 1);

/** fast-check parameters for one property: `numRuns` runs (times DFAAS_PROPERTY_RUNS), from the shared seed. */
export function runs(numRuns: number): { numRuns: number; seed: number } {
  return { numRuns: Math.max(1, Math.round(numRuns * RUNS_FACTOR)), seed: SEED };
}

/**
 * What every bad-input error of dfaas must be: a DfaasError with its stable code, exit code 2
 * (bad input) and HTTP 400, whose message names where the input came from. Throws an assertion
 * error describing the mismatch (an uncoded exception is re-thrown as it is, so its stack shows).
 */
export function expectBadInput(err: unknown, code: string, source: string): asserts err is DfaasError {
  if (!(err instanceof DfaasError)) throw err;
  if (err.code !== code) throw new Error(`expected code ${code}, got ${err.code}: ${err.message}`);
  if (err.exitCode !== ExitCode.badInput) throw new Error(`expected exit code 2, got ${err.exitCode}`);
  if (err.status !== 400) throw new Error(`expected HTTP status 400, got ${err.status}`);
  if (!err.message.startsWith(source))
    throw new Error(`message does not start with ${source}: ${err.message}`);
}

/** A temporary folder for one test file, with a helper that writes a new file in it. */
export function scratchDir(prefix: string): {
  dir: string;
  write(name: string, data: string | Uint8Array): string;
  remove(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), `dfaas-${prefix}-`));
  let n = 0;
  return {
    dir,
    write(name, data) {
      const path = join(dir, `${n++}-${name}`);
      writeFileSync(path, data);
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Function names as OpenFaaS accepts them (DNS-1123 labels, FunctionNameSchema). */
export const functionName = (): fc.Arbitrary<string> =>
  fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,14}[a-z0-9])?$/);
