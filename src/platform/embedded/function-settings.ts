import { existsSync } from 'node:fs';
import type { FunctionDeployment } from '../../config/function-deployment.js';
import { HANDLER_ANNOTATION } from '../../config/stack.js';
import { parseCpuCores, parseDurationMs, parseMemoryBytes } from '../../config/units.js';
import type { ConfigIssue } from '../../core/errors.js';
import { InvalidDeploymentError } from '../errors.js';
import { BUILTIN_FUNCTIONS } from '../functions/builtins.js';

/** What a replica process runs. */
export type ReplicaProgram =
  | { kind: 'builtin'; name: string }
  | { kind: 'module'; path: string }
  /** of-watchdog "serializing": one process per request, body on stdin, response on stdout. */
  | { kind: 'serializing'; command: string }
  /** of-watchdog "http": a long-lived process serving HTTP on $PORT. */
  | { kind: 'http'; command: string; healthPath?: string };

export type ScalingType = 'rps' | 'capacity' | 'cpu';

/** OpenFaaS scaling labels, read with OpenFaaS's defaults. */
export interface ScalingPolicy {
  min: number;
  max: number;
  /** Percent of max that one autoscaler evaluation may add (OpenFaaS CE's step); 0 disables autoscaling. */
  factor: number;
  zero: boolean;
  zeroDurationMs: number;
  /** Scale down only to the highest recommendation of this window (dfaas.scale.down-window). */
  downWindowMs: number;
  /**
   * A ready replica older than this is retired: the instance recycling of cloud platforms (AWS
   * Lambda retires instances after hours), which faas-benchmarker's function-lifetime measures.
   * With scale to zero, once idle (the next call starts a new one); otherwise replaced by a
   * rolling update. None by default (dfaas.replica.max-lifetime).
   */
  maxLifetimeMs?: number;
  /** Target autoscaling, present only when the function sets com.openfaas.scale.type or .target. */
  target?: { type: ScalingType; target: number; proportion: number };
}

