import { spawn } from 'node:child_process';
import { readProcesses } from '../../core/proc.js';
import type { FunctionRequest, FunctionResponse } from '../functions/handler.js';

/**
 * Kills a process and everything below it. The command stays in the replica's process group
 * (so the replica's CPU and memory figures include it), so its tree is found through /proc.
 */
function killTree(pid: number | undefined): void {
  if (pid === undefined) return;
  const children = new Map<number, number[]>();
  for (const p of readProcesses()) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const tree: number[] = [];
  for (let stack = [pid]; stack.length > 0; ) {
    const next = stack.pop() as number;
    tree.push(next);
    stack = stack.concat(children.get(next) ?? []);
  }
  for (const p of tree) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/**
 * of-watchdog "serializing" mode: forks the function's command once per request, writes the
 * body to its stdin and answers with its stdout. The request is described in the environment
 * as the classic watchdog does (Http_Method, Http_Path, Http_Query, Http_<Header>).
 * The command runs through /bin/sh -c, so pipes and quoting work as in a shell.
 */
export function runSerializing(
  command: string,
  req: FunctionRequest,
  timeoutMs: number,
): Promise<FunctionResponse> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    Http_Method: req.method,
    Http_Path: req.path,
    Http_Query: req.query.toString(),
  };
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    const key = `Http_${name.replace(/(^|-)(\w)/g, (_, dash: string, c: string) => `${dash ? '_' : ''}${c.toUpperCase()}`)}`;
    env[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timeout = () => {
      // Stop reading: a background process may hold the pipes open long after this answer.
      child.stdout.destroy();
      child.stderr.destroy();
      resolve({ status: 504, body: `function exceeded exec_timeout (${timeoutMs} ms)\n` });
    };
    const timer = setTimeout(() => {
      timedOut = true;
      // Only a command still running is killed: a pid that has exited may be reused already.
      // Background processes it left are in the replica's group and end with the replica.
      if (child.exitCode === null && child.signalCode === null) killTree(child.pid);
      else timeout();
    }, timeoutMs);
    child.stdout.on('data', (c: Buffer) => out.push(c));
    // The function's stderr is its log (as with the of-watchdog): pass it on to the gateway too.
    child.stderr.on('data', (c: Buffer) => {
      err.push(c);
      process.stderr.write(c);
    });
    child.stdin.on('error', () => {}); // the command may exit without reading its input
    child.stdin.end(req.body);
    // After a timeout, answer on exit: 'close' waits for pipes a surviving grandchild may hold.
    child.on('exit', () => {
      if (timedOut) timeout();
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) return;
      if (code === 0) {
        resolve({
          status: 200,
          headers: { 'content-type': 'application/octet-stream' },
          body: Buffer.concat(out),
        });
      } else {
        const stderr = Buffer.concat(err).toString('utf8').slice(-2000);
        resolve({ status: 500, body: `function exited with ${signal ?? `code ${code}`}: ${stderr}` });
      }
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ status: 500, body: `cannot start function process: ${e.message}\n` });
    });
  });
}
