import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/embedded-gateway.js';
import { type Footprint, footprint, MiB, processAgeMs } from '../helpers/process-stats.js';
import { alive, waitFor } from '../helpers/wait.js';

/**
 * A bounded soak of the embedded gateway, in-process on loopback: 30 s of mixed load (sync calls
 * of a few sizes, async calls, scaling, deploying and removing a function) on a function whose
 * replicas are SIGKILLed every few seconds. It checks that the gateway does not leak (memory, file
 * descriptors), that every request is answered and only those a kill could hit fail, and that the
 * function ends with its replicas. Rates and latencies are never asserted (perf/ measures them).
 */

const FN = 'echo';
const REPLICAS = 3;
/** Deployed and removed again and again by the operations worker. */
const CHURN = 'churn';

/** 30 s of load: WARMUP_MS before the baseline reading, LOAD_MS after it. */
const WARMUP_MS = 5_000;
const LOAD_MS = 25_000;
/** Paced callers (at most 1000 / period calls per second each), so the soak leaves CPU to other tests. */
const SYNC_WORKERS = 6;
const SYNC_PERIOD_MS = 25;
const ASYNC_PERIOD_MS = 50;
const OPS_PERIOD_MS = 2_500;
const SCALE_EVERY = 3;
/** And bounded by count too, whatever the clock does. */
const MAX_CALLS_PER_WORKER = 5_000;
/** Bodies of a few sizes; the echo function answers each with itself. */
const BODIES = [0, 100, 10_000, 100_000].map((n) => randomBytes(n));
/** A call not answered within this is lost. */
const REQUEST_TIMEOUT_MS = 15_000;

/**
 * Only replicas older than this are killed: the platform treats a death within 10 s of the start
 * as a crash loop and delays the restart (CRASH_LOOP_WINDOW_MS in src/platform/embedded/function.ts);
 * this test is about leaks and lost requests, not that backoff.
 */
const MIN_VICTIM_AGE_MS = 10_500;
const KILL_GAP_MS = 3_000;

/** Growth allowed from the baseline to the end, both read after a GC with the same replicas running. */
const RSS_GROWTH = 64 * MiB;
const RSS_GROWTH_WITHOUT_GC = 128 * MiB;
const FD_GROWTH = 32;

interface Call {
  kind: 'sync' | 'async' | 'op';
  what: string;
  startedAt: number;
  endedAt: number;
  status?: number;
  /** A call that got no answer (the connection failed, it timed out) or a wrong one (another body). */
  error?: string;
}

interface Kill {
  pid: number;
  killedAt: number;
  /** When the platform had seen the death (the pid left replicaPids). */
  seenAt?: number;
  /** Sync calls in flight at the kill. */
  inflight: number;
}

interface Callback {
  status: number;
  arrivedAt: number;
  /** From the call being queued to its result (X-Duration-Seconds). */
  seconds: number;
}

let gw: TestGateway;
const agent = new Agent({ connections: SYNC_WORKERS + 4 });
const calls: Call[] = [];
const kills: Kill[] = [];
/** Accepted async calls, by call id, and the callbacks their results came in. */
const accepted = new Set<string>();
const callbacks = new Map<string, Callback>();
const callbackServer = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    callbacks.set(String(req.headers['x-call-id']), {
      status: Number(req.headers['x-function-status']),
      arrivedAt: performance.now(),
      seconds: Number(req.headers['x-duration-seconds']),
    });
    res.end();
  });
});
let callbackUrl = '';
let syncInflight = 0;

