import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SamplerConfig } from '../config/sampler.js';
import type { Logger } from '../core/logger.js';
import { pollUntil } from '../core/poll.js';
import type { Platform } from '../platform/api.js';
import { PlatformError } from '../platform/errors.js';

/**
 * How the sweep's functions are put back in their first state before each run, so that a run
 * does not measure the heap its replicas grew under earlier load (node RAM would depend on the
 * sweep's history, not on the configuration):
 * - `scale-to-zero`: every function is scaled to 0 and back to the replica count it had when
 *   the sweep began, through the platform's API (on OpenFaaS, POST /system/scale-function); the
 *   new replicas start with fresh processes.
 * - `none`: not restored (asked so, a sweep resumed from before this option existed, or a target
 *   that refuses to scale: the reason is recorded).
 */
export type RestoreMethod = 'scale-to-zero' | 'none';

/** What run.json records of it. */
export interface RestoreRecord {
  method: RestoreMethod;
  /** Why `none`, in words. */
  reason?: string;
}

export interface FunctionRestorer {
  readonly record: RestoreRecord;
  /** Puts the functions back in their first state, each ready again; a no-op with `none`. */
  /** `signal`: Ctrl-C, which ends its waits at once. */
  restore(signal?: AbortSignal): Promise<void>;
}

export const noRestore = (reason: string): FunctionRestorer => ({
  record: { method: 'none', reason },
  restore: async () => {},
});

/** How long a function may take to reach 0 replicas, then to have its replicas ready again. */
const STEP_TIMEOUT_MS = 120_000;

/**
 * Restores through the platform's scale API. The replica counts to return to are read at the
 * first restore (after deployment, before any load). A gateway that refuses the first scale
 * (401, 403, or no scaling at all) turns restoring off for the sweep with one warning, recorded;
 * a failure after that stops the sweep (rerunning it resumes), since rows measured without a
 * restore would no longer match those before them.
 */
export function scaleToZeroRestorer(
  platform: Platform,
  names: readonly string[],
  logger: Logger,
  opts: { timeoutMs?: number } = {},
): FunctionRestorer {
  const timeoutMs = opts.timeoutMs ?? STEP_TIMEOUT_MS;
  let counts: Map<string, number> | undefined;
  const self: { record: RestoreRecord; restore(signal?: AbortSignal): Promise<void> } = {
    record: { method: 'scale-to-zero' },
    async restore(signal) {
      if (self.record.method === 'none') return;
      const firstRestore = counts === undefined;
      try {
        counts ??= await firstCounts(platform, names);
        await Promise.all(names.map((n) => platform.scale(n, 0)));
      } catch (err) {
        if (!firstRestore || !isRefusal(err)) throw err;
        self.record = { method: 'none', reason: `the gateway refused to scale: ${(err as Error).message}` };
        logger.warn(
          `functions are not restored between runs: ${self.record.reason} (give gateway_auth_file with the gateway's credentials)`,
        );
        return;
      }
      const first = counts;
      await Promise.all(
        names.map((n) => waitReplicas(platform, n, (s) => s.availableReplicas === 0, timeoutMs, signal)),
      );
      await Promise.all(names.map((n) => platform.scale(n, first.get(n) as number)));
      await Promise.all(
        names.map((n) =>
          waitReplicas(
            platform,
            n,
            (s) => s.availableReplicas >= (first.get(n) as number),
            timeoutMs,
            signal,
          ),
        ),
      );
    },
  };
  return self;
}

/** Each function's replica count before the sweep's first load (at least 1: a function that ran). */
async function firstCounts(platform: Platform, names: readonly string[]): Promise<Map<string, number>> {
  const statuses = await Promise.all(names.map((n) => platform.get(n)));
  return new Map(names.map((n, i) => [n, Math.max(1, statuses[i]?.replicas ?? 1)]));
}

/** A 4xx other than 404 to a scale request: the gateway does not let us scale (401, 403, 405). */
function isRefusal(err: unknown): err is PlatformError {
  return err instanceof PlatformError && err.status >= 400 && err.status < 500 && err.status !== 404;
}

async function waitReplicas(
  platform: Platform,
  name: string,
  ok: (s: { availableReplicas: number }) => boolean,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  await pollUntil(async () => ok({ availableReplicas: (await platform.get(name)).availableReplicas ?? 0 }), {
    timeoutMs,
    signal,
    everyMs: 100,
    what: `${name} to be restored (scaled to zero and back)`,
  });
}

/**
 * How the sweep in `dir` restores its functions. restore_functions decides when given; left out,
 * a new sweep restores, and one resumed from a run.json that recorded no restore (written before
 * dfaas had the option) does not, so its rows are all measured the same way.
 */
export function chooseRestorer(
  config: Pick<SamplerConfig, 'restore_functions' | 'functions'>,
  dir: string,
  api: Platform | undefined,
  logger: Logger,
): FunctionRestorer {
  if (config.restore_functions === false) return noRestore('restore_functions: false');
  if (config.restore_functions === undefined && startedWithoutRestore(dir)) {
    logger.info(
      'functions are not restored between runs: this sweep began without (set restore_functions to choose)',
    );
    return noRestore('resumed a sweep that began without restoring');
  }
  if (!api) return noRestore('no platform API to restore through');
  return scaleToZeroRestorer(
    api,
    config.functions.map((f) => f.name),
    logger,
  );
}

/** A run.json of an earlier session of this sweep that has no `restore` record. */
function startedWithoutRestore(dir: string): boolean {
  const path = join(dir, 'run.json');
  if (!existsSync(path) || !existsSync(join(dir, 'results.csv'))) return false;
  try {
    return !('restore' in (JSON.parse(readFileSync(path, 'utf8')) as object));
  } catch {
    return false;
  }
}

/**
 * The replicas each function keeps when idle, which cooldown waits for: its
 * `com.openfaas.scale.min` label, or 1 when it has none, it is not a whole number, or the gateway
 * does not say (a refused /system call: restoring warns about the credentials).
 */
export async function replicaFloors(
  platform: Platform,
  names: readonly string[],
): Promise<Record<string, number>> {
  const floors: Record<string, number> = {};
  for (const name of names) {
    const label = await platform.get(name).then(
      (s) => s.labels?.['com.openfaas.scale.min'],
      (err: unknown) => {
        if (isRefusal(err)) return undefined;
        throw err;
      },
    );
    const min = Number(label);
    floors[name] = label !== undefined && Number.isInteger(min) && min >= 1 ? min : 1;
  }
  return floors;
}
