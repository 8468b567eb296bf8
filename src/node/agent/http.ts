import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpOrigin } from '../../core/net.js';
import type { AgentStatus } from './agent.js';
import type { NodeMetrics } from './metrics.js';

export interface AgentServer {
  readonly url: string;
  close(): Promise<void>;
}

/** The agent's HTTP endpoints: GET /agent/status (JSON), /metrics (Prometheus text), /healthz. */
export async function startAgentServer(
  host: string,
  port: number,
  status: () => AgentStatus,
  metrics: NodeMetrics,
): Promise<AgentServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (code: number, type: string, body: string) => {
      res.writeHead(code, { 'content-type': type }).end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'only GET\n');
    if (path === '/agent/status')
      return send(200, 'application/json', `${JSON.stringify(status(), null, 2)}\n`);
    if (path === '/healthz') return send(200, 'text/plain', 'OK\n');
    if (path === '/metrics') {
      metrics.metrics().then(
        (text) => send(200, metrics.contentType, text),
        (err: Error) => send(500, 'text/plain', `${err.message}\n`),
      );
      return;
    }
    send(404, 'text/plain', 'not found: try /agent/status, /metrics or /healthz\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    url: httpOrigin(host, address.port),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
