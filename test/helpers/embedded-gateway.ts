import type { FunctionDeployment } from '../../src/config/function-deployment.js';
import type { Credentials } from '../../src/platform/embedded/basic-auth.js';
import { type Gateway, type GatewayOptions, startGateway } from '../../src/platform/embedded/gateway.js';
import { EmbeddedPlatform, type EmbeddedPlatformOptions } from '../../src/platform/embedded/platform.js';
import { loadStackForEmbedded } from '../../src/platform/embedded/stack.js';
import { OpenFaaSClient } from '../../src/platform/openfaas/client.js';

export interface TestGateway {
  platform: EmbeddedPlatform;
  gateway: Gateway;
  client: OpenFaaSClient;
  url: string;
  close(): Promise<void>;
}

/** An embedded gateway on a free loopback port, with the given functions deployed and ready. */
export async function startTestGateway(
  opts: {
    stack?: string;
    deployments?: FunctionDeployment[];
    platform?: EmbeddedPlatformOptions;
    /** Gateway options besides the platform, port and auth. */
    gateway?: Omit<GatewayOptions, 'platform' | 'port' | 'auth'>;
    auth?: Credentials;
    /** Default: any free port. */
    port?: number;
  } = {},
): Promise<TestGateway> {
  const platform = new EmbeddedPlatform({ drainMs: 2000, ...opts.platform });
  const gateway = await startGateway({
    ...opts.gateway,
    platform,
    port: opts.port ?? 0,
    ...(opts.auth ? { auth: opts.auth } : {}),
  });
  const client = new OpenFaaSClient({ gateway: gateway.url, ...(opts.auth ? { auth: opts.auth } : {}) });
  const deployments = [...(opts.stack ? loadStackForEmbedded(opts.stack) : []), ...(opts.deployments ?? [])];
  for (const d of deployments) await platform.deploy(d);
  return {
    platform,
    gateway,
    client,
    url: gateway.url,
    async close() {
      await client.close();
      await gateway.close();
    },
  };
}
