import type { ReplicaProgram } from './function-settings.js';

/** Environment variable that carries a replica's boot settings from the gateway to replica-main. */
export const REPLICA_ENV = 'DFAAS_REPLICA_BOOT';

export interface ReplicaBoot {
  functionName: string;
  program: ReplicaProgram;
  execTimeoutMs: number;
}

/** Messages a replica sends to the gateway over the IPC channel. */
export type ReplicaMessage = { type: 'ready'; port: number } | { type: 'failed'; message: string };