beforeAll(async () => {
  await new Promise<void>((r) => callbackServer.listen(0, '127.0.0.1', r));
  callbackUrl = `http://127.0.0.1:${(callbackServer.address() as AddressInfo).port}/done`;
  gw = await startTestGateway({
    deployments: [
      { service: FN, image: 'dfaas/echo', labels: { 'com.openfaas.scale.min': String(REPLICAS) } },
    ],
  });
  await waitForReplicas();
});
afterAll(async () => {
  await gw?.close();
  await agent.close();
  await new Promise<void>((r) => callbackServer.close(() => r()));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

async function waitForReplicas(): Promise<void> {
  await waitFor(
    `${REPLICAS} ready replicas of ${FN}`,
    async () => {
      const status = await gw.client.get(FN);
      return status.replicas === REPLICAS && status.availableReplicas === REPLICAS;
    },
    20_000,
  );
}

/** Runs one call, recording when it ran and its status, or why it got none. */
async function track(kind: Call['kind'], what: string, send: () => Promise<number>): Promise<void> {
  const call: Call = { kind, what, startedAt: performance.now(), endedAt: 0 };
  calls.push(call);
  if (kind === 'sync') syncInflight++;
  try {
    call.status = await send();
  } catch (err) {
    call.error = (err as Error).message;
  } finally {
    call.endedAt = performance.now();
    if (kind === 'sync') syncInflight--;
  }
}

async function http(
  method: 'POST' | 'DELETE',
  path: string,
  body: Buffer | string,
  headers: Record<string, string> = {},
) {
  return request(`${gw.url}${path}`, {
    method,
    body,
    headers,
    dispatcher: agent,
    headersTimeout: REQUEST_TIMEOUT_MS,
    bodyTimeout: REQUEST_TIMEOUT_MS,
  });
}

/** The status of a control call or an invocation whose body does not matter. */
async function statusOf(method: 'POST' | 'DELETE', path: string, body: unknown): Promise<number> {
  const res = await http(method, path, typeof body === 'string' ? body : JSON.stringify(body));
  await res.body.dump();
  return res.statusCode;
}

async function syncWorker(worker: number, deadline: number): Promise<void> {
  for (let i = 0; i < MAX_CALLS_PER_WORKER && performance.now() < deadline; i++) {
    const next = performance.now() + SYNC_PERIOD_MS;
    const body = BODIES[(worker + i) % BODIES.length] as Buffer;
    await track('sync', `POST /function/${FN} with ${body.length} B`, async () => {
      const res = await http('POST', `/function/${FN}`, body);
      const answer = Buffer.from(await res.body.arrayBuffer());
      if (res.statusCode === 200 && !answer.equals(body))
        throw new Error(`200 with another body (${answer.length} B for ${body.length} B)`);
      return res.statusCode;
    });
    await sleep(next - performance.now());
  }
}

async function asyncWorker(deadline: number): Promise<void> {
  for (let i = 0; i < MAX_CALLS_PER_WORKER && performance.now() < deadline; i++) {
    const next = performance.now() + ASYNC_PERIOD_MS;
    await track('async', `POST /async-function/${FN}`, async () => {
      const res = await http('POST', `/async-function/${FN}`, BODIES[1] as Buffer, {
        'x-callback-url': callbackUrl,
      });
      await res.body.dump();
      if (res.statusCode === 202) accepted.add(String(res.headers['x-call-id']));
      return res.statusCode;
    });
    await sleep(next - performance.now());
  }
}

/**
 * Deploys CHURN, calls it and removes it, every OPS_PERIOD_MS; every SCALE_EVERY rounds scales FN
 * to REPLICAS - 1 or back (not more often: each scale-up brings a young replica, too young to kill).
 * Ends with FN at REPLICAS.
 */
async function opsWorker(deadline: number): Promise<void> {
  for (let i = 0; i < MAX_CALLS_PER_WORKER && performance.now() < deadline; i++) {
    if (i % SCALE_EVERY === 0) {
      const replicas = (i / SCALE_EVERY) % 2 === 0 ? REPLICAS - 1 : REPLICAS;
      await track('op', `scale ${FN} to ${replicas}`, () =>
        statusOf('POST', `/system/scale-function/${FN}`, { serviceName: FN, replicas }),
      );
    }
    await track('op', `deploy ${CHURN}`, () =>
      statusOf('POST', '/system/functions', { service: CHURN, image: 'dfaas/echo' }),
    );
    await track('op', `call ${CHURN}`, () => statusOf('POST', `/function/${CHURN}`, 'hello'));
    await track('op', `remove ${CHURN}`, () =>
      statusOf('DELETE', '/system/functions', { functionName: CHURN }),
    );
    await sleep(Math.min(OPS_PERIOD_MS, deadline - performance.now()));
  }
  await track('op', `scale ${FN} to ${REPLICAS}`, () =>
    statusOf('POST', `/system/scale-function/${FN}`, { serviceName: FN, replicas: REPLICAS }),
  );
}

/** SIGKILLs the oldest replica of FN old enough, at most one every KILL_GAP_MS. */
async function killer(deadline: number): Promise<void> {
  let lastKill = Number.NEGATIVE_INFINITY;
  while (performance.now() < deadline) {
    const pids = gw.platform.replicaPids(FN);
    const aged = pids.map((pid) => ({ pid, age: processAgeMs(pid) ?? 0 })).sort((a, b) => b.age - a.age);
    const victim = aged[0];
    if (
      victim &&
      victim.age >= MIN_VICTIM_AGE_MS &&
      pids.length >= 2 &&
      performance.now() - lastKill >= KILL_GAP_MS
    ) {
      const kill: Kill = { pid: victim.pid, killedAt: performance.now(), inflight: syncInflight };
      kills.push(kill);
      process.kill(victim.pid, 'SIGKILL');
      lastKill = kill.killedAt;
      try {
        await waitFor(
          `the platform to see replica ${victim.pid} die`,
          () => !gw.platform.replicaPids(FN).includes(victim.pid),
          5000,
        );
        kill.seenAt = performance.now();
      } catch {
        // Left without seenAt: the test fails on it below.
      }
    }
    await sleep(100);
  }
}

/** Runs every kind of load until `ms` from now, then waits for the workers to finish. */
async function load(ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  await Promise.all([
    ...Array.from({ length: SYNC_WORKERS }, (_, w) => syncWorker(w, deadline)),
    asyncWorker(deadline),
    opsWorker(deadline),
    killer(deadline),
  ]);
}

/** Waits for a quiet state comparable from one reading to the next: FN at its replicas, CHURN gone, async calls done. */
async function settledFootprint(): Promise<Footprint> {
  await waitForReplicas();
  await waitFor(`${CHURN} removed`, async () => !(await gw.client.list()).some((f) => f.name === CHURN));
  await waitFor(
    'a callback for every accepted async call',
    () => [...accepted].every((id) => callbacks.has(id)),
    15_000,
  );
  await sleep(300);
  return footprint();
}

describe('soak: the embedded gateway under mixed load while replicas are killed', () => {
  it('answers every request, fails only those a kill could hit, does not leak, and ends with its replicas', async () => {
    await load(WARMUP_MS);
    const before = await settledFootprint();
    const killsBefore = kills.length;
    await load(LOAD_MS);
    const after = await settledFootprint();

    const sync = calls.filter((c) => c.kind === 'sync');
    const syncFailed = sync.filter((c) => c.status !== 200);
    const asyncFailed = [...callbacks.values()].filter((c) => c.status !== 200);
    const collected = before.collected && after.collected;
    const mib = (n: number) => (n / MiB).toFixed(0);
    const count = (kind: Call['kind']) => calls.filter((c) => c.kind === kind).length;
    // Printed before the checks, so a failing run shows it too.
    console.log(
      `soak: ${calls.length} requests (${sync.length} sync, ${count('async')} async, ${count('op')} operations), ` +
        `${syncFailed.length} sync and ${asyncFailed.length} async failed, ` +
        `${kills.length} kills (${kills.length - killsBefore} after the baseline; ${kills.reduce((n, k) => n + k.inflight, 0)} calls in flight at them), ` +
        `RSS ${mib(before.rssBytes)} -> ${mib(after.rssBytes)} MiB, heap ${mib(before.heapUsedBytes)} -> ${mib(after.heapUsedBytes)} MiB, ` +
        `fds ${before.fds} -> ${after.fds}${collected ? '' : ' (no forced GC)'}`,
    );

    // (iii) The function has its desired replicas (settledFootprint waited for them), each a live process.
    const pids = gw.platform.replicaPids(FN);
    expect(pids).toHaveLength(REPLICAS);
    expect(pids.every(alive)).toBe(true);

    // A kill can hit the calls in flight when it happens, and those routed to the dead replica
    // before the platform saw it die: the window from the kill to that moment.
    const windows = kills.map((k) => [k.killedAt, k.seenAt ?? Number.POSITIVE_INFINITY] as const);
    const inWindow = (start: number, end: number) => windows.some(([from, to]) => start <= to && end >= from);
    const mayFail = (status: number | undefined, start: number, end: number) =>
      (status === 502 || status === 503) && inWindow(start, end);

    // (ii) Every request answered; the failures are 502/503, each overlaps a kill's window, and
    // there are no more of them than the calls in flight at the kills and started in the windows.
    expect(
      kills.filter((k) => k.seenAt === undefined),
      'kills the platform never saw',
    ).toEqual([]);
    expect(
      calls.filter((c) => c.error !== undefined),
      'calls without an answer, or with a wrong one',
    ).toEqual([]);
    expect(
      syncFailed.filter((c) => !mayFail(c.status, c.startedAt, c.endedAt)),
      'sync failures no kill explains',
    ).toEqual([]);
    const exposed = kills.reduce(
      (n, k) =>
        n +
        k.inflight +
        sync.filter((c) => c.startedAt > k.killedAt && c.startedAt <= (k.seenAt ?? 0)).length,
      0,
    );
    expect(syncFailed.length).toBeLessThanOrEqual(exposed);
    expect(
      calls.filter((c) => c.kind === 'async' && c.status !== 202),
      'async calls not accepted',
    ).toEqual([]);
    expect(
      asyncFailed.filter((c) => !mayFail(c.status, c.arrivedAt - c.seconds * 1000, c.arrivedAt)),
      'async results no kill explains',
    ).toEqual([]);
    expect(
      calls.filter((c) => c.kind === 'op' && !(c.status !== undefined && c.status >= 200 && c.status < 300)),
      'deploy, scale and remove operations that failed',
    ).toEqual([]);

    // (i) No leak: memory and descriptors after the load as after the warm-up.
    expect(after.rssBytes - before.rssBytes).toBeLessThanOrEqual(
      collected ? RSS_GROWTH : RSS_GROWTH_WITHOUT_GC,
    );
    expect(after.fds - before.fds).toBeLessThanOrEqual(FD_GROWTH);
  }, 50_000);
});
