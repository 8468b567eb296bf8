/**
 * The farm's roles as one FaaS function handler: the embedded platform runs this module in a
 * replica (`dfaas.handler` annotation) and each asynchronous invocation runs one role until it
 * ends, as the reference's long-running OpenFaaS invocations do. The payload says which role,
 * where the queues are and what to play; the answer is the role's summary.
 */
import { type Handler, HandlerInputError } from '../../platform/functions/handler.js';
import { openQueues } from '../queues/index.js';
import { runClock } from './clock.js';
import { runCollector } from './collector.js';
import { safeJson } from './control.js';
import { type RoleDeps, runEmitter } from './emitter.js';
import { rolePayloadSchema } from './payload.js';
import { runWorker } from './worker.js';

const handler: Handler = async (req) => {
  const parsed = rolePayloadSchema.safeParse(safeJson(req.text()));
  if (!parsed.success) {
    throw new HandlerInputError(
      `invalid workflow payload: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const payload = parsed.data;
  const queues = await openQueues(payload.dfaas.queue_url);
  const deps: RoleDeps = {
    clock: runClock(payload.program_start_time),
    warn: (message) => console.error(message),
  };
  try {
    const role = payload.dfaas.role;
    const summary =
      role === 'emitter'
        ? await runEmitter(queues, payload, deps)
        : role === 'worker'
          ? await runWorker(queues, payload, deps)
          : await runCollector(queues, payload, deps);
    return { status: 200, body: summary };
  } finally {
    await queues.close();
  }
};

export default handler;
