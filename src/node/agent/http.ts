/** The agent's own control-plane server: its status, its Prometheus metrics and a health check. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  close,
  handleErrors,
  listen,
  MethodNotAllowedError,
  NotFoundError,
  sendText,
} from '../../core/http.js';
import { type Logger, silentLogger } from '../../core/logger.js';
import { httpOrigin } from '../../core/net.js';
import type { AgentStatus } from './agent.js';
import type { NodeMetrics } from './metrics.js';

export interface AgentServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The agent's HTTP endpoints: GET /agent/status (JSON), /metrics (Prometheus text), /healthz.
 * Errors answer `{"error", "code"}` (src/core/http.ts).
 */
export async function startAgentServer(
  host: string,
  port: number,
  status: () => AgentStatus,
  metrics: NodeMetrics,
  logger: Logger = silentLogger,
): Promise<AgentServer> {
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      throw new MethodNotAllowedError(req.method ?? '', path, ['GET', 'HEAD']);
    }
    if (path === '/agent/status') {
      return sendText(res, 200, `${JSON.stringify(status(), null, 2)}\n`, 'application/json');
    }
    if (path === '/healthz') return sendText(res, 200, 'OK\n', 'text/plain');
    if (path === '/metrics') return sendText(res, 200, await metrics.metrics(), metrics.contentType);
    throw new NotFoundError(`not found: ${path}; try /agent/status, /metrics or /healthz`);
  };
  const server = createServer(handleErrors(handle, logger));
  const address = await listen(server, host, port);
  return { url: httpOrigin(host, address.port), close: () => close(server) };
}
