/**
 * A provider as a run names it (`--provider NAME --url URL`), opened for one experiment: the
 * embedded platform is started per experiment (so experiments on it run side by side without
 * disturbing each other), the others are reached by URL. Each has a key by which the store tells
 * runs on the same provider apart: its name and URL (`embedded` for every embedded platform).
 */
import type { Credentials } from '../platform/embedded/basic-auth.js';
import { OpenFaaSClient } from '../platform/openfaas/client.js';
import type { ColdForcing } from './context.js';
import { startEmbeddedProvider } from './embedded-provider.js';
import {
  type BenchProvider,
  dfaasNodeProvider,
  httpProvider,
  openfaasProvider,
  scaleToZero,
} from './providers.js';

export const PROVIDER_NAMES = ['embedded', 'openfaas', 'dfaas-node', 'http'] as const;
export type ProviderKind = (typeof PROVIDER_NAMES)[number];

export type ProviderSpec =
  | {
      name: 'embedded';
      /** Idle time after which the platform reclaims an instance, in the reference's seconds. */
      zeroDurationSeconds: number;
      /** Age at which the platform replaces a busy instance, in the reference's seconds. */
      maxLifetimeSeconds: number;
    }
  | { name: 'openfaas'; url: string; auth?: Credentials }
  | { name: 'dfaas-node'; url: string }
  | { name: 'http'; url: string };

/** The embedded platform's defaults: reclaim after 5 minutes idle, replace after 30 minutes. */
export const EMBEDDED_DEFAULTS = { zeroDurationSeconds: 300, maxLifetimeSeconds: 1800 } as const;

export interface OpenProvider {
  provider: BenchProvider & Partial<ColdForcing>;
  /**
   * The idle time after which this provider reclaims an instance when known by construction
   * (the embedded platform's, in the reference's seconds).
   */
  knownColdtimeSeconds?: number;
  close(): Promise<void>;
}

/** Where the store says the provider is: its URL, or `embedded`. */
export function providerUrl(spec: ProviderSpec): string {
  return spec.name === 'embedded' ? 'embedded' : spec.url;
}

/** Opens the provider for one experiment at `timeScale` (the embedded platform's times scaled). */
export async function openProvider(spec: ProviderSpec, timeScale: number): Promise<OpenProvider> {
  switch (spec.name) {
    case 'embedded': {
      const ms = (seconds: number) => `${Math.max(1, Math.round((seconds * 1000) / timeScale))}ms`;
      const provider = await startEmbeddedProvider({
        labels: {
          'com.openfaas.scale.zero': 'true',
          'com.openfaas.scale.zero-duration': ms(spec.zeroDurationSeconds),
          'dfaas.replica.max-lifetime': ms(spec.maxLifetimeSeconds),
        },
        // Decisions well within the idle searches' finest step (10 reference seconds).
        autoscaleIntervalMs: Math.max(10, Math.min(2000, 1000 / timeScale)),
      });
      // A cold wait must outlast the idle time by the autoscaler's decision and a margin.
      return {
        provider,
        knownColdtimeSeconds: spec.zeroDurationSeconds * 1.1,
        close: () => provider.close(),
      };
    }
    case 'openfaas': {
      // Cold starts forced through the gateway's /system API (scale to zero), as on the embedded
      // platform; a gateway that refuses it fails the first cold wait, naming --cold wait.
      const client = new OpenFaaSClient({ gateway: spec.url, ...(spec.auth ? { auth: spec.auth } : {}) });
      const forceCold = async (fn: string) => {
        try {
          await scaleToZero(client, fn);
        } catch (err) {
          throw new Error(
            `cannot scale ${fn} to zero through ${spec.url}/system: ${(err as Error).message} (give --auth-file, or --cold wait)`,
          );
        }
      };
      return {
        provider: { ...openfaasProvider(spec.url, spec.auth), forceCold },
        close: () => client.close(),
      };
    }
    case 'dfaas-node':
      return { provider: dfaasNodeProvider(spec.url), close: async () => {} };
    case 'http':
      return { provider: httpProvider(spec.url), close: async () => {} };
  }
}
