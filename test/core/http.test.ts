import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DfaasError, ExitCode } from '../../src/core/errors.js';
import {
  close,
  handleErrors,
  listen,
  MethodNotAllowedError,
  NotFoundError,
  readJsonBody,
  sendJson,
  sendText,
} from '../../src/core/http.js';
import { createLogger, type Logger } from '../../src/core/logger.js';
import { rawRequest } from '../helpers/raw-http.js';

interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

function call(port: number, method: string, path: string, body?: string | Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path }, (res) => {
      let data = '';
      res.on('data', (c: Buffer) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data }));
    });
    // The server may answer 413 and drop the connection before it read the whole body.
    req.on('error', reject);
    req.end(body);
  });
}

function recordingLogger(lines: string[]): Logger {
  return createLogger({ level: 'debug', json: true, write: (line) => lines.push(line) });
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => close(s, 0)));
});

async function serve(
  handler: Parameters<typeof handleErrors>[0],
  logger: Logger = recordingLogger([]),
): Promise<number> {
  const server = createServer(handleErrors(handler, logger));
  servers.push(server);
  return (await listen(server, '127.0.0.1', 0)).port;
}

describe('the control-plane HTTP kit', () => {
  it('reads a JSON body and answers JSON and text', async () => {
    const port = await serve(async (req, res) => {
      if (req.url === '/text') return sendText(res, 200, 'ready.');
      sendJson(res, 201, { got: await readJsonBody(req, { limitBytes: 1024 }) });
    });
    const json = await call(port, 'POST', '/', JSON.stringify({ a: [1, 2] }));
    expect([json.status, json.headers['content-type'], JSON.parse(json.body)]).toEqual([
      201,
      'application/json',
      { got: { a: [1, 2] } },
    ]);
    const text = await call(port, 'GET', '/text');
    expect([text.status, text.headers['content-type'], text.body]).toEqual([
      200,
      'text/plain; charset=utf-8',
      'ready.',
    ]);
  });

  it('answers 413 past the body limit while the body still comes, then closes that connection', async () => {
    const port = await serve(async (req, res) =>
      sendJson(res, 200, await readJsonBody(req, { limitBytes: 16 })),
    );
    // Sent in chunks after the answer started: the client must get the 413, not a reset.
    const res = await rawRequest({
      port,
      path: '/',
      headers: { 'transfer-encoding': 'chunked' },
      chunks: Array.from({ length: 20 }, () => Buffer.alloc(64 * 1024, 0x20)),
      everyMs: 5,
    });
    expect([res.status, JSON.parse(res.body), res.closed]).toEqual([
      413,
      { error: 'request body over 16 bytes', code: 'DFAAS_ERR_BODY_TOO_LARGE' },
      true,
    ]);
  });

  it('answers 400 with DFAAS_ERR_BAD_INPUT on a body that is not JSON or is missing', async () => {
    const port = await serve(async (req, res) =>
      sendJson(res, 200, await readJsonBody(req, { limitBytes: 16 })),
    );
    const bad = await call(port, 'POST', '/', '{"a":');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({
      code: 'DFAAS_ERR_BAD_INPUT',
      error: expect.stringMatching(/^request body: not JSON/),
    });
    const empty = await call(port, 'POST', '/');
    expect(empty.status).toBe(400);
    expect(JSON.parse(empty.body)).toMatchObject({ error: expect.stringMatching(/a JSON body is required/) });
  });

  it('maps a thrown DfaasError to its status and {error, code}, without logging it', async () => {
    const lines: string[] = [];
    const port = await serve((req) => {
      if (req.url === '/missing') throw new NotFoundError('no route /missing');
      if (req.url === '/method') throw new MethodNotAllowedError('DELETE', '/method', ['GET', 'POST']);
      throw new DfaasError('DFAAS_ERR_TEAPOT', 'short and stout', {
        status: 418,
        exitCode: ExitCode.badInput,
      });
    }, recordingLogger(lines));
    const missing = await call(port, 'GET', '/missing');
    expect([missing.status, JSON.parse(missing.body)]).toEqual([
      404,
      { error: 'no route /missing', code: 'DFAAS_ERR_NOT_FOUND' },
    ]);
    const method = await call(port, 'DELETE', '/method');
    expect([method.status, method.headers.allow, JSON.parse(method.body).code]).toEqual([
      405,
      'GET, POST',
      'DFAAS_ERR_METHOD_NOT_ALLOWED',
    ]);
    const teapot = await call(port, 'GET', '/');
    expect([teapot.status, JSON.parse(teapot.body)]).toEqual([
      418,
      { error: 'short and stout', code: 'DFAAS_ERR_TEAPOT' },
    ]);
    expect(lines).toEqual([]);
  });

  it('answers an unknown error with 500 and DFAAS_ERR_INTERNAL, and logs it', async () => {
    const lines: string[] = [];
    const port = await serve(async () => {
      throw new TypeError('x is undefined');
    }, recordingLogger(lines));
    const res = await call(port, 'GET', '/boom');
    expect([res.status, JSON.parse(res.body)]).toEqual([
      500,
      { error: 'x is undefined', code: 'DFAAS_ERR_INTERNAL' },
    ]);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ level: 'error', status: 500, url: '/boom' });
  });

  it('fails to listen on a port in use', async () => {
    const port = await serve((_req, res) => sendText(res, 200, 'one'));
    const second = createServer();
    await expect(listen(second, '127.0.0.1', port)).rejects.toThrow(/EADDRINUSE/);
  });

  it('closes with a drain: a request in flight finishes, idle connections go, the port is freed', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let entered: () => void = () => {};
    const inHandler = new Promise<void>((r) => {
      entered = r;
    });
    const port = await serve(async (req, res) => {
      if (req.url === '/slow') {
        entered();
        await gate;
      }
      sendText(res, 200, 'finished');
    });
    const server = servers.pop() as Server;
    // The client's keep-alive agent leaves this connection idle and open.
    expect((await call(port, 'GET', '/')).status).toBe(200);
    const inflight = call(port, 'GET', '/slow');
    await inHandler;
    // A grace far past the test timeout: the close must come from the drain, not the cut.
    const closed = close(server, 60_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(server.listening).toBe(false); // no new connections
    release();
    expect((await inflight).body).toBe('finished');
    await closed;
  });

  it('closes after the grace period even when a request never ends', async () => {
    const port = await serve(() => new Promise<void>(() => {}));
    const server = servers.pop() as Server;
    const hung = call(port, 'GET', '/hang').catch((err: Error) => err);
    await new Promise((r) => setTimeout(r, 50));
    await close(server, 50);
    expect(server.listening).toBe(false);
    expect(await hung).toBeInstanceOf(Error);
    expect((server.address() as AddressInfo | null) ?? undefined).toBeUndefined();
  });
});
