/**
 * The lab functions for benchmarking FaaS platforms: faas-benchmarker's function1/2/3 (one code,
 * three names) and monolith, with its JSON contract, plus SeBS's cold-start marker. A call
 * sleeps, spins a seeded busy loop, runs a monolith function, calls other functions through the
 * gateway, and answers one entry per call of its tree, flat, keyed by identifier
 * (docs/platform.md, "Lab functions").
 *
 * Runtime-neutral: the embedded platform's built-ins (builtins.ts) and the OpenFaaS template
 * (deploy/openfaas/lab-functions/, which runs the compiled file as it is) both wrap it. So it
 * imports only node built-ins, core/random and functions/handler.
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism, cpus, hostname, totalmem } from 'node:os';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { seededRandom } from '../../core/random.js';
import { HandlerInputError } from './handler.js';
import { type NestedCall, parseLabRequest } from './lab-request.js';
import { runMonolith } from './monolith.js';

export const LAB_FUNCTION_NAMES = ['function1', 'function2', 'function3', 'monolith'] as const;
export type LabFunctionName = (typeof LAB_FUNCTION_NAMES)[number];

export interface LabEntry {
  identifier: string;
  uuid: string;
  function_name: string;
  function_cores: number;
  parent: string;
  level: number;
  sleep: number;
  throughput: number;
  throughput_time: number | null;
  throughput_process_time: number | null;
  throughput_running_time: number | null;
  random_seed: number | null;
  instance_identifier: string;
  memory: number;
  cpu: string;
  process_time: number;
  execution_start: number;
  execution_end: number;
  is_cold: boolean;
  container_id: string;
  /** The monolith's. */
  function_argument?: number;
  seed?: number;
  function_called?: string;
  monolith_result?: string;
  /**
   * The monolith's matrix_mult: CPU seconds (process.cpuUsage) and wall seconds of building and
   * multiplying its matrices.
   */
  process_time_matrix?: number;
  running_time_matrix?: number;
  /** Set by the caller on a nested call's entry: when it sent the call and had the answer. */
  invocation_start?: number;
  invocation_end?: number;
}

/** Every entry of a call tree by identifier, and which one is the call answered. */
export type LabResponse = { root_identifier: string } & Record<string, LabEntry | string>;

/** One HTTP call to a function, by name: the gateway's `/function/NAME`. */
export type NestedInvoker = (
  functionName: string,
  payload: unknown,
) => Promise<{ status: number; body: string }>;

