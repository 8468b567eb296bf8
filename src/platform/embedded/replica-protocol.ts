import type { ReplicaProgram } from './function-settings.js';

/** Where a replica answers readiness and liveness probes (of-watchdog's path). */
export const REPLICA_HEALTH_PATH = '/_/health';

/** Environment variable that carries a replica's boot settings from the gateway to replica-main. */
export const REPLICA_ENV = 'DFAAS_REPLICA_BOOT';

export interface ReplicaBoot {
  functionName: string;
  program: ReplicaProgram;
  execTimeoutMs: number;
  /** How long an http-mode function's own server may take to answer its health path. */
  readyTimeoutMs: number;
}

/** Messages a replica sends to the gateway over the IPC channel. */
export type ReplicaMessage = { type: 'ready'; port: number } | { type: 'failed'; message: string };
