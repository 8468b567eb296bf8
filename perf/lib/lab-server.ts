/**
 * A fast stand-in for a lab function, for the `dfaas bench` perf scripts: a node:http server on
 * 127.0.0.1, in a process of its own (so its event loop is not the client's), that answers every
 * POST at once with the smallest valid lab-function answer
 * (`{"<id>": {identifier, execution_start, execution_end}, "root_identifier": "<id>"}`) and
 * records, on its own monotonic clock, when each connection was accepted and each request's
 * headers were parsed. The parent takes the records over IPC, and may have every connection
 * closed at the same time, so that the next burst opens new ones.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Dispatcher, request } from 'undici';
import { stopChild } from './child.js';

const THIS_FILE = fileURLToPath(import.meta.url);
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** What the server saw since the last take: server-side performance.now() ms. */
export interface Arrivals {
  /** When each request's headers had been parsed (the `request` event). */
  requests: number[];
  /** When each connection was accepted. */
  connections: number[];
}

export interface LabServer {
  url: string;
  pid: number;
  /** The records since the last take (and clears them); with `close`, every connection is closed too. */
  take(close: boolean): Promise<Arrivals>;
  stop(): Promise<void>;
}

type Reply = Arrivals & { seq: number };

/** Starts the server in its own process; `holdMs` delays every answer (0: answer at once). */
export async function startLabServer(holdMs = 0): Promise<LabServer> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', TSX, THIS_FILE, '--lab-server', String(holdMs)],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`lab server exited (${code}) before it was ready`)));
  });
  let seq = 0;
  const take = (close: boolean): Promise<Arrivals> =>
    new Promise((resolve) => {
      const mine = ++seq;
      const onMessage = (m: Reply) => {
        if (m.seq !== mine) return;
        child.off('message', onMessage);
        resolve({ requests: m.requests, connections: m.connections });
      };
      child.on('message', onMessage);
      child.send({ take: mine, close });
    });
  const stop = () => stopChild(child);
  return { url, pid: child.pid as number, take, stop };
}

/** `--lab-server HOLD_MS`: the server itself. */
async function serve(holdMs: number): Promise<void> {
  let requests: number[] = [];
  let connections: number[] = [];
  let calls = 0;
  const server = createServer((req, res) => {
    requests.push(performance.now());
    req.resume();
    req.on('end', () => {
      const answer = () => {
        const id = `lab-${process.pid}-${++calls}`;
        const now = Date.now() / 1000;
        const body = JSON.stringify({
          [id]: { identifier: id, function_name: 'lab', execution_start: now, execution_end: now },
          root_identifier: id,
        });
        res
          .writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
          .end(body);
      };
      if (holdMs > 0) setTimeout(answer, holdMs);
      else answer();
    });
  });
  server.on('connection', () => connections.push(performance.now()));
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  process.on('message', (m: { take: number; close: boolean }) => {
    process.send?.({ seq: m.take, requests, connections } satisfies Reply);
    requests = [];
    connections = [];
    if (m.close) server.closeAllConnections();
  });
  process.send?.({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  const exit = () => {
    server.closeAllConnections();
    server.close();
    process.exit(0);
  };
  process.once('SIGTERM', exit);
  process.once('disconnect', exit);
}

if (process.argv[1] === THIS_FILE && process.argv[2] === '--lab-server') {
  await serve(Number(process.argv[3] ?? 0));
}

/**
 * The bare clients the Benchmarker is measured against: one call of the lab server with global
 * fetch, and with undici's request() on `dispatcher` (the floor); each throws on an answer other
 * than 200.
 */
export function bareCalls(target: string, dispatcher: Dispatcher) {
  const headers = { 'content-type': 'application/json' };
  return {
    async fetch(): Promise<void> {
      const res = await fetch(target, {
        method: 'POST',
        headers,
        body: JSON.stringify({}),
        signal: AbortSignal.timeout(600_000),
      });
      await res.text();
      if (res.status !== 200) throw new Error(`fetch: http ${res.status}`);
    },
    async undici(): Promise<void> {
      const res = await request(target, { method: 'POST', headers, body: '{}', dispatcher });
      await res.body.text();
      if (res.statusCode !== 200) throw new Error(`undici: http ${res.statusCode}`);
    },
  };
}
