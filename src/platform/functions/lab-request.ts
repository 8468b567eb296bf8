/**
 * The lab functions' request: faas-benchmarker's JSON contract, read and bounded before the call
 * does anything, so bad input costs nothing and a 400 names the field.
 *
 * Imports only node built-ins, core/random and functions/handler: the OpenFaaS template in
 * deploy/openfaas/lab-functions/ runs the compiled file as it is.
 */
import { randomInt } from 'node:crypto';
import { HandlerInputError } from './handler.js';
import { type MonolithPlan, planMonolith } from './monolith.js';

/** Bounds on one call's input (docs/platform.md, "Lab functions"). */
export const LAB_LIMITS = {
  sleepSeconds: 600,
  throughputSeconds: 600,
  /** Deepest level of a call tree: the root is level 0. */
  depth: 10,
  /** Entries of one call's invoke_nested. */
  nestedCalls: 20,
  /**
   * UTF-8 bytes of `payload`, a string the call accepts and ignores (SeBS's invocation-overhead
   * sends up to 6,251,000 bytes): 8 MiB.
   */
  payloadBytes: 8 * 1024 * 1024,
} as const;

export interface NestedCall {
  functionName: string;
  payload: Record<string, unknown>;
}

export interface LabRequest {
  sleep: number;
  /** Absent when the call asks for no throughput loop (the entry then has nulls). */
  throughputTime?: number;
  invokeNested: NestedCall[];
  parent: string;
  /** This call's level in the call tree (0 at the root). */
  level: number;
  monolith?: { plan: MonolithPlan; args: number; seed: number };
}

/**
 * faas-benchmarker's examples send `StatusCode: 200`; its handlers ignore it, and so do these.
 * `payload` (dfaas, for SeBS's invocation-overhead) is bounded and ignored: only its transfer counts.
 */
const LAB_FIELDS = ['sleep', 'throughput_time', 'invoke_nested', 'parent', 'level', 'StatusCode', 'payload'];
const MONOLITH_FIELDS = [...LAB_FIELDS, 'run_function', 'args', 'seed'];
/** `invocation_type` appears in faas-benchmarker's nested entries; it is ignored. */
const NESTED_FIELDS = ['function_name', 'invoke_payload', 'invocation_type'];
const DEFAULT_MONOLITH_ARGS = 10;

/** Reads a call's JSON (already parsed); `monolith` adds run_function, args and seed. */
export function parseLabRequest(input: unknown, monolith: boolean): LabRequest {
  const body = objectField(input, 'body', monolith ? MONOLITH_FIELDS : LAB_FIELDS);
  // The caller sends its own level: this call is one deeper (faas-benchmarker's rule).
  const level = body.level === undefined ? 0 : integer(body.level, 'level', 0, LAB_LIMITS.depth - 1) + 1;
  const request: LabRequest = {
    sleep: body.sleep === undefined ? 0 : seconds(body.sleep, 'sleep', LAB_LIMITS.sleepSeconds),
    invokeNested: nestedCalls(body.invoke_nested, level),
    parent: body.parent === undefined ? 'root' : text(body.parent, 'parent'),
    level,
  };
  if (body.payload !== undefined) payload(body.payload);
  if (body.throughput_time !== undefined) {
    request.throughputTime = seconds(body.throughput_time, 'throughput_time', LAB_LIMITS.throughputSeconds);
  }
  if (monolith) {
    const runFunction = body.run_function === undefined ? 'random' : text(body.run_function, 'run_function');
    const args =
      body.args === undefined
        ? DEFAULT_MONOLITH_ARGS
        : integer(body.args, 'args', 0, Number.MAX_SAFE_INTEGER);
    // Without a seed the call draws one and reports it, so any run can be repeated.
    const seed = body.seed === undefined ? randomInt(2 ** 32) : integer(body.seed, 'seed', 0, 2 ** 32 - 1);
    request.monolith = { plan: planMonolith(runFunction, args, seed), args, seed };
  }
  return request;
}

function nestedCalls(value: unknown, level: number): NestedCall[] {
  if (value === undefined) return [];
  if (!Array.isArray(value))
    throw new HandlerInputError('invoke_nested must be a list of {function_name, invoke_payload}');
  if (value.length > LAB_LIMITS.nestedCalls) {
    throw new HandlerInputError(
      `invoke_nested: at most ${LAB_LIMITS.nestedCalls} calls, got ${value.length}`,
    );
  }
  if (value.length > 0 && level >= LAB_LIMITS.depth) {
    throw new HandlerInputError(
      `invoke_nested: this call is at level ${level}, and calls go at most ${LAB_LIMITS.depth} levels deep`,
    );
  }
  return value.map((entry, i) => {
    const field = `invoke_nested[${i}]`;
    const call = objectField(entry, field, NESTED_FIELDS);
    return {
      functionName: text(call.function_name, `${field}.function_name`),
      payload:
        call.invoke_payload === undefined
          ? {}
          : objectField(call.invoke_payload, `${field}.invoke_payload`, null),
    };
  });
}

/** A JSON object; `known` (unless null) lists its fields, and any other is refused by name. */
function objectField(
  value: unknown,
  field: string,
  known: readonly string[] | null,
): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HandlerInputError(`${field} must be a JSON object`);
  }
  const unknown = known ? Object.keys(value).find((k) => !known.includes(k)) : undefined;
  if (unknown !== undefined) {
    throw new HandlerInputError(`${field}: unknown field "${unknown}" (the fields are ${known?.join(', ')})`);
  }
  return value as Record<string, unknown>;
}

/** A string of at most LAB_LIMITS.payloadBytes UTF-8 bytes; its content is not read. */
function payload(value: unknown): void {
  if (typeof value !== 'string') {
    const got =
      value === null
        ? 'null'
        : Array.isArray(value)
          ? 'a list'
          : typeof value === 'object'
            ? 'an object'
            : `a ${typeof value}`;
    throw new HandlerInputError(`payload must be a string, got ${got}`);
  }
  // A string's UTF-8 size is at least its length and at most 3 × it: count only when it may be over.
  if (
    value.length * 3 > LAB_LIMITS.payloadBytes &&
    Buffer.byteLength(value, 'utf8') > LAB_LIMITS.payloadBytes
  ) {
    throw new HandlerInputError(
      `payload: at most ${LAB_LIMITS.payloadBytes} bytes, got ${Buffer.byteLength(value, 'utf8')}`,
    );
  }
}

function seconds(value: unknown, field: string, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) {
    throw new HandlerInputError(
      `${field} must be a number of seconds from 0 to ${max}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function integer(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new HandlerInputError(
      `${field} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new HandlerInputError(`${field} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
  return value;
}
