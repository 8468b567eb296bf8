/**
 * Where a benchmark's calls go: one contract for every FaaS platform dfaas benchmarks by URL. A
 * provider says the URL of a function and what every call carries, and which answers mean "not
 * ready yet" (a platform scaling a function from zero answers 5xx for a while). The embedded
 * platform's provider, which also starts it, is ./embedded-provider.ts; it and `openfaas` force
 * cold starts through the gateway's API (scaleToZero; ./provider-spec.ts). Cloud providers (AWS Lambda, Azure Functions) are out of this
 * repository's reach (no cloud from here): docs/bench.md specifies what theirs must implement.
 */
import { pollUntil } from '../core/poll.js';
import type { Platform } from '../platform/api.js';
import type { Credentials } from '../platform/embedded/basic-auth.js';

export type ProviderName = 'openfaas' | 'dfaas-node' | 'http';

export interface BenchProvider {
  readonly name: ProviderName | 'embedded';
  /** The URL a call of `fn` goes to. */
  url(fn: string): string;
  /** Headers every call carries (basic auth on OpenFaaS). */
  readonly headers: Readonly<Record<string, string>>;
  /** Statuses that mean "not ready yet": the call is sent again, and the retry counted. */
  readonly notReady: ReadonlySet<number>;
  /**
   * The answer header in which the platform says a call waited for a replica to start, with the
   * ms it waited (the embedded gateway's `x-dfaas-cold-start-ms`); none where it does not say.
   */
  readonly coldStartHeader?: string;
}

const base = (url: string) => url.replace(/\/+$/, '');

/**
 * An OpenFaaS-compatible gateway: `GATEWAY/function/NAME`. A function scaling from zero answers
 * 500, 502 or 503 until a replica is ready (the reference retries any of them for 5 minutes).
 */
export function openfaasProvider(gateway: string, auth?: Credentials): BenchProvider {
  return {
    name: 'openfaas',
    url: (fn) => `${base(gateway)}/function/${encodeURIComponent(fn)}`,
    headers: auth
      ? { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` }
      : {},
    notReady: new Set([500, 502, 503]),
  };
}

/**
 * A DFaaS node's proxy: the same paths as a gateway, and the node may serve a call locally or
 * offload it to a peer (which its answer's entries show). A 429 is the node refusing, not a
 * platform starting: it is an error, not retried.
 */
export function dfaasNodeProvider(proxy: string): BenchProvider {
  return { ...openfaasProvider(proxy), name: 'dfaas-node', notReady: new Set([502, 503]) };
}

/** Plain URLs: `{function}` in the template is the function's name (nothing is retried). */
export function httpProvider(template: string): BenchProvider {
  return {
    name: 'http',
    url: (fn) => template.replaceAll('{function}', encodeURIComponent(fn)),
    headers: {},
    notReady: new Set(),
  };
}

/**
 * Forces a cold start through a platform's API: `fn` scaled to zero, and back once no replica is
 * left, so that its next call starts one (the embedded platform; any OpenFaaS gateway whose
 * /system API the run may use).
 */
export async function scaleToZero(platform: Pick<Platform, 'scale' | 'get'>, fn: string): Promise<void> {
  await platform.scale(fn, 0);
  await pollUntil(async () => ((await platform.get(fn)).availableReplicas ?? 0) === 0, {
    timeoutMs: 60_000,
    everyMs: 50,
    what: `${fn} scaled to zero`,
  });
}
