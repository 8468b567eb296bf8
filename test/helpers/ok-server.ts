import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An in-process HTTP server on loopback that reads each request's body and answers 200 "ok". */
export async function startOkServer(): Promise<{ url: string; close(): void }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => server.close(),
  };
}
