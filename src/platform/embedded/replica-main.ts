/**
 * Entry point of one replica process (a child of the embedded gateway). It plays the role of
 * OpenFaaS's of-watchdog: it serves HTTP on a loopback port, answers the readiness probe at
 * /_/health, and runs the function: a built-in handler, a user's JS/TS module, one process per
 * request ("serializing"), or it supervises the user's own HTTP server ("http").
 *
 * It tells the gateway its port over the IPC channel and exits when that channel closes, so a
 * gateway that dies, however it dies, leaves no replica behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { freeLoopbackPort, waitForHttp } from '../../core/net.js';
import { ReplicaStartError } from '../errors.js';
import { BUILTIN_FUNCTIONS } from '../functions/builtins.js';
import {
  type FunctionRequest,
  type Handler,
  HandlerInputError,
  type HandlerResult,
} from '../functions/handler.js';
import {
  REPLICA_ENV,
  REPLICA_HEALTH_PATH,
  type ReplicaBoot,
  type ReplicaMessage,
} from './replica-protocol.js';
import { runSerializing } from './serializing.js';

const boot = JSON.parse(process.env[REPLICA_ENV] ?? 'null') as ReplicaBoot | null;
delete process.env[REPLICA_ENV];
if (!boot || !process.send) {
  console.error('replica-main is started by the dfaas gateway, not by hand');
  process.exit(2);
}

function send(message: ReplicaMessage): void {
  process.send?.(message);
}

let child: ChildProcess | undefined;
/** Ends this replica and everything it forked: it leads its own process group (spawned detached). */
function shutdown(code: number): never {
  if (child?.pid && child.exitCode === null) child.kill('SIGKILL');
  try {
    process.kill(-process.pid, 'SIGKILL');
  } catch {
    // not a group leader (started by hand): only this process ends
  }
  process.exit(code);
}
process.on('disconnect', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));
// A handler's stray rejected promise is its bug, not a reason to drop the requests in flight.
process.on('unhandledRejection', (reason) => console.error('unhandled rejection in the function:', reason));

async function main(b: ReplicaBoot): Promise<void> {
  const program = b.program;
  if (program.kind === 'http') {
    const port = await freeLoopbackPort();
    child = spawn('/bin/sh', ['-c', program.command], {
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('exit', (code, signal) => {
      console.error(`function process exited (${signal ?? `code ${code}`})`);
      shutdown(code ?? 1);
    });
    await waitForHttp(port, { path: program.healthPath, timeoutMs: b.readyTimeoutMs });
    send({ type: 'ready', port });
    return;
  }
  const handler = await loadHandler(b);
  const server = createServer((req, res) => {
    if (req.url === REPLICA_HEALTH_PATH) {
      res.end('OK');
      return;
    }
    void serve(handler, b.execTimeoutMs, req, res);
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => send({ type: 'ready', port: (server.address() as AddressInfo).port }));
}

async function loadHandler(b: ReplicaBoot): Promise<Handler> {
  const program = b.program;
  switch (program.kind) {
    case 'builtin': {
      const fn = BUILTIN_FUNCTIONS.get(program.name);
      if (!fn) throw new ReplicaStartError(`unknown built-in ${program.name}`);
      return fn.handler;
    }
    case 'module': {
      const mod = (await import(pathToFileURL(program.path).href)) as { default?: unknown; handle?: unknown };
      const handler = typeof mod.default === 'function' ? mod.default : mod.handle;
      if (typeof handler !== 'function') {
        throw new ReplicaStartError(
          `${program.path} exports no handler: export a default function or one named handle`,
        );
      }
      return handler as Handler;
    }
    case 'serializing':
      return (req) => runSerializing(program.command, req, b.execTimeoutMs);
    default:
      // Internal invariant: http-mode functions are served by main() and never get here.
      throw new Error(`no handler for ${program.kind}`);
  }
}

async function serve(handler: Handler, execTimeoutMs: number, req: IncomingMessage, res: ServerResponse) {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of req) chunks.push(chunk as Buffer);
  } catch {
    res.destroy(); // the client went away before sending the whole body
    return;
  }
  const body = Buffer.concat(chunks);
  const url = new URL(req.url ?? '/', 'http://replica');
  const request: FunctionRequest = {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    headers: req.headers,
    body,
    text: () => body.toString('utf8'),
    json: () => JSON.parse(body.toString('utf8')),
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ExecTimeout()), execTimeoutMs);
  });
  try {
    writeResult(res, await Promise.race([Promise.resolve(handler(request)), timeout]));
  } catch (err) {
    const [status, message] =
      err instanceof ExecTimeout
        ? [504, `function exceeded exec_timeout (${execTimeoutMs} ms)`]
        : err instanceof HandlerInputError
          ? [400, err.message]
          : [500, `function failed: ${(err as Error)?.message ?? String(err)}`];
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${message}\n`);
  } finally {
    clearTimeout(timer);
  }
}

class ExecTimeout extends Error {}

function writeResult(res: ServerResponse, result: HandlerResult): void {
  if (typeof result === 'string' || result instanceof Uint8Array || result === undefined) {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(result ?? '');
    return;
  }
  const headers: Record<string, string> = { ...result.headers };
  let body: string | Uint8Array;
  if (typeof result.body === 'string' || result.body instanceof Uint8Array) body = result.body;
  else if (result.body === undefined) body = '';
  else {
    body = JSON.stringify(result.body);
    headers['content-type'] ??= 'application/json';
  }
  headers['content-type'] ??= 'text/plain; charset=utf-8';
  res.writeHead(result.status ?? 200, headers).end(body);
}

main(boot).catch((err: unknown) => {
  send({ type: 'failed', message: (err as Error)?.message ?? String(err) });
  console.error(err);
  shutdown(1);
});
