import { Agent, request } from 'node:http';
import { connect } from 'node:net';

export interface RawAnswer {
  status: number;
  /** As received, names and values alternating (repeated headers stay separate). */
  rawHeaders: string[];
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Whether the 100 Continue interim answer came. */
  continued: boolean;
  /**
   * Whether the server closed the connection within CLOSE_WAIT_MS of its answer (the request
   * asks to keep it alive unless its headers say otherwise).
   */
  closed: boolean;
}

const CLOSE_WAIT_MS = 3000;

export interface RawRequest {
  port: number;
  method?: string;
  path: string;
  headers?: Record<string, string | number>;
  /**
   * The body, written after 100 Continue when the request expects it; `chunks` with `everyMs`
   * trickle it, `stall` stops writing after the chunks without ending the request.
   */
  chunks?: Buffer[];
  everyMs?: number;
  stall?: boolean;
}

/**
 * One request over a fresh connection with node:http, for what fetch cannot do: Expect, a body
 * sent slowly or never finished, hop-by-hop headers. Resolves with the answer as it arrives, or
 * rejects with the connection error (a reset instead of an answer is what some tests look for).
 */
export function rawRequest(r: RawRequest): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    let continued = false;
    let stopped = false;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const req = request(
      {
        host: '127.0.0.1',
        port: r.port,
        method: r.method ?? 'POST',
        path: r.path,
        headers: { connection: 'keep-alive', ...r.headers },
        // Its own keep-alive agent: the socket stays open unless the server closes it.
        agent,
      },
      (res) => {
        stopped = true;
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', async () => {
          const socket = req.socket;
          const closed =
            socket === null ||
            socket.destroyed ||
            (await new Promise<boolean>((done) => {
              const timer = setTimeout(() => done(false), CLOSE_WAIT_MS);
              socket.once('close', () => {
                clearTimeout(timer);
                done(true);
              });
            }));
          agent.destroy();
          resolve({
            status: res.statusCode ?? 0,
            rawHeaders: res.rawHeaders,
            headers: res.headers,
            body: Buffer.concat(parts).toString('utf8'),
            continued,
            closed,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', (err) => {
      if (stopped) return;
      agent.destroy();
      reject(err);
    });
    const write = async () => {
      // Like a proxy, it goes on sending after an early answer.
      for (const chunk of r.chunks ?? []) {
        if (req.destroyed) return;
        if (!req.write(chunk)) await new Promise((ok) => req.once('drain', ok));
        if (r.everyMs) await new Promise((ok) => setTimeout(ok, r.everyMs));
      }
      if (!r.stall && !req.destroyed) req.end();
    };
    if (String(r.headers?.expect ?? '').toLowerCase() === '100-continue') {
      req.flushHeaders();
      req.on('continue', () => {
        continued = true;
        void write();
      });
    } else void write();
  });
}

/**
 * Two POSTs on one connection: `first` at once, `second` once `between` resolves (pipelined, so
 * the connection is busy, not idle, in between). Resolves, once the server has closed the
 * connection, with the raw answers in order (status line and headers as sent).
 */
export async function pipelinedPosts(
  port: number,
  first: string,
  between: () => Promise<unknown>,
  second: string,
): Promise<string[]> {
  const socket = connect(port, '127.0.0.1');
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  const closed = new Promise((done) => socket.once('close', done));
  const post = (path: string) => `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n`;
  socket.write(post(first));
  await between();
  socket.write(post(second));
  await closed;
  return Buffer.concat(received)
    .toString('latin1')
    .split(/(?=HTTP\/1\.1 )/);
}