/** Calls functions through the gateway at `gatewayUrl()` (read at each call). */
export function gatewayInvoker(gatewayUrl: () => string | undefined, hint: string): NestedInvoker {
  return async (functionName, payload) => {
    const base = gatewayUrl();
    if (!base) throw new Error(`invoke_nested needs the gateway's URL: ${hint}`);
    const res = await fetch(`${base.replace(/\/+$/, '')}/function/${encodeURIComponent(functionName)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    return { status: res.status, body: await res.text() };
  };
}

/**
 * This process, for `instance_identifier`: stable while the replica lives, different for each
 * replica (the reference uses the container's IP and hostname; replicas here may share both).
 */
const INSTANCE_IDENTIFIER = `${hostname()}-${process.pid}-${Math.round(performance.timeOrigin)}`;

/** Where the throughput loop reads time: injectable, so tests count iterations without waiting. */
export interface LoopClock {
  /** Wall time, in seconds. */
  now(): number;
  /** This process's CPU time, in seconds. */
  cpu(): number;
}

const systemClock: LoopClock = {
  now: () => performance.now() / 1000,
  cpu: () => processSeconds(),
};

function processSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/**
 * The reference appends random numbers to a list for the whole time; at Node's pace 600 s of
 * that is tens of GB, so the numbers go round a fixed buffer: the same work per iteration (one
 * draw, one store) in constant memory.
 */
const RING_SIZE = 1 << 13;
/**
 * The loop lets the event loop run this often (seconds), so the replica keeps answering its
 * health probe, exec_timeout still fires, and calls on one replica share its CPU.
 */
const SLICE_SECONDS = 0.05;

/** Draws pseudo-random numbers, seeded with `seconds × 100`, for `seconds` of wall time. */
export async function throughputLoop(
  seconds: number,
  clock: LoopClock = systemClock,
): Promise<{ iterations: number; runningSeconds: number; processSeconds: number }> {
  const rng = seededRandom(seconds * 100);
  const ring = new Float64Array(RING_SIZE);
  const cpuStart = clock.cpu();
  const start = clock.now();
  let sliceEnd = start + SLICE_SECONDS;
  let iterations = 0;
  for (let t = start; t - start < seconds; t = clock.now()) {
    ring[iterations & (RING_SIZE - 1)] = rng();
    iterations++;
    if (t >= sliceEnd) {
      await yieldToEventLoop();
      sliceEnd = t + SLICE_SECONDS;
    }
  }
  return { iterations, runningSeconds: clock.now() - start, processSeconds: clock.cpu() - cpuStart };
}

export interface LabFunctionOptions {
  invoke: NestedInvoker;
  /** Default: the system's clocks. */
  clock?: LoopClock;
}

/**
 * One lab function, with its own cold marker (SeBS's rule: the first call this instance serves
 * is cold; `container_id` is drawn then and kept). Create it once per replica.
 */
export function createLabFunction(
  name: LabFunctionName,
  options: LabFunctionOptions,
): (input: unknown) => Promise<LabResponse> {
  let containerId: string | undefined;
  return async (input) => {
    const executionStart = Date.now() / 1000;
    const request = parseLabRequest(input, name === 'monolith');
    const isCold = containerId === undefined;
    containerId ??= randomUUID().slice(0, 8);
    const uuid = randomUUID();
    const identifier = `${name}-${uuid}`;

    if (request.sleep > 0) await new Promise((r) => setTimeout(r, request.sleep * 1000));
    const loop =
      request.throughputTime === undefined
        ? undefined
        : await throughputLoop(request.throughputTime, options.clock);
    const entry: LabEntry = {
      identifier,
      uuid,
      function_name: name,
      function_cores: availableParallelism(),
      parent: request.parent,
      level: request.level,
      sleep: request.sleep,
      throughput: loop?.iterations ?? 0,
      throughput_time: request.throughputTime ?? null,
      throughput_process_time: loop?.processSeconds ?? null,
      throughput_running_time: loop?.runningSeconds ?? null,
      random_seed: request.throughputTime === undefined ? null : request.throughputTime * 100,
      instance_identifier: INSTANCE_IDENTIFIER,
      memory: totalmem(),
      cpu: cpus()[0]?.model ?? 'unknown',
      process_time: 0,
      execution_start: executionStart,
      execution_end: 0,
      is_cold: isCold,
      container_id: containerId,
    };
    if (request.monolith) {
      const { plan, args, seed } = request.monolith;
      entry.function_argument = args;
      entry.seed = seed;
      entry.function_called = plan.name;
      // monolith_result, cut to 100 characters; matrix_mult's process_time_matrix and running_time_matrix.
      Object.assign(entry, runMonolith(plan));
    }
    const response = { root_identifier: identifier, [identifier]: entry } as LabResponse;
    for (const [i, call] of request.invokeNested.entries()) {
      Object.assign(response, await callNested(options.invoke, call, i, identifier, request.level));
    }
    // Set last, so they cover the whole call, nested calls included (as the reference's).
    entry.process_time = processSeconds();
    entry.execution_end = Date.now() / 1000;
    return response;
  };
}

/** One nested call; its entries, flat, without its root_identifier (the caller's stays). */
async function callNested(
  invoke: NestedInvoker,
  call: NestedCall,
  index: number,
  parent: string,
  level: number,
): Promise<Record<string, LabEntry>> {
  const field = `invoke_nested[${index}]`;
  // The callee is one level deeper than the level it is sent (faas-benchmarker's rule).
  const payload = { ...call.payload, parent, level };
  const invocationStart = Date.now() / 1000;
  const { status, body } = await invoke(call.functionName, payload);
  const invocationEnd = Date.now() / 1000;
  if (status === 404) {
    throw new HandlerInputError(`${field}.function_name: no function "${call.functionName}" at the gateway`);
  }
  if (status === 400) {
    throw new HandlerInputError(`${field}.invoke_payload: ${call.functionName} answered 400: ${body.trim()}`);
  }
  if (status < 200 || status > 299) {
    throw new Error(`${field}: ${call.functionName} answered ${status}: ${body.trim().slice(0, 500)}`);
  }
  const { root_identifier: root, ...entries } = parseNestedAnswer(body, field, call.functionName);
  Object.assign(entries[root] as LabEntry, {
    invocation_start: invocationStart,
    invocation_end: invocationEnd,
  });
  return entries as Record<string, LabEntry>;
}

function parseNestedAnswer(body: string, field: string, functionName: string): LabResponse {
  let answer: unknown;
  try {
    answer = JSON.parse(body);
  } catch {
    answer = undefined;
  }
  const root = (answer as Partial<LabResponse> | undefined)?.root_identifier;
  if (typeof root !== 'string' || typeof (answer as Record<string, unknown>)[root] !== 'object') {
    throw new Error(`${field}: ${functionName} is not a lab function (no root_identifier in its answer)`);
  }
  return answer as LabResponse;
}
