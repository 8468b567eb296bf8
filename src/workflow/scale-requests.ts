/**
 * `dfaas workflow scale ±N` reaches a running `dfaas workflow run` through its queues: it pushes a
 * request on a dfaas key beside the reference's, the run's controller applies it between two looks
 * at the farm and answers on the reply key the request names.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Logger } from '../core/logger.js';
import type { ScaleOutcome } from './autoscale/contract.js';
import type { Queues } from './queues/contract.js';
import { safeJson } from './roles/control.js';

export const SCALE_REQUEST_KEY = 'dfaas:workflow:scale_requests';

const requestSchema = z.object({ id: z.string(), delta: z.number().int(), replyTo: z.string() });

export interface ScaleReply {
  id: string;
  requested: number;
  outcome?: ScaleOutcome;
  workers: number;
  error?: string;
}

/** What a farm offers a scale request. */
export interface Scalable {
  readonly workers: number;
  scaleUp(count: number): Promise<ScaleOutcome>;
  scaleDown(count: number): Promise<ScaleOutcome>;
}

/** The bounds of the reference: 1…32 workers. */
export const MIN_WORKERS = 1;
export const MAX_WORKERS = 32;

export async function applyScaleRequests(queues: Queues, farm: Scalable, logger: Logger): Promise<void> {
  for (
    let raw = await queues.pop(SCALE_REQUEST_KEY);
    raw !== null;
    raw = await queues.pop(SCALE_REQUEST_KEY)
  ) {
    const request = requestSchema.safeParse(safeJson(raw));
    if (!request.success) {
      logger.warn('dropped a malformed scale request', { message: raw });
      continue;
    }
    const { id, delta, replyTo } = request.data;
    const target = Math.min(MAX_WORKERS, Math.max(MIN_WORKERS, farm.workers + delta));
    const change = target - farm.workers;
    let reply: ScaleReply;
    try {
      const outcome =
        change > 0
          ? await farm.scaleUp(change)
          : change < 0
            ? await farm.scaleDown(-change)
            : { applied: 0, seconds: 0 };
      reply = { id, requested: delta, outcome, workers: farm.workers };
    } catch (err) {
      reply = { id, requested: delta, workers: farm.workers, error: (err as Error).message };
    }
    logger.info('scale request applied', { ...reply });
    await queues.push(replyTo, JSON.stringify(reply));
  }
}

/** Sends one request and waits for its reply; undefined when no run answered in time. */
export async function requestScale(
  queues: Queues,
  delta: number,
  timeoutMs: number,
): Promise<ScaleReply | undefined> {
  const id = randomUUID();
  const replyTo = `${SCALE_REQUEST_KEY}:reply:${id}`;
  await queues.push(SCALE_REQUEST_KEY, JSON.stringify({ id, delta, replyTo }));
  const deadline = performance.now() + timeoutMs;
  let raw: string | null = null;
  while (raw === null && performance.now() < deadline) {
    raw = await queues.popWait(replyTo, Math.min(10_000, deadline - performance.now()));
  }
  if (raw === null) {
    await queues.clear([SCALE_REQUEST_KEY]);
    return undefined;
  }
  return JSON.parse(raw) as ScaleReply;
}
