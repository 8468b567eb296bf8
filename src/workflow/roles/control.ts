/**
 * The control messages the controller and the roles exchange (reference shapes, messages.ts) and
 * the check every role makes between two units of work.
 */
import { type ControlSyn, controlSynSchema, type StartMessage } from '../messages.js';
import type { Queues } from '../queues/contract.js';
import { processingKey } from '../queues/keys.js';

export function startMessage(podName: string, functionName: string, message: string): StartMessage {
  return {
    type: 'START',
    action: 'SYNC',
    start_timestamp: new Date().toISOString(),
    pod_name: podName,
    message,
    function_name: functionName,
    pid: process.pid,
  };
}

export function synMessage(type: ControlSyn['type'], message: string): ControlSyn {
  return { type, action: 'SYN', message, SYN_timestamp: new Date().toISOString() };
}

/**
 * Pops one control message of `type` from `key`, or null when there is none. A message of
 * another type or shape is reported and dropped: on dfaas's separate keys it cannot be one the
 * role should have acted on.
 */
export async function popControl(
  queues: Queues,
  key: string,
  type: ControlSyn['type'],
  onStray: (raw: string) => void,
): Promise<ControlSyn | null> {
  const raw = await queues.pop(key);
  if (raw === null) return null;
  const parsed = controlSynSchema.safeParse(safeJson(raw));
  if (parsed.success && parsed.data.type === type) return parsed.data;
  onStray(raw);
  return null;
}

export function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/**
 * The next message for a consumer that holds none: first anything already in its own processing
 * list (a take whose reply was lost when the connection dropped, and which the client sent again:
 * the message moved but never arrived; the consumer renews its lease, so no reclaim would free
 * it), then a fresh take.
 */
export async function takeNext(
  queues: Queues,
  key: string,
  consumer: string,
  timeoutMs: number,
  leaseMs: number,
): Promise<string | null> {
  const held = await queues.range(processingKey(key, consumer));
  return held.at(-1) ?? queues.take(key, consumer, timeoutMs, leaseMs);
}
