/**
 * The real lab functions (src/platform/functions/lab.ts) behind a loopback HTTP server, in this
 * process, for the chain experiments' unit tests: nested calls of any depth go from function to
 * function in-process, each function has one replica until the test forces it cold (the next call
 * starts a new one, whose first answer has is_cold), and `tamper` lets a test break an answer.
 * Unlike test/bench/fake-lab.ts, whose answers the test writes, these are the contract's own.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ContextOptions } from '../../src/bench/context.js';
import { type BenchProvider, openfaasProvider } from '../../src/bench/providers.js';
import { HandlerInputError } from '../../src/platform/functions/handler.js';
import {
  createLabFunction,
  LAB_FUNCTION_NAMES,
  type LabFunctionName,
  type LabResponse,
} from '../../src/platform/functions/lab.js';
import { virtualContext } from './fake-lab.js';

export interface LabCall {
  fn: string;
  body: Record<string, unknown>;
  /** Whether the client called it, or another function. */
  from: 'client' | 'nested';
}

export interface LabStandIn {
  provider: BenchProvider & { forceCold(fn: string): Promise<void> };
  calls: LabCall[];
  /** Every forced cold start, in order. */
  forced: string[];
  close(): Promise<void>;
}

export async function startLabStandIn(
  options: { tamper?: (fn: string, answer: LabResponse) => LabResponse } = {},
): Promise<LabStandIn> {
  const calls: LabCall[] = [];
  const forced: string[] = [];
  const replicas = new Map<string, (input: unknown) => Promise<LabResponse>>();
  const call = async (fn: string, body: unknown, from: LabCall['from']) => {
    calls.push({ fn, body: body as Record<string, unknown>, from });
    if (!(LAB_FUNCTION_NAMES as readonly string[]).includes(fn))
      return { status: 404, body: 'no such function' };
    let replica = replicas.get(fn);
    if (!replica) {
      replica = createLabFunction(fn as LabFunctionName, { invoke: (f, p) => call(f, p, 'nested') });
      replicas.set(fn, replica);
    }
    try {
      const answer = await replica(body);
      return { status: 200, body: JSON.stringify(options.tamper ? options.tamper(fn, answer) : answer) };
    } catch (err) {
      return { status: err instanceof HandlerInputError ? 400 : 500, body: (err as Error).message };
    }
  };
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', async () => {
      const fn = decodeURIComponent(String(req.url).replace(/^\/function\//, ''));
      const { status, body } = await call(fn, text ? JSON.parse(text) : {}, 'client');
      res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    provider: {
      ...openfaasProvider(url),
      notReady: new Set(),
      async forceCold(fn) {
        forced.push(fn);
        replicas.delete(fn);
      },
    },
    calls,
    forced,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/**
 * A context on the stand-in with virtual time; `timeScale` 1000 by default, so a second of a
 * function's sleep or busy loop is a millisecond.
 */
export function labContext(lab: LabStandIn, options: Partial<ContextOptions> = {}) {
  return virtualContext(lab.provider, { timeScale: 1000, ...options });
}