export interface FunctionSettings {
  program: ReplicaProgram;
  scaling: ScalingPolicy;
  /** The function must start answering within this (of-watchdog exec_timeout). */
  execTimeoutMs: number;
  /** The gateway must have the client's request body within this. */
  readTimeoutMs: number;
  /** The replica's response may not stall (no bytes) for longer than this. */
  writeTimeoutMs: number;
  /** Requests one replica takes at once; 0 = unbounded (of-watchdog max_inflight). */
  maxInflight: number;
  memoryLimitBytes?: number;
  cpuLimitCores?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** Replicas one function may have unless the platform is told otherwise (OpenFaaS's default max is 20). */
export const DEFAULT_MAX_REPLICAS = 50;

/** What the platform allows every function. */
export interface PlatformLimits {
  maxReplicas: number;
}

/**
 * Reads everything the embedded platform needs from a FunctionDeployment, collecting every
 * problem (each naming its field) into one InvalidDeploymentError.
 */
export function functionSettings(
  d: FunctionDeployment,
  limits: PlatformLimits = { maxReplicas: DEFAULT_MAX_REPLICAS },
): FunctionSettings {
  const issues: ConfigIssue[] = [];
  const labels = d.labels ?? {};
  const env = d.envVars ?? {};

  const int = (field: string, raw: string | undefined, fallback: number): number => {
    if (raw === undefined) return fallback;
    const v = Number(raw);
    if (!Number.isInteger(v) || v < 0) {
      issues.push({ field, message: `must be a whole number >= 0, got "${raw}"` });
      return fallback;
    }
    return v;
  };
  const num = (field: string, raw: string | undefined, fallback: number): number => {
    if (raw === undefined) return fallback;
    const v = Number(raw);
    if (!Number.isFinite(v) || v <= 0) {
      issues.push({ field, message: `must be a number > 0, got "${raw}"` });
      return fallback;
    }
    return v;
  };
  const duration = (field: string, raw: string | undefined, fallback: number): number => {
    if (raw === undefined) return fallback;
    const v = parseDurationMs(raw);
    if (v === undefined) {
      issues.push({ field, message: `not a duration (e.g. 10s, 1m30s, 500ms), got "${raw}"` });
      return fallback;
    }
    return v;
  };
  const bool = (field: string, raw: string | undefined): boolean => {
    if (raw === undefined) return false;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    issues.push({ field, message: `must be true or false, got "${raw}"` });
    return false;
  };

  const L = (name: string) => `labels.${name}`;
  const min = int(L('com.openfaas.scale.min'), labels['com.openfaas.scale.min'], 1);
  const max = int(
    L('com.openfaas.scale.max'),
    labels['com.openfaas.scale.max'],
    Math.min(20, limits.maxReplicas),
  );
  for (const [label, value] of [
    ['com.openfaas.scale.min', min],
    ['com.openfaas.scale.max', max],
  ] as const) {
    if (value > limits.maxReplicas) {
      issues.push({
        field: L(label),
        message: `at most ${limits.maxReplicas}, the platform's replicas per function (--max-replicas), got ${value}`,
      });
    }
  }
  if (max < Math.max(min, 1)) {
    issues.push({
      field: L('com.openfaas.scale.max'),
      message: `must be >= com.openfaas.scale.min and >= 1`,
    });
  }
  const factor = int(L('com.openfaas.scale.factor'), labels['com.openfaas.scale.factor'], 20);
  if (factor > 100)
    issues.push({ field: L('com.openfaas.scale.factor'), message: 'is a percentage, 0 to 100' });

  const typeRaw = labels['com.openfaas.scale.type'];
  let target: ScalingPolicy['target'];
  if (typeRaw !== undefined || labels['com.openfaas.scale.target'] !== undefined) {
    const type = (typeRaw ?? 'rps') as ScalingType;
    if (!['rps', 'capacity', 'cpu'].includes(type)) {
      issues.push({
        field: L('com.openfaas.scale.type'),
        message: `must be rps, capacity or cpu, got "${typeRaw}"`,
      });
    }
    target = {
      type,
      target: num(L('com.openfaas.scale.target'), labels['com.openfaas.scale.target'], 50),
      proportion: num(
        L('com.openfaas.scale.target-proportion'),
        labels['com.openfaas.scale.target-proportion'],
        0.9,
      ),
    };
  }

  const scaling: ScalingPolicy = {
    min,
    max,
    factor,
    zero: bool(L('com.openfaas.scale.zero'), labels['com.openfaas.scale.zero']),
    zeroDurationMs: duration(
      L('com.openfaas.scale.zero-duration'),
      labels['com.openfaas.scale.zero-duration'],
      15 * 60_000,
    ),
    downWindowMs: duration(L('dfaas.scale.down-window'), labels['dfaas.scale.down-window'], 60_000),
    ...(labels['dfaas.replica.max-lifetime'] === undefined
      ? {}
      : {
          maxLifetimeMs: duration(L('dfaas.replica.max-lifetime'), labels['dfaas.replica.max-lifetime'], 0),
        }),
    ...(target ? { target } : {}),
  };

  const execTimeoutMs = duration('envVars.exec_timeout', env.exec_timeout, DEFAULT_TIMEOUT_MS);
  const settings: FunctionSettings = {
    program: program(d, issues),
    scaling,
    execTimeoutMs,
    readTimeoutMs: duration('envVars.read_timeout', env.read_timeout, DEFAULT_TIMEOUT_MS),
    writeTimeoutMs: duration(
      'envVars.write_timeout',
      env.write_timeout,
      Math.max(execTimeoutMs, DEFAULT_TIMEOUT_MS),
    ),
    maxInflight: int('envVars.max_inflight', env.max_inflight, 0),
  };
  if (d.limits?.memory) settings.memoryLimitBytes = parseMemoryBytes(d.limits.memory);
  if (d.limits?.cpu) settings.cpuLimitCores = parseCpuCores(d.limits.cpu);

  if (issues.length > 0) {
    throw new InvalidDeploymentError(
      `invalid deployment of ${d.service}: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`,
      issues,
    );
  }
  return settings;
}

const BUILTIN_IMAGE = /^(?:[^/]+\/)?dfaas\/([a-z0-9-]+)(?::[\w.-]+)?$/;

/** envProcess, then the dfaas.handler annotation, then an image named dfaas/BUILTIN. */
function program(d: FunctionDeployment, issues: ConfigIssue[]): ReplicaProgram {
  const env = d.envVars ?? {};
  if (d.envProcess) {
    const mode = env.mode ?? 'serializing';
    if (mode === 'http') {
      const healthPath = d.annotations?.['com.openfaas.health.http.path'];
      return { kind: 'http', command: d.envProcess, ...(healthPath ? { healthPath } : {}) };
    }
    if (mode !== 'serializing') {
      issues.push({ field: 'envVars.mode', message: `must be serializing or http, got "${mode}"` });
    }
    return { kind: 'serializing', command: d.envProcess };
  }
  const handler = d.annotations?.[HANDLER_ANNOTATION];
  if (handler?.startsWith('builtin:'))
    return builtin(handler.slice('builtin:'.length), `annotations.${HANDLER_ANNOTATION}`, issues);
  if (handler) {
    if (!existsSync(handler))
      issues.push({ field: `annotations.${HANDLER_ANNOTATION}`, message: `no such module: ${handler}` });
    return { kind: 'module', path: handler };
  }
  const fromImage = BUILTIN_IMAGE.exec(d.image)?.[1];
  if (fromImage) return builtin(fromImage, 'image', issues);
  issues.push({
    field: 'image',
    message: `the embedded platform cannot run image "${d.image}": set envProcess, the ${HANDLER_ANNOTATION} annotation, or an image dfaas/BUILTIN`,
  });
  return { kind: 'builtin', name: 'echo' };
}

function builtin(name: string, field: string, issues: ConfigIssue[]): ReplicaProgram {
  if (!BUILTIN_FUNCTIONS.has(name)) {
    issues.push({
      field,
      message: `unknown built-in "${name}" (built-ins: ${[...BUILTIN_FUNCTIONS.keys()].join(', ')})`,
    });
  }
  return { kind: 'builtin', name };
}
