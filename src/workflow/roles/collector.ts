/**
 * The collector: pops results, judges each task's QoS (collected within its deadline counted from
 * generation) and pushes the output record. A task can reach it twice (a worker whose lease ran out
 * finished anyway, after another worker had taken the task again): it is counted once, by
 * `task_id`, including across a restart of the collector (it reads the output queue first). Results
 * are taken reliably (into its processing list, completed once the record is pushed).
 */
import { outputRecord, outputRecordSchema, resultSchema } from '../messages.js';
import type { Queues } from '../queues/contract.js';
import { popControl, safeJson, startMessage, takeNext } from './control.js';
import type { RoleDeps } from './emitter.js';
import { queueNamesOf, type RolePayload } from './payload.js';

export interface CollectorSummary {
  role: 'collector';
  collected: number;
  duplicates: number;
}

export async function runCollector(
  queues: Queues,
  payload: RolePayload,
  deps: RoleDeps,
): Promise<CollectorSummary> {
  const names = queueNamesOf(payload);
  const seen = new Set<string>();
  for (const raw of await queues.range(names.output_queue_name)) {
    const record = outputRecordSchema.safeParse(safeJson(raw));
    if (record.success) seen.add(record.data.task_id);
  }
  await queues.push(
    names.collector_start_queue_name,
    JSON.stringify(startMessage(`collector-${process.pid}`, payload.dfaas.function_name, 'collector ready')),
  );
  // Results are taken reliably too: one lost between a pop and its reply (a Redis restart) comes back.
  const consumer = `collector-${process.pid}`;
  let collected = 0;
  let duplicates = 0;
  const stray = (raw: string) => deps.warn(`collector dropped a stray control message: ${raw}`);
  for (;;) {
    if (deps.signal?.aborted) break;
    if (await popControl(queues, names.collector_control_syn_queue_name, 'TERMINATE', stray)) break;
    const raw = await takeNext(
      queues,
      names.result_queue_name,
      consumer,
      payload.dfaas.poll_ms,
      payload.dfaas.lease_ms,
    );
    if (raw === null) continue;
    const result = resultSchema.safeParse(safeJson(raw));
    if (!result.success) deps.warn(`collector dropped a malformed result: ${raw}`);
    else if (seen.has(result.data.task_id)) duplicates += 1;
    else {
      seen.add(result.data.task_id);
      await queues.push(names.output_queue_name, JSON.stringify(outputRecord(result.data, deps.clock.now())));
      collected += 1;
    }
    await queues.complete(names.result_queue_name, consumer, raw);
  }
  return { role: 'collector', collected, duplicates };
}
