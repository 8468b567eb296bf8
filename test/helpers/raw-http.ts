import { request } from 'node:http';

export interface RawAnswer {
  status: number;
  /** As received, names and values alternating (repeated headers stay separate). */
  rawHeaders: string[];
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Whether the 100 Continue interim answer came. */
  continued: boolean;
}

export interface RawRequest {
  port: number;
  method?: string;
  path: string;
  headers?: Record<string, string | number>;
  /**
   * The body, written after 100 Continue when the request expects it; `chunks` with `everyMs`
   * trickle it, `stallMs` stops writing after the chunks without ending the request.
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
    const req = request(
      {
        host: '127.0.0.1',
        port: r.port,
        method: r.method ?? 'POST',
        path: r.path,
        headers: r.headers,
        agent: false,
      },
      (res) => {
        stopped = true;
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            rawHeaders: res.rawHeaders,
            headers: res.headers,
            body: Buffer.concat(parts).toString('utf8'),
            continued,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', (err) => (stopped ? undefined : reject(err)));
    const write = async () => {
      for (const chunk of r.chunks ?? []) {
        if (stopped) return;
        if (!req.write(chunk)) await new Promise((ok) => req.once('drain', ok));
        if (r.everyMs) await new Promise((ok) => setTimeout(ok, r.everyMs));
      }
      if (!r.stall && !stopped) req.end();
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
