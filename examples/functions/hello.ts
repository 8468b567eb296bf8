import type { FunctionRequest, FunctionResponse } from 'dfaas';

/**
 * A user's function as a TypeScript module: export a default handler.
 * Call it with `curl -d dfaas 'http://127.0.0.1:8080/function/hello?greeting=hi'`.
 */
export default function handle(req: FunctionRequest): FunctionResponse {
  const name = req.text().trim() || 'world';
  const greeting = req.query.get('greeting') ?? 'hello';
  return {
    headers: { 'content-type': 'application/json' },
    body: { message: `${greeting}, ${name}`, path: req.path },
  };
}
