/**
 * A stand-in for the lab functions, for the experiments' unit tests: an HTTP server on loopback
 * that answers each call the way the test says (status, instance, latency, fields), in the lab
 * functions' JSON contract, nested calls included; and a virtual time whose waits pass at once.
 * The real lab functions on the embedded platform are tested in test/integration/.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Benchmarker } from '../../src/bench/benchmarker.js';
import { type ContextOptions, experimentContext, type RecordingContext } from '../../src/bench/context.js';
import type { ScaledTime } from '../../src/bench/experiments/contract.js';
import { type BenchProvider, openfaasProvider } from '../../src/bench/providers.js';

export interface FakeCall {
  fn: string;
  body: Record<string, unknown>;
  /** This function's call count, from 1. */
  n: number;
  /** All calls' count, from 1 (identifiers stay unique when a test empties `calls`). */
  total: number;
}

export interface FakeAnswer {
  /** An HTTP status other than 200 answers an error. */
  status?: number;
  instance?: string;
  /** Seconds between the call and the function's execution_start. */
  latency?: number;
  /** Fields added to the root entry. */
  fields?: Record<string, unknown>;
  /** Instance and latency of each nested call's entry (one per `invoke_nested` item). */
  nested?: { instance?: string; latency?: number }[];
}

export interface FakeLab {
  provider: BenchProvider;
  calls: FakeCall[];
  close(): Promise<void>;
}

export async function startFakeLab(
  answer: (call: FakeCall) => FakeAnswer | Promise<FakeAnswer> = () => ({}),
): Promise<FakeLab> {
  const calls: FakeCall[] = [];
  const perFunction = new Map<string, number>();
  let served = 0;
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', async () => {
      const fn = decodeURIComponent(String(req.url).replace(/^\/function\//, ''));
      const n = (perFunction.get(fn) ?? 0) + 1;
      perFunction.set(fn, n);
      const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
      const call = { fn, body, n, total: ++served };
      calls.push(call);
      const a = await answer(call);
      if (a.status && a.status !== 200) return res.writeHead(a.status).end('failed');
      const now = Date.now() / 1000;
      const id = `${fn}-${call.total}`;
      const entry = (identifier: string, name: string, level: number, instance: string, latency: number) => ({
        identifier,
        uuid: identifier,
        function_name: name,
        function_cores: 2,
        parent: level === 0 ? 'root' : id,
        level,
        sleep: Number(body.sleep ?? 0),
        throughput: 1000,
        throughput_time: body.throughput_time ?? null,
        instance_identifier: instance,
        memory: 1,
        process_time: 0.01,
        execution_start: now + latency,
        execution_end: now + latency + 0.01,
      });
      const out: Record<string, unknown> = {
        [id]: { ...entry(id, fn, 0, a.instance ?? 'instance-1', a.latency ?? 0), ...a.fields },
        root_identifier: id,
      };
      const nested = (body.invoke_nested ?? []) as { function_name: string }[];
      nested.forEach((call, i) => {
        const nestedId = `${call.function_name}-${id}-${i}`;
        const spec = a.nested?.[i] ?? {};
        out[nestedId] = {
          ...entry(nestedId, call.function_name, 1, spec.instance ?? 'nested-1', spec.latency ?? 0),
          invocation_start: now,
          invocation_end: now + (spec.latency ?? 0) + 0.01,
        };
      });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(out));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    provider: { ...openfaasProvider(url), notReady: new Set() },
    calls,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Virtual time: a wait advances it at once, and is kept. */
export function virtualTime(): ScaledTime & { waits: number[] } {
  let t = 0;
  const waits: number[] = [];
  return {
    waits,
    nowSeconds: () => t,
    wait: async (s) => {
      waits.push(s);
      t += s;
    },
  };
}

/** A context on `provider` with virtual time (the experiments' unit tests). */
export function virtualContext(
  provider: BenchProvider,
  options: Partial<ContextOptions> = {},
): RecordingContext & { time: ReturnType<typeof virtualTime> } {
  const time = virtualTime();
  const ctx = experimentContext({
    bench: new Benchmarker({ provider, retryForMs: 0 }),
    provider,
    time,
    ...options,
  });
  return { ...ctx, time };
}

/** A context on `lab` with virtual time. */
export function fakeContext(lab: FakeLab, options: Partial<ContextOptions> = {}) {
  return virtualContext(lab.provider, options);
}
