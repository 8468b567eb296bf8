import type { ProxyDriver, ProxyDriverKind, ProxyOptions } from './contract.js';
import { startEmbeddedProxy } from './embedded/proxy.js';
import { startHaproxyProxy } from './haproxy/driver.js';

export type { ProxyDriver, ProxyDriverKind, ProxyOptions } from './contract.js';

/** Starts the proxy driver of that kind; `haproxyBinary` is the HAProxy the haproxy driver runs. */
export async function startProxy(
  kind: ProxyDriverKind,
  options: ProxyOptions & { haproxyBinary: string },
): Promise<ProxyDriver> {
  if (kind === 'embedded') return startEmbeddedProxy(options);
  return startHaproxyProxy({ ...options, binary: options.haproxyBinary });
}
