import { createHash } from 'node:crypto';
import figlet, { type FontName } from 'figlet';
import {
  type BuiltinFunction,
  type FunctionRequest,
  GATEWAY_URL_ENV,
  HandlerInputError,
  intParam,
} from './handler.js';
import { createLabFunction, gatewayInvoker, LAB_FUNCTION_NAMES, type LabFunctionName } from './lab.js';
import { multiplySquare } from './monolith.js';

const figletFn: BuiltinFunction = {
  name: 'figlet',
  description: 'ASCII art of the body, with the figlet package (font from ?font=, default "Standard")',
  input: 'text (at most 1 KiB)',
  example: 'hello',
  handler: (req) => {
    const text = req.text();
    if (text.length > 1024) throw new HandlerInputError('text must be at most 1024 characters');
    const font = (req.query.get('font') ?? 'Standard') as FontName;
    try {
      return `${figlet.textSync(text, { font })}\n`;
    } catch (err) {
      throw new HandlerInputError(`figlet: ${(err as Error).message}`);
    }
  },
};

const envFn: BuiltinFunction = {
  name: 'env',
  description: "The replica's environment, one KEY=value a line, sorted",
  input: 'none',
  example: '',
  handler: () =>
    `${Object.entries(process.env)
      .map(([k, v]) => `${k}=${v}`)
      .sort()
      .join('\n')}\n`,
};

const echoFn: BuiltinFunction = {
  name: 'echo',
  description: 'The request body, with its content type',
  input: 'anything',
  example: 'hello, dfaas',
  handler: (req) => {
    const type = req.headers['content-type'];
    return {
      status: 200,
      headers: { 'content-type': typeof type === 'string' ? type : 'application/octet-stream' },
      body: req.body,
    };
  },
};

const shasumFn: BuiltinFunction = {
  name: 'shasum',
  description: 'SHA-256 of the body, in hex',
  input: 'anything',
  example: 'hello',
  handler: (req) => `${createHash('sha256').update(req.body).digest('hex')}\n`,
};

const sleepFn: BuiltinFunction = {
  name: 'sleep',
  description: 'Waits, then answers with the time slept',
  input: 'milliseconds in the body or ?ms= (default 100, at most 600000)',
  example: '50',
  handler: async (req) => {
    const ms = intParam(req, 'ms', 100, 600_000);
    await new Promise((r) => setTimeout(r, ms));
    return `slept ${ms} ms\n`;
  },
};

/** Holds N MiB, touched page by page so it is resident (RSS), for T ms. */
const eatMemoryFn: BuiltinFunction = {
  name: 'eat-memory',
  description: 'Holds N MiB of resident memory for T ms, then frees it',
  input: 'JSON {"mib": N, "ms": T} or ?mib=N&ms=T (default 64 MiB, 1000 ms; at most 16384 MiB, 600000 ms)',
  example: '{"mib": 32, "ms": 200}',
  handler: async (req) => {
    const { mib, ms } = memoryParams(req);
    const block = Buffer.alloc(mib * 1024 * 1024, 1);
    await new Promise((r) => setTimeout(r, ms));
    return `held ${block.length / 1024 / 1024} MiB for ${ms} ms\n`;
  },
};

function memoryParams(req: FunctionRequest): { mib: number; ms: number } {
  let fromBody: { mib?: unknown; ms?: unknown } = {};
  if (req.body.length > 0) {
    try {
      fromBody = req.json() as typeof fromBody;
    } catch {
      throw new HandlerInputError('body must be JSON like {"mib": 64, "ms": 1000}');
    }
  }
  const read = (name: 'mib' | 'ms', fallback: number, max: number) => {
    const raw = req.query.get(name) ?? fromBody[name] ?? fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0 || value > max) {
      throw new HandlerInputError(`${name} must be a whole number from 0 to ${max}`);
    }
    return value;
  };
  return { mib: read('mib', 64, 16_384), ms: read('ms', 1000, 600_000) };
}

/** CPU-bound: multiplies two N×N matrices of deterministic values, returns a checksum. */
const matmulFn: BuiltinFunction = {
  name: 'matmul',
  description: 'Multiplies two N×N matrices (CPU bound) and answers with the sum of the product',
  input: 'N in the body or ?n= (default 100, at most 2000)',
  example: '200',
  handler: (req) => {
    const n = intParam(req, 'n', 100, 2000);
    const a = new Float64Array(n * n);
    const b = new Float64Array(n * n);
    for (let i = 0; i < n * n; i++) {
      a[i] = (i % 7) + 1;
      b[i] = (i % 5) + 1;
    }
    const c = multiplySquare(a, b, n);
    let sum = 0;
    for (const v of c) sum += v;
    return { headers: { 'content-type': 'application/json' }, body: { n, sum } };
  },
};

/** faas-benchmarker's lab functions (lab.ts); nested calls go to the gateway the platform names. */
function labFn(name: LabFunctionName): BuiltinFunction {
  const run = createLabFunction(name, {
    invoke: gatewayInvoker(
      () => process.env[GATEWAY_URL_ENV],
      `${GATEWAY_URL_ENV} is not set (the embedded gateway sets it for its replicas)`,
    ),
  });
  const monolith = name === 'monolith';
  return {
    name,
    description: monolith
      ? 'Lab function for dfaas bench: the contract of function1 plus one of several compute functions'
      : 'Lab function for dfaas bench: sleeps, spins a seeded busy loop, calls functions; one JSON entry per call',
    input: monolith
      ? 'JSON {"sleep", "throughput_time", "invoke_nested", "payload", "run_function", "args", "seed"}, all optional'
      : 'JSON {"sleep", "throughput_time", "invoke_nested", "payload"}, all optional',
    example: monolith ? '{"run_function": "matrix_mult", "args": 50, "seed": 1}' : '{"sleep": 0.1}',
    handler: async (req) => {
      let input: unknown = {};
      if (req.body.length > 0) {
        try {
          input = req.json();
        } catch {
          throw new HandlerInputError('body must be JSON, e.g. {"sleep": 0.5}');
        }
      }
      return { headers: { 'content-type': 'application/json' }, body: await run(input) };
    },
  };
}

export const BUILTIN_FUNCTIONS: ReadonlyMap<string, BuiltinFunction> = new Map(
  [figletFn, envFn, echoFn, shasumFn, sleepFn, eatMemoryFn, matmulFn, ...LAB_FUNCTION_NAMES.map(labFn)].map(
    (f) => [f.name, f],
  ),
);
