import { afterEach, describe, expect, it } from 'vitest';
import { pollUntil } from '../../src/core/poll.js';
import { type FarmEngines, openFarmEngines } from '../../src/workflow/engines.js';
import { LiveFarm } from '../../src/workflow/farm.js';
import { DEFAULT_QUEUE_NAMES, outputRecordSchema } from '../../src/workflow/messages.js';
import { processingKey } from '../../src/workflow/queues/keys.js';
import { defaultWorkload } from '../../src/workflow/workload/phases.js';
import { redisBinary, startRedis } from '../helpers/redis.js';

/**
 * The farm loses no task: a worker SIGKILLed in the middle of a task leaves it in its processing
 * list, its lease runs out, the controller puts it back and another worker processes it; Redis
 * restarted mid-run (append-only file, fsync always) comes back with every queue, and the run
 * completes. Either way every task is collected exactly once.
 */
const names = DEFAULT_QUEUE_NAMES;
let engines: FarmEngines | undefined;
let farm: LiveFarm | undefined;
afterEach(async () => {
  await farm?.stop().catch(() => {});
  await engines?.close();
  farm = undefined;
  engines = undefined;
});

async function startFarm(queue: string, tasks: number, workers: number): Promise<LiveFarm> {
  engines = await openFarmEngines({ queue, maxWorkers: 8 });
  farm = await LiveFarm.start({
    platform: engines.platform,
    queues: engines.queues,
    roleQueueUrl: engines.roleQueueUrl,
    names: { ...names },
    workload: { ...defaultWorkload(7), maxTasks: tasks },
    initialWorkers: workers,
    timeScale: 4,
    work: 'sleep',
    leaseMs: 1_500,
    pollMs: 100,
    startTimeoutMs: 30_000,
    ackTimeoutMs: 10_000,
  });
  return farm;
}

/** Every task of the run collected, each once; resolves with the collected ids. */
async function allCollectedOnce(f: LiveFarm, e: FarmEngines): Promise<string[]> {
  await pollUntil(async () => (await f.snapshot()).collected.length >= f.expectedTasks || undefined, {
    timeoutMs: 90_000,
    everyMs: 200,
    what: 'every task collected',
  });
  const records = (await e.queues.range(names.output_queue_name)).map((r) =>
    outputRecordSchema.parse(JSON.parse(r)),
  );
  const ids = records.map((r) => r.task_id);
  expect(ids).toHaveLength(f.expectedTasks);
  expect(new Set(ids).size).toBe(ids.length);
  return ids;
}

describe('workflow faults', () => {
  it('a worker killed mid-task: another worker processes its task, collected exactly once', async () => {
    const f = await startFarm('embedded', 30, 3);
    const e = engines as FarmEngines;
    // Find a worker holding a task (its processing list is not empty) and kill it there.
    const [victim, taskRaw] = await pollUntil(
      async () => {
        for (const [name, pid] of f.workerProcesses()) {
          if (pid === undefined) continue;
          const held = await e.queues.range(processingKey(names.worker_queue_name, `${name}-${pid}`));
          if (held.length > 0) return [pid, held[0] as string] as const;
        }
        return undefined;
      },
      { timeoutMs: 30_000, everyMs: 5, what: 'a worker in the middle of a task' },
    );
    process.kill(victim, 'SIGKILL');
    const killedTask = (JSON.parse(taskRaw) as { task_id: string }).task_id;
    const ids = await allCollectedOnce(f, e);
    expect(ids).toContain(killedTask);
    expect(f.reclaimedTasks).toBeGreaterThanOrEqual(1);
  }, 120_000);

  const redis = redisBinary();
  it.runIf(redis)(
    'Redis restarted mid-run (persistence on): the run completes, every task collected once',
    async () => {
      const server = await startRedis({ persistence: true });
      try {
        const f = await startFarm(server.url, 60, 4);
        const e = engines as FarmEngines;
        await pollUntil(async () => (await f.snapshot()).collected.length >= 15 || undefined, {
          timeoutMs: 60_000,
          everyMs: 100,
          what: '15 tasks collected before the restart',
        });
        await server.restart();
        await allCollectedOnce(f, e);
      } finally {
        await farm?.stop().catch(() => {});
        await engines?.close();
        farm = undefined;
        engines = undefined;
        await server.stop();
      }
    },
    150_000,
  );
});
