/**
 * The handler contract for built-in functions and for users' JS/TS modules. A module exports
 * it as `default` (or as `handle`):
 *
 *   export default async (req) => `hello ${req.text()}`;
 *   export default async (req) => ({ status: 201, headers: { 'content-type': 'application/json' }, body: { ok: true } });
 */
export interface FunctionRequest {
  method: string;
  /** Path below the function ("/" for /function/NAME). */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text(): string;
  json(): unknown;
}

export interface FunctionResponse {
  status?: number;
  headers?: Record<string, string>;
  /** A string or bytes are sent as they are; any other value is sent as JSON. */
  body?: unknown;
}

export type HandlerResult = string | Uint8Array | FunctionResponse | undefined;

export type Handler = (req: FunctionRequest) => HandlerResult | Promise<HandlerResult>;

/** A built-in handler with the documentation the README and `dfaas functions` show. */
export interface BuiltinFunction {
  name: string;
  description: string;
  /** What the request carries. */
  input: string;
  /** A request body that shows the function at work (used by `dfaas demo`). */
  example: string;
  handler: Handler;
}

/** Reads a positive integer from the query (first) or the body, with a default and a ceiling. */
export function intParam(req: FunctionRequest, name: string, fallback: number, max: number): number {
  const raw = req.query.get(name) ?? (req.body.length > 0 ? req.text().trim() : '');
  if (raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    throw new HandlerInputError(`${name} must be a whole number >= 0`);
  if (value > max) throw new HandlerInputError(`${name} must be at most ${max}`);
  return value;
}

/**
 * The environment variable that gives a replica the URL of the gateway serving it, so a function
 * can call others (`$DFAAS_GATEWAY_URL/function/NAME`); the function's own environment may set
 * another (e.g. a node's proxy).
 */
export const GATEWAY_URL_ENV = 'DFAAS_GATEWAY_URL';

/** Bad input to a handler: the runner answers 400 with the message. */
export class HandlerInputError extends Error {
  override name = 'HandlerInputError';
}
