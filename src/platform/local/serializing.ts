import { spawn } from 'node:child_process';
import type { FunctionRequest, FunctionResponse } from '../functions/handler.js';

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
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (c: Buffer) => out.push(c));
    // The function's stderr is its log (as with the of-watchdog): pass it on to the gateway too.
    child.stderr.on('data', (c: Buffer) => {
      err.push(c);
      process.stderr.write(c);
    });
    child.stdin.on('error', () => {}); // the command may exit without reading its input
    child.stdin.end(req.body);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) {
        resolve({ status: 504, body: `function exceeded exec_timeout (${timeoutMs} ms)\n` });
      } else if (code === 0) {
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
