/**
 * faas-benchmarker's lab functions (function1, function2, function3, monolith) for OpenFaaS's
 * node20 template. LAB_FUNCTION says which one this deployment is; the code is dfaas's own lab
 * module (src/platform/functions/lab.ts), compiled and copied beside this file by ../prepare.sh.
 */
const name = process.env.LAB_FUNCTION ?? '';
const gatewayUrl = process.env.DFAAS_GATEWAY_URL ?? 'http://gateway.openfaas:8080';

// Created once per container: the lab function keeps its cold marker (is_cold, container_id).
let labFunction;
async function lab() {
  const { createLabFunction, gatewayInvoker, LAB_FUNCTION_NAMES } = await import(
    './dfaas/platform/functions/lab.js'
  );
  if (!LAB_FUNCTION_NAMES.includes(name)) {
    throw new Error(`LAB_FUNCTION must be one of ${LAB_FUNCTION_NAMES.join(', ')}, got "${name}"`);
  }
  labFunction ??= createLabFunction(name, {
    invoke: gatewayInvoker(() => gatewayUrl, 'set DFAAS_GATEWAY_URL'),
  });
  return labFunction;
}

/** The template parses JSON bodies (Content-Type: application/json); others arrive as text or bytes. */
function input(body) {
  if (body === undefined || body === null) return {};
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    const text = body.toString('utf8');
    if (text.trim() === '') return {};
    try {
      return JSON.parse(text);
    } catch {
      throw new SyntaxError('body must be JSON, e.g. {"sleep": 0.5}');
    }
  }
  return body;
}

module.exports = async (event, context) => {
  try {
    const response = await (await lab())(input(event.body));
    return context.status(200).headers({ 'Content-Type': 'application/json' }).succeed(response);
  } catch (err) {
    // Bad input names the field, as on the embedded platform: 400, not the reference's 200.
    const badInput = err instanceof SyntaxError || err?.name === 'HandlerInputError';
    return context
      .status(badInput ? 400 : 500)
      .headers({ 'Content-Type': 'text/plain; charset=utf-8' })
      .succeed(`${err?.message ?? String(err)}\n`);
  }
};
